import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { checkAnswer, recordWebhook } from './contract.js';

/** Debian's Chromium (apt package `chromium`), which scripts/setup.mjs installs for the tests. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

// Without the background-networking switches Chromium keeps calling Google services.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface TestBrowser {
  browser: Browser;
  page: Page;
  /** Errors the page raised or logged (a CSP violation is one), failed loads of 401/403/404 aside. */
  pageErrors: string[];
  /** Waits for the contract checks of the answers the page got, then closes the browser. */
  close(): Promise<void>;
}

/**
 * Headless Chromium with one page on `base`, where nothing but 127.0.0.1 can be reached, and
 * every API answer the page gets is checked against openapi.json like the specs' own fetches
 * (a violation fails the spec file at its end, see contract-setup.ts).
 */
export async function openBrowser(base: string): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
  const page = await context.newPage();
  page.setDefaultTimeout(45_000);
  const pageErrors: string[] = [];
  const checks: Array<Promise<void>> = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 40[134]/.test(msg.text())) pageErrors.push(msg.text());
  });
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (url.origin !== base || !url.pathname.startsWith('/v1/')) return;
    const type = res.headers()['content-type'] ?? null;
    const body = /json/.test(type ?? '') ? res.text() : Promise.resolve(undefined);
    checks.push(
      body.then(
        (text) => {
          try {
            checkAnswer(res.request().method(), url, res.status(), type, text, (name) => res.headers()[name.toLowerCase()] ?? null);
          } catch {
            /* recorded in violations */
          }
        },
        () => undefined,
      ),
    );
  });
  return {
    browser,
    page,
    pageErrors,
    close: async () => {
      await Promise.all(checks);
      await browser.close();
    },
  };
}

export interface Received {
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A webhook receiver on 127.0.0.1 that records what it gets (checked against the contract) and answers 204. */
export async function startReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      recordWebhook(body);
      received.push({ body, headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/mediary`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
