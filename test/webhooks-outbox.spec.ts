import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { JobLifecycleService } from '../src/core/jobs/job-lifecycle.service.js';
import { WebhooksService } from '../src/core/webhooks/webhooks.service.js';
import { QueueRepository } from '../src/platform/tools/queue.repository.js';
import { call, isolatedDatabase, media, startApp, waitForJob, type TestApp } from './support/app.js';
import { waitOut } from './support/processes.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver that answers 200 to everything and keeps what it got. */
async function receiver(): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface DeliveryState {
  id: string;
  event_type: string;
  status: string;
  attempt_count: number;
  enqueued: boolean;
}

// Sweeps every second; a delivery recorded a second ago and never queued is the sweep's.
describe('the webhook outbox: an event recorded with the job\'s end is sent exactly once, whatever happens after the commit', () => {
  let t: TestApp;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let queue: QueueRepository;
  let realEnqueue: QueueRepository['enqueueDelivery'];

  beforeAll(async () => {
    // A database of its own: this app's sweep takes every unsent delivery in the database for its own.
    const db = await isolatedDatabase('outbox');
    t = await startApp({ DATABASE_URL: db, SWEEP_INTERVAL_SECONDS: '1', ENQUEUE_GRACE_SECONDS: '1', WEBHOOK_RETRY_SCHEDULE: '1,1' });
    rx = await receiver();
    queue = t.app.get(QueueRepository, { strict: false });
    realEnqueue = queue.enqueueDelivery.bind(queue);
  });
  afterAll(async () => {
    queue.enqueueDelivery = realEnqueue;
    await rx.close();
    await t.close();
  });

  /** Redis refusing the webhook queue (the media queue keeps working, so jobs still run and end). */
  const redisDown = () => {
    queue.enqueueDelivery = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
  };
  const redisBack = () => {
    queue.enqueueDelivery = realEnqueue;
  };

  const deliveriesOf = async (jobId: string) =>
    (await t.db.query(
      `SELECT id, event_type, status, attempt_count, enqueued_at IS NOT NULL AS enqueued FROM webhook_deliveries WHERE job_id = $1 ORDER BY created_at`,
      [jobId],
    )) as DeliveryState[];
  const receivedFor = (jobId: string) => rx.got.filter((r) => r.body.includes(jobId));

  async function accountWithEndpoint(): Promise<{ key: string; secret: string }> {
    const acct = await t.account(5);
    await call(t.url, 'PUT', '/v1/webhooks/endpoint', { key: acct.key, body: { url: rx.url } });
    const { secret } = (await call(t.url, 'GET', '/v1/webhooks/secret', { key: acct.key })).body;
    return { key: acct.key, secret };
  }

  it.each([
    ['job.completed', 'second.mp4', 'completed'],
    ['job.failed', 'gone.mp4', 'failed'],
  ])('%s: Redis away when the job ends → recorded, not sent; once it is back, the sweep sends it once, signed', async (event, file, status) => {
    const acct = await accountWithEndpoint();
    redisDown();
    let jobId: string;
    try {
      jobId = (await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media(file) } })).body.job_id;
      const job = await waitForJob(t.url, acct.key, jobId);
      expect(job.status).toBe(status);
      // Committed with the job's end, and still waiting: neither the after-commit path nor the sweeps could queue it.
      const [recorded] = await deliveriesOf(jobId);
      expect(recorded).toMatchObject({ event_type: event, status: 'pending', attempt_count: 0, enqueued: false });
      await waitOut(2500);
      expect((await deliveriesOf(jobId))[0]!.enqueued).toBe(false);
      expect(receivedFor(jobId)).toEqual([]);
    } finally {
      redisBack();
    }
    const delivery = await until(() => receivedFor(jobId)[0]);
    const row = await until(async () => (await deliveriesOf(jobId)).find((d) => d.status !== 'pending' && d.enqueued));
    expect(row).toMatchObject({ status: 'delivered', attempt_count: 1, enqueued: true });
    expect(delivery.headers['webhook-id']).toBe(row.id);
    const payload = new Webhook(acct.secret).verify(delivery.body, delivery.headers as Record<string, string>) as any;
    expect(payload).toMatchObject({ type: event, data: { id: jobId, status } });
    // More sweeps pass: still exactly one request for this event.
    await waitOut(3000);
    expect(receivedFor(jobId)).toHaveLength(1);
    expect(await deliveriesOf(jobId)).toHaveLength(1);
  });

  it('queued by several sweeps and the after-commit path at once, and again after it was delivered: sent once', async () => {
    const acct = await accountWithEndpoint();
    redisDown();
    let jobId: string;
    try {
      jobId = (await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('second.mp4') } })).body.job_id;
      await waitForJob(t.url, acct.key, jobId);
      await until(async () => (await deliveriesOf(jobId)).length === 1);
    } finally {
      redisBack();
    }
    const webhooks = t.app.get(WebhooksService, { strict: false });
    // Every worker's sweep at the same moment, as several processes would.
    await Promise.all([webhooks.sweepUnsent(), webhooks.sweepUnsent(), webhooks.sweepUnsent()]);
    await until(() => receivedFor(jobId).length > 0);
    const row = await until(async () => (await deliveriesOf(jobId)).find((d) => d.status !== 'pending' && d.enqueued));
    expect(row).toMatchObject({ status: 'delivered', enqueued: true });
    // As if the mark had been lost (a process dying right after queueing): queued again by the sweep, not sent again.
    await t.db.query('UPDATE webhook_deliveries SET enqueued_at = NULL WHERE id = $1', [row.id]);
    await until(async () => (await deliveriesOf(jobId))[0]!.enqueued, 10_000);
    await waitOut(2500);
    expect(receivedFor(jobId)).toHaveLength(1);
    expect((await deliveriesOf(jobId))[0]).toMatchObject({ status: 'delivered', attempt_count: 1 });
  });

  it('batch.completed: recorded with the end of the batch\'s last job while Redis is away, sent once when it is back', async () => {
    const acct = await accountWithEndpoint();
    redisDown();
    let batchId: string;
    try {
      const res = await call(t.url, 'POST', '/v1/batch', {
        key: acct.key,
        body: { operation: 'download', items: [{ url: media('second.mp4') }, { url: media('gone.mp4') }, { url: media('second.mp4'), format: 'm4a' }] },
      });
      expect(res.status).toBe(202);
      batchId = res.body.batch_id;
      for (const id of res.body.job_ids) await waitForJob(t.url, acct.key, id);
      const recorded = (await t.db.query(
        `SELECT status, enqueued_at IS NOT NULL AS enqueued FROM webhook_deliveries WHERE event_type = 'batch.completed' AND payload->'data'->>'id' = $1`,
        [batchId],
      )) as Array<{ status: string; enqueued: boolean }>;
      expect(recorded).toEqual([{ status: 'pending', enqueued: false }]);
    } finally {
      redisBack();
    }
    const ofBatch = () => rx.got.filter((r) => r.body.includes(batchId) && JSON.parse(r.body).type === 'batch.completed');
    const delivery = await until(() => ofBatch()[0]);
    const payload = new Webhook(acct.secret).verify(delivery.body, delivery.headers as Record<string, string>) as any;
    expect(payload.data).toMatchObject({ id: batchId, status: 'completed', summary: { total: 3, succeeded: 2, failed: 1, processing: 0 } });
    await waitOut(3000);
    expect(ofBatch()).toHaveLength(1);
  });

  it('a canceled job records and sends no event', async () => {
    const acct = await accountWithEndpoint();
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('slow/direct.mp4?bps=200000') } });
    await call(t.url, 'DELETE', `/v1/jobs/${res.body.job_id}`, { key: acct.key });
    const job = await waitForJob(t.url, acct.key, res.body.job_id);
    expect(job.status).toBe('canceled');
    await waitOut(2500);
    expect(await deliveriesOf(job.id)).toEqual([]);
    expect(receivedFor(job.id)).toEqual([]);
  });
});

