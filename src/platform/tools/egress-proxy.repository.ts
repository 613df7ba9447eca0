import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { NetworkPolicy } from './network-policy.js';

export interface EgressSession {
  /** Proxy URL to hand to yt-dlp (`--proxy`) or ffprobe (`-http_proxy`). */
  proxyUrl: string;
  /** Hosts the session tried to reach and was refused. */
  denied: string[];
  close(): void;
}

/**
 * A forward proxy on 127.0.0.1 through which yt-dlp and ffprobe reach the network when private
 * networks are not allowed. Every connection — the first URL, each redirect, every media or
 * manifest URL a page points at — is resolved here, checked, and connected to the checked
 * address, so neither a redirect nor DNS rebinding can reach a private address.
 */
@Injectable()
export class EgressProxyRepository implements OnModuleDestroy {
  private readonly logger = new Logger(EgressProxyRepository.name);
  private server: http.Server | null = null;
  private port: Promise<number> | null = null;
  private readonly sessions = new Map<string, EgressSession>();

  constructor(private readonly policy: NetworkPolicy) {}

  /** A session for one program run, or null when private networks are allowed (no proxy needed). */
  async open(): Promise<EgressSession | null> {
    if (this.policy.open) return null;
    const port = await this.listen();
    const token = randomBytes(12).toString('hex');
    const session: EgressSession = {
      proxyUrl: `http://${token}:x@127.0.0.1:${port}`,
      denied: [],
      close: () => this.sessions.delete(token),
    };
    this.sessions.set(token, session);
    return session;
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }

  private listen(): Promise<number> {
    this.port ??= new Promise((resolve, reject) => {
      const server = http.createServer((req, res) => void this.forward(req, res));
      server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => void this.tunnel(req, socket, head));
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      this.server = server;
    });
    return this.port;
  }

  private session(req: http.IncomingMessage): EgressSession | undefined {
    const auth = req.headers['proxy-authorization'];
    if (!auth?.startsWith('Basic ')) return undefined;
    const token = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0] ?? '';
    return this.sessions.get(token);
  }

  /** Resolves `host` and returns an allowed address, or null (recorded against the session). */
  private async resolve(host: string, session: EgressSession | undefined): Promise<string | null> {
    const bare = host.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = net.isIP(bare) ? [bare] : (await lookup(bare, { all: true })).map((a) => a.address);
    } catch {
      return null;
    }
    if (addresses.length > 0 && addresses.every((a) => this.policy.allows(a))) return addresses[0] ?? null;
    session?.denied.push(bare);
    this.logger.warn(`refused connection to ${bare} (${addresses.join(', ')})`);
    return null;
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
      if (target.protocol !== 'http:') throw new Error('scheme');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const address = await this.resolve(target.hostname, this.session(req));
    if (!address) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('destination not allowed');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      { host: address, port: Number(target.port || 80), path: `${target.pathname}${target.search}`, method: req.method, headers, setHost: false },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(upstream);
  }

  private async tunnel(req: http.IncomingMessage, client: net.Socket, head: Buffer): Promise<void> {
    client.on('error', () => client.destroy());
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? '');
    const address = match ? await this.resolve(match[1] ?? '', this.session(req)) : null;
    if (!match || !address) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(match[2]), address, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
  }
}
