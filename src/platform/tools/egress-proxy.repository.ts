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
      const server = http.createServer((req, res) => {
        this.forward(req, res).catch((err: unknown) => this.dropped('request', err, () => (res.headersSent ? res.destroy() : res.writeHead(502).end())));
      });
      server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
        this.tunnel(req, socket, head).catch((err: unknown) => this.dropped('tunnel', err, () => socket.destroy()));
      });
      // A client that sends garbage gets a 400 and its socket closed; the server goes on.
      server.on('clientError', (_err, socket: net.Socket) => {
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
        else socket.destroy();
      });
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      this.server = server;
    });
    return this.port;
  }

  /** A request that failed in a way no check foresaw: logged, its socket closed, the proxy untouched. */
  private dropped(what: string, err: unknown, close: () => void): void {
    this.logger.warn(`egress ${what} dropped: ${(err as Error)?.message ?? String(err)}`);
    try {
      close();
    } catch {
      /* already closed */
    }
  }

  /** The session whose token the request carries; without one the proxy serves nobody. */
  private session(req: http.IncomingMessage): EgressSession | undefined {
    const auth = req.headers['proxy-authorization'];
    if (!auth?.startsWith('Basic ')) return undefined;
    const token = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0] ?? '';
    return this.sessions.get(token);
  }

  /** Resolves `host` and returns an allowed address, or null (recorded against the session). */
  private async resolve(host: string, session: EgressSession): Promise<string | null> {
    const bare = host.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = net.isIP(bare) ? [bare] : (await lookup(bare, { all: true })).map((a) => a.address);
    } catch {
      return null;
    }
    if (addresses.length > 0 && addresses.every((a) => this.policy.allows(a))) return addresses[0] ?? null;
    session.denied.push(bare);
    this.logger.warn(`refused connection to ${bare} (${addresses.join(', ')})`);
    return null;
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const session = this.session(req);
    if (!session) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="mediary-egress"' }).end();
      return;
    }
    const target = parseTarget(req.url ?? '');
    if (!target) {
      res.writeHead(400).end();
      return;
    }
    const address = await this.resolve(target.host, session);
    if (!address) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('destination not allowed');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      { host: address, port: target.port, path: target.path, method: req.method, headers, setHost: false },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  }

  private async tunnel(req: http.IncomingMessage, client: net.Socket, head: Buffer): Promise<void> {
    client.on('error', () => client.destroy());
    const session = this.session(req);
    if (!session) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="mediary-egress"\r\n\r\n');
      return;
    }
    const target = parseAuthority(req.url ?? '');
    const address = target ? await this.resolve(target.host, session) : null;
    if (!target || !address) {
      client.end(`HTTP/1.1 ${target ? '403 Forbidden' : '400 Bad Request'}\r\n\r\n`);
      return;
    }
    const upstream = net.connect({ port: target.port, host: address }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  }
}

/** `host:port` of a CONNECT request (IPv6 in brackets), with a port that exists; null for anything else. */
export function parseAuthority(text: string): { host: string; port: number } | null {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(text);
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return null;
  const host = match[1]!;
  if (host.startsWith('[') && net.isIPv6(host.slice(1, -1)) === false) return null;
  return { host, port };
}

/** An absolute-form http:// request target; null for any other scheme or a malformed one. */
export function parseTarget(text: string): { host: string; port: number; path: string } | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' || !url.hostname) return null;
  const port = Number(url.port || 80);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host: url.hostname, port, path: `${url.pathname}${url.search}` };
}