// No workers: the spec ends the batch's jobs itself, at the same moment.
describe('batch.completed when the last two jobs of a batch end at once', () => {
  let t: TestApp;
  /** While set, every final transition lingers after the batch's check, before it commits. */
  let linger = false;
  beforeAll(async () => {
    t = await startApp({ DATABASE_URL: await isolatedDatabase('outbox_batch') }, false);
    t.app.get(JobLifecycleService, { strict: false }).onSettling('linger', async (tx) => {
      if (linger) await tx.query('SELECT pg_sleep(0.3)');
    });
  });
  afterAll(async () => t.close());

  it('the batch completes, and its event is recorded exactly once', async () => {
    const acct = await t.account(5);
    await call(t.url, 'PUT', '/v1/webhooks/endpoint', { key: acct.key, body: { url: 'http://127.0.0.1:9/hook' } });
    const res = await call(t.url, 'POST', '/v1/batch', {
      key: acct.key,
      body: { operation: 'download', items: [{ url: 'http://127.0.0.1:9/a' }, { url: 'http://127.0.0.1:9/b' }] },
    });
    expect(res.status).toBe(202);
    const lifecycle = t.app.get(JobLifecycleService, { strict: false });
    const running = await Promise.all(res.body.job_ids.map((id: string) => lifecycle.start(id)));
    linger = true;
    try {
      // Each sees the other's job still running unless the batch is checked after the other has
      // committed. Work that cost what it was charged refunds nothing, so the two completions
      // share no account row either.
      // What a download of the fixture reports (the answer is checked against the contract).
      const result = {
        title: 'direct', source: { id: null, platform: 'generic', webpage_url: null }, format: 'mp4', duration: 6, width: 640, height: 360,
        vcodec: 'h264', acodec: 'aac', size: 1000, metadata: null,
      };
      const outcome = { result: result as never, outputs: [], cost: 1 };
      await Promise.all(running.map((job) => lifecycle.complete(job!, outcome)));
    } finally {
      linger = false;
    }
    const batch = await call(t.url, 'GET', `/v1/batch/${res.body.batch_id}`, { key: acct.key });
    expect(batch.body).toMatchObject({ status: 'completed', summary: { total: 2, succeeded: 2, processing: 0 }, credits_refunded: 0 });
    const events = (await t.db.query(
      `SELECT event_type FROM webhook_deliveries WHERE account_id = $1 ORDER BY event_type`,
      [acct.id],
    )) as Array<{ event_type: string }>;
    expect(events.map((e) => e.event_type)).toEqual(['batch.completed', 'job.completed', 'job.completed']);
  });
});
