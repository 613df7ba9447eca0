import { Inject, Injectable } from '@nestjs/common';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { CONFIG, type Config } from '../../config.js';
import { NetworkPolicy } from './network-policy.js';

export interface PostResult {
  statusCode: number | null;
  latencyMs: number;
  /** The first 500 characters of the response body. */
  excerpt: string | null;
  /** Why no response arrived (timeout, refused address, connection error). */
  error: string | null;
}

const EXCERPT_BYTES = 500;

/**
 * POSTs webhook payloads. The address check happens inside DNS resolution of the very
 * connection, so a name that resolves to a private address (or is rebound to one) is refused;
 * redirects are not followed.
 */
@Injectable()
export class WebhookHttpRepository {

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly policy: NetworkPolicy,
  ) {}

  post(url: string, headers: Record<string, string>, body: string): Promise<PostResult> {
    const started = Date.now();
    const timeoutMs = this.config.webhooks.timeoutSeconds * 1000;
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: Omit<PostResult, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        resolve({ ...r, latencyMs: Date.now() - started });
      };
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        done({ statusCode: null, excerpt: null, error: 'invalid URL' });
        return;
      }
      // Node skips the lookup for IP literals, so those are checked here.
      const literal = target.hostname.replace(/^\[|\]$/g, '');
      if (net.isIP(literal) && !this.policy.allows(literal)) {
        done({ statusCode: null, excerpt: null, error: `address ${literal} is not allowed` });
        return;
      }
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        done({ statusCode: null, excerpt: null, error: 'only http and https are allowed' });
        return;
      }
      const client = target.protocol === 'https:' ? https : http;
      const req = client.request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup: this.policy.lookup,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < EXCERPT_BYTES) chunks.push(c);
            size += c.length;
            if (size > 64 * 1024) res.destroy(); // nobody needs more of a webhook reply
          });
          const finish = () =>
            done({ statusCode: res.statusCode ?? null, excerpt: Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_BYTES), error: null });
          res.on('end', finish);
          res.on('close', finish);
          res.on('error', finish);
        },
      );
      req.on('error', (err) => {
        const timedOut = err.name === 'AbortError' || (err as NodeJS.ErrnoException).code === 'ABORT_ERR';
        done({ statusCode: null, excerpt: null, error: timedOut ? `no response within ${timeoutMs / 1000} s` : err.message });
      });
      req.end(body);
    });
  }
}
