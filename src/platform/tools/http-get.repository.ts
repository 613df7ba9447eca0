import { Injectable } from '@nestjs/common';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { NetworkPolicy } from './network-policy.js';

/**
 * Small GETs of our own (a playlist, say) to addresses the network policy allows, checked inside
 * the connection's own DNS resolution; no redirects, bounded in size and time. Null when the
 * answer is not a 200 within those bounds.
 */
@Injectable()
export class HttpGetRepository {
  constructor(private readonly policy: NetworkPolicy) {}

  text(url: string, limits: { maxBytes: number; timeoutMs: number }): Promise<string | null> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.resolve(null);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.resolve(null);
    // Node skips the lookup for IP literals, so those are checked here.
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(literal) && !this.policy.allows(literal)) return Promise.resolve(null);
    return new Promise((resolve) => {
      const client = target.protocol === 'https:' ? https : http;
      const req = client.get(target, { lookup: this.policy.lookup, signal: AbortSignal.timeout(limits.timeoutMs) }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          resolve(null);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > limits.maxBytes) {
            res.destroy();
            resolve(null);
          } else chunks.push(c);
        });
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', () => resolve(null));
      });
      req.on('error', () => resolve(null));
    });
  }
}
