import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, startApp, type TestApp } from './support/app.js';

describe('operations endpoints', () => {
  let t: TestApp;
  const token = 'metrics-token-0123456789';

  beforeAll(async () => {
    t = await startApp({ METRICS_TOKEN: token }, false);
  });
  afterAll(async () => t.close());

  it('liveness answers without touching dependencies; readiness names each', async () => {
    expect(await call(t.url, 'GET', '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call(t.url, 'GET', '/health/ready')).toMatchObject({ status: 200, body: { status: 'ok', database: true, redis: true } });
  });

  it('/metrics needs the metrics token when one is set', async () => {
    const none = await call(t.url, 'GET', '/metrics');
    expect([none.status, none.body.code]).toEqual([401, 'invalid_api_key']);
    expect((await call(t.url, 'GET', '/metrics', { headers: { authorization: 'Bearer metrics-token-XXXXXXXXXX' } })).status).toBe(401);
    const ok = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('mediary_http_request_duration_seconds');
  });
});
