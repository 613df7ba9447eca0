import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net from 'node:net';
import { loadConfig } from '../src/config.js';
import { EgressProxyRepository, type EgressSession } from '../src/platform/tools/egress-proxy.repository.js';
import { NetworkPolicy } from '../src/platform/tools/network-policy.js';

/** Sends raw bytes to the proxy and returns its answer's head (or whatever came before it closed). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    const done = () => {
      socket.destroy();
      resolve(answer);
    };
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      if (answer.includes('\r\n\r\n')) done();
    });
    socket.on('end', done);
    socket.on('error', done);
    socket.setTimeout(3000, done);
  });
}

const auth = (session: EgressSession) => {
  const u = new URL(session.proxyUrl);
  return `Proxy-Authorization: Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}\r\n`;
};

// Everything a URL the attacker controls can make a media program send to the built-in proxy.
describe('the egress proxy is total: no request stops it, none gets through unchecked', () => {
  const proxy = new EgressProxyRepository(new NetworkPolicy(loadConfig({ ALLOW_PRIVATE_NETWORKS: 'false' })));
  let session: EgressSession;
  let port: number;
  let target: http.Server;
  let targetHits = 0;

  beforeAll(async () => {
    session = (await proxy.open())!;
    port = Number(new URL(session.proxyUrl).port);
    target = http.createServer((_req, res) => {
      targetHits++;
      res.end('private');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    session.close();
    await proxy.onModuleDestroy();
    await new Promise((r) => target.close(r));
  });

  it.each([
    ['a port out of range', 'example.test:99999'],
    ['port zero', 'example.test:0'],
    ['an empty host', ':443'],
    ['no port', 'example.test'],
    ['a port that is not a number', 'example.test:https'],
    ['an IPv6 literal that is not one', '[::zz]:443'],
    ['garbage', '\u0000\u00ff%%%'],
    ['a userinfo trick', 'user@127.0.0.1:80'],
  ])('answers CONNECT with %s by refusing it', async (_what, authority) => {
    const answer = await raw(port, `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth(session)}\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 (400|403)/);
  });

  it('refuses loopback and IPv6 loopback through CONNECT, and the target sees nothing', async () => {
    const { port: privatePort } = target.address() as net.AddressInfo;
    for (const authority of [`127.0.0.1:${privatePort}`, `[::1]:${privatePort}`, `[::ffff:127.0.0.1]:${privatePort}`]) {
      expect(await raw(port, `CONNECT ${authority} HTTP/1.1\r\n${auth(session)}\r\n`)).toMatch(/^HTTP\/1\.1 403/);
    }
    expect(targetHits).toBe(0);
    expect(session.denied.length).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ['a port out of range', 'GET http://example.test:99999/v.m3u8 HTTP/1.1'],
    ['another scheme', 'GET ftp://example.test/v HTTP/1.1'],
    ['a file URL', 'GET file:///etc/passwd HTTP/1.1'],
    ['an origin-form path', 'GET /etc/passwd HTTP/1.1'],
    ['a header-less garbage line', '\u0000\u0001\u0002 garbage'],
  ])('answers an absolute-form request with %s by refusing it', async (_what, line) => {
    const answer = await raw(port, `${line}\r\nHost: x\r\n${auth(session)}\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 (400|403)/);
  });

  it('serves nobody without the session token', async () => {
    const { port: privatePort } = target.address() as net.AddressInfo;
    expect(await raw(port, `CONNECT example.test:443 HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 407/);
    expect(await raw(port, `GET http://127.0.0.1:${privatePort}/ HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic ${Buffer.from('stolen:x').toString('base64')}\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 407/,
    );
    expect(targetHits).toBe(0);
  });

  it('keeps answering after all of that', async () => {
    const answer = await raw(port, `CONNECT 127.0.0.1:1 HTTP/1.1\r\n${auth(session)}\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 403/);
  });
});
