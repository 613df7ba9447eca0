import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { readTimeIdCursor, toPage } from '../../platform/http/pagination.js';
import { UUID } from '../../platform/ids.js';
import { QueueRepository } from '../../platform/tools/queue.repository.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';
import { WebhookHttpRepository, type PostResult } from '../../platform/tools/webhook-http.repository.js';
import type { SqlRunner } from '../jobs/job-handler.js';
import { JobLifecycleService } from '../jobs/job-lifecycle.service.js';
import type { JobEntity } from '../jobs/job.entity.js';
import { JobsService } from '../jobs/jobs.service.js';
import { DEFAULT_WEBHOOK_EVENTS, type WebhookEvent } from './webhook-events.js';
import {
  decryptWithAny, encryptSecret, jitterFor, newMessageId, newWebhookSecret, retryDelayMs, secretKey, signatureHeader, UnreadableSecretError,
} from './webhook-signing.js';
import { WebhookRepository, type DeliveryRow, type DeliveryStatus, type EndpointRow, type SecretRow } from './webhook.repository.js';

export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'skipped';

/** How long handing deliveries to the queue may take before they are left to the sweep (Redis away). */
const ENQUEUE_TIMEOUT_MS = 2000;
/** Deliveries handed to the queue at once, after a job ends and per sweep. */
const UNSENT_BATCH = 200;

/** Where an event goes: the request's own webhook_url (never for progress) and the endpoint, if it asked for the event. */
export function deliveryTargets(type: WebhookEvent, perRequest: string | null, endpoint: Pick<EndpointRow, 'url' | 'events'> | null): string[] {
  const urls = new Set<string>();
  if (perRequest && type !== 'job.progress') urls.add(perRequest);
  if (endpoint?.events.includes(type)) urls.add(endpoint.url);
  return [...urls];
}

/**
 * Standard Webhooks for an account: the endpoint and secret, the events a job produces, and
 * each delivery attempt. A job's events are an outbox: recorded in the transaction that ends the
 * job (so they exist exactly when the end does), handed to the queue after the commit, and by a
 * sweep when that never happened (a crash, Redis away). The queue's job id is the delivery id
 * (the `webhook-id`), so handing one over twice sends it once.
 */
@Injectable()
export class WebhooksService implements OnModuleInit {
  private readonly logger = new Logger(WebhooksService.name);
  /** The key secrets are encrypted with, then the one before a SIGNING_SECRET rotation (decrypt only). */
  private readonly keys: Buffer[];

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly webhooks: WebhookRepository,
    private readonly http: WebhookHttpRepository,
    private readonly queue: QueueRepository,
    private readonly jobs: JobsService,
    private readonly lifecycle: JobLifecycleService,
    private readonly guard: UrlGuardService,
  ) {
    this.keys = [config.signingSecret, config.previousSigningSecret].filter((s): s is string => !!s).map(secretKey);
  }

  onModuleInit(): void {
    this.lifecycle.onSettling('webhook outbox', (tx, job) => this.recordJobEnded(tx, job));
    this.lifecycle.onEnded('webhook', (job) => this.sendUnsent(job.accountId));
    this.lifecycle.onProgressed('progress webhook', (job) => this.jobProgressed(job));
  }

  get maxAttempts(): number {
    return this.config.webhooks.retryScheduleSeconds.length + 1;
  }

  async putEndpoint(accountId: string, url: string, events: WebhookEvent[] | undefined): Promise<EndpointRow> {
    await this.guard.check(url);
    return this.webhooks.putEndpoint(accountId, url, [...new Set(events ?? DEFAULT_WEBHOOK_EVENTS)]);
  }

  async getEndpoint(accountId: string): Promise<EndpointRow> {
    const endpoint = await this.webhooks.endpoint(accountId);
    if (!endpoint) throw new AppError('not_found', 'No webhook endpoint is set; PUT /v1/webhooks/endpoint sets one');
    return endpoint;
  }

  async deleteEndpoint(accountId: string): Promise<void> {
    if (!(await this.webhooks.deleteEndpoint(accountId))) throw new AppError('not_found', 'No webhook endpoint is set');
  }

  /**
   * The account's secrets, newest first (the previous one only while its overlap lasts). Secrets
   * encrypted under the previous SIGNING_SECRET are re-encrypted under the current one on first read.
   */
  async activeSecrets(accountId: string): Promise<{ current: string; previousExpiresAt: Date | null; all: string[] }> {
    const row = await this.secretRow(accountId);
    const overlap = row.previous_secret && row.previous_expires_at && row.previous_expires_at > new Date();
    const current = this.read(row.secret);
    const previous = overlap ? this.read(row.previous_secret!) : null;
    if (current.index > 0 || (previous?.index ?? 0) > 0) {
      const [key] = this.keys;
      await this.webhooks.reencrypt(accountId, row.secret, encryptSecret(key!, current.plaintext), previous ? encryptSecret(key!, previous.plaintext) : row.previous_secret);
    }
    return {
      current: current.plaintext,
      previousExpiresAt: overlap ? row.previous_expires_at : null,
      all: previous ? [current.plaintext, previous.plaintext] : [current.plaintext],
    };
  }

  /** A new secret; the old one keeps signing during the overlap, unless it cannot be read here at all. */
  async rotateSecret(accountId: string): Promise<{ current: string; previousExpiresAt: Date | null }> {
    const row = await this.secretRow(accountId);
    const fresh = encryptSecret(this.keys[0]!, newWebhookSecret());
    if (this.readable(row.secret)) {
      await this.webhooks.rotateSecret(accountId, fresh, new Date(Date.now() + this.config.webhooks.secretOverlapSeconds * 1000));
    } else {
      await this.webhooks.resetSecret(accountId, fresh);
    }
    return this.activeSecrets(accountId);
  }

  private async secretRow(accountId: string): Promise<SecretRow> {
    const row = await this.webhooks.secret(accountId);
    if (row) return row;
    await this.webhooks.createSecret(accountId, encryptSecret(this.keys[0]!, newWebhookSecret()));
    return (await this.webhooks.secret(accountId))!;
  }

  private readable(stored: string): boolean {
    try {
      decryptWithAny(this.keys, stored);
      return true;
    } catch {
      return false;
    }
  }

  private read(stored: string): { plaintext: string; index: number } {
    try {
      return decryptWithAny(this.keys, stored);
    } catch (err) {
      if (!(err instanceof UnreadableSecretError)) throw err;
      throw new AppError(
        'conflict',
        'The webhook signing secret cannot be read on this installation (SIGNING_SECRET changed without SIGNING_SECRET_PREVIOUS); rotate it with POST /v1/webhooks/secret/rotate',
      );
    }
  }

  /** `job.completed` or `job.failed`, to its webhook_url and the endpoint, in the transaction that ends the job. */
  private async recordJobEnded(tx: SqlRunner, job: JobEntity): Promise<void> {
    if (job.status !== 'completed' && job.status !== 'failed') return;
    const type: WebhookEvent = job.status === 'completed' ? 'job.completed' : 'job.failed';
    const perRequest = typeof job.input.webhook_url === 'string' ? job.input.webhook_url : null;
    await this.record(tx, job.accountId, type, () => this.jobs.view(job), job.id, perRequest);
  }

  /**
   * `batch.completed`, to the batch's webhook_url and the endpoint, in the transaction of the job
   * that completes the batch; `batch` is asked for only when someone will receive it.
   */
  async recordBatchCompleted(tx: SqlRunner, accountId: string, batch: () => Promise<unknown>, webhookUrl: string | null): Promise<void> {
    await this.record(tx, accountId, 'batch.completed', batch, null, webhookUrl);
  }

  /** `job.progress`, only to an endpoint that opted in; recorded and queued at once (no transaction to join). */
  private async jobProgressed(job: JobEntity): Promise<void> {
    if (job.status !== 'processing') return;
    await this.enqueue(await this.record(undefined, job.accountId, 'job.progress', () => this.jobs.view(job), job.id, null));
  }

  /**
   * Records an event's deliveries (in `q`'s transaction when given), waiting to be queued; returns
   * their ids. Progress is recorded only while its job still runs: it never follows the end.
   */
  private async record(q: SqlRunner | undefined, accountId: string, type: WebhookEvent, data: () => Promise<unknown>, jobId: string | null, perRequest: string | null): Promise<string[]> {
    const urls = deliveryTargets(type, perRequest, await this.webhooks.endpoint(accountId, q));
    if (urls.length === 0) return [];
    const payload = { type, timestamp: new Date().toISOString(), data: await data() };
    const deliveries = urls.map((url) => ({ id: newMessageId(), account_id: accountId, event_type: type, job_id: jobId, url, payload }));
    const whileRunning = type === 'job.progress' ? (jobId ?? undefined) : undefined;
    return (await this.webhooks.insertDeliveries(deliveries, { q, whileRunning })) ? deliveries.map((d) => d.id) : [];
  }

  /** After a job of the account ended: queues what its settlement recorded (and anything else of the account's still waiting). */
  private async sendUnsent(accountId: string): Promise<void> {
    await this.enqueue(await this.webhooks.unsent({ accountId }, UNSENT_BATCH));
  }

  /**
   * The sweep: queues deliveries recorded at least ENQUEUE_GRACE_SECONDS ago and never queued,
   * which a process that died (or lost Redis) between commit and enqueue left behind, at most
   * `batches` batches at a time. Returns how many it queued.
   */
  async sweepUnsent(batches = 10): Promise<number> {
    let queued = 0;
    for (let i = 0; i < batches; i++) {
      const ids = await this.webhooks.unsent({ olderThanSeconds: this.config.worker.enqueueGraceSeconds }, UNSENT_BATCH);
      if (ids.length === 0 || !(await this.enqueue(ids))) break;
      queued += ids.length;
      if (ids.length < UNSENT_BATCH) break;
    }
    if (queued > 0) this.logger.warn(`${queued} webhook deliveries had been recorded but not queued; queued them now`);
    return queued;
  }

  /**
   * Hands deliveries to the queue, each with its own id as the queue's job id (so twice is once),
   * then marks them handed over. Gives up quickly when Redis is away: they stay for the sweep.
   */
  private async enqueue(ids: string[]): Promise<boolean> {
    if (ids.length === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        // One after another, oldest first: the queue starts them in the order they happened.
        (async () => {
          for (const id of ids) await this.queue.enqueueDelivery(id, id, this.maxAttempts);
        })(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('enqueue timed out')), ENQUEUE_TIMEOUT_MS))),
      ]);
    } catch (err) {
      this.logger.warn(`${ids.length} webhook deliveries recorded but not queued (${(err as Error).message}); the sweeper will queue them`);
      return false;
    } finally {
      clearTimeout(timer);
    }
    await this.webhooks.markEnqueued(ids);
    return true;
  }

  /** Retention: deletes finished deliveries and their attempts past WEBHOOK_RETENTION_DAYS, in bounded batches. Returns how many. */
  async deleteExpired(batchSize: number, batches: number): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < batches; i++) {
      const n = await this.webhooks.deleteFinishedOlderThan(this.config.retention.webhookDays, batchSize);
      deleted += n;
      if (n < batchSize) break;
    }
    return deleted;
  }

  /**
   * One attempt at a delivery: signed with every active secret, 2xx within the timeout is
   * success, redirects are not followed. `attempt` counts from 1; the last one fails for good.
   */
  async attempt(deliveryId: string, attempt: number): Promise<AttemptOutcome> {
    const delivery = await this.webhooks.delivery(deliveryId);
    if (!delivery || delivery.status !== 'pending') return 'skipped';
    const { status } = await this.sendAndRecord(delivery, (ok) => {
      const delay = ok ? null : retryDelayMs(this.config.webhooks.retryScheduleSeconds, attempt, () => jitterFor(`${deliveryId}:${attempt}`));
      return { status: ok ? 'delivered' : delay === null ? 'failed' : 'pending', nextAttemptAt: delay === null ? null : new Date(Date.now() + delay) };
    });
    return status === 'pending' ? 'retry' : status;
  }

  /** Sends a `webhook.test` event now, once, and reports what the receiver answered. */
  async test(accountId: string, url: string | undefined): Promise<Record<string, unknown>> {
    const target = url ?? (await this.webhooks.endpoint(accountId))?.url;
    if (!target) throw new AppError('not_found', 'No webhook endpoint is set; give a url or PUT /v1/webhooks/endpoint');
    await this.guard.check(target);
    const id = newMessageId();
    const payload = { type: 'webhook.test', timestamp: new Date().toISOString(), data: { account_id: accountId, message: 'A test event from Mediary' } };
    // Sent right here, never queued.
    await this.webhooks.insertDeliveries([{ id, account_id: accountId, event_type: 'webhook.test', job_id: null, url: target, payload }], { enqueued: true });
    const delivery = (await this.webhooks.delivery(id))!;
    const { result, status } = await this.sendAndRecord(delivery, (ok) => ({ status: ok ? 'delivered' : 'failed', nextAttemptAt: null }));
    return { delivery_id: id, delivered: status === 'delivered', status_code: result.statusCode, latency_ms: result.latencyMs, response_excerpt: result.excerpt, error: result.error };
  }

  /** Sends a delivery once and records the attempt with the status `after` gives it. */
  private async sendAndRecord(
    delivery: DeliveryRow,
    after: (ok: boolean) => { status: DeliveryStatus; nextAttemptAt: Date | null },
  ): Promise<{ result: PostResult; status: DeliveryStatus }> {
    const at = new Date();
    const body = JSON.stringify(delivery.payload);
    const secrets = await this.activeSecrets(delivery.account_id).catch((err: unknown) => {
      if (err instanceof AppError) return err;
      throw err;
    });
    // Unsigned it would be worthless to the receiver, and no retry can fix it: it fails, saying why.
    const unsigned = secrets instanceof AppError;
    const result: PostResult = unsigned
      ? { statusCode: null, latencyMs: 0, excerpt: null, error: secrets.message }
      : await this.http.post(delivery.url, {
          'content-type': 'application/json',
          'user-agent': 'Mediary-Webhooks/1.0',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signatureHeader(secrets.all, delivery.id, at, body),
        }, body);
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const { status, nextAttemptAt } = unsigned ? { status: 'failed' as const, nextAttemptAt: null } : after(ok);
    await this.webhooks.recordAttempt(
      { delivery_id: delivery.id, attempted_at: at, status_code: result.statusCode, latency_ms: result.latencyMs, response_excerpt: result.excerpt, error: result.error },
      status,
      nextAttemptAt,
    );
    return { result, status };
  }

  async retry(accountId: string, deliveryId: string): Promise<Record<string, unknown>> {
    const delivery = await this.webhooks.delivery(deliveryId);
    if (!delivery || delivery.account_id !== accountId) throw new AppError('not_found', 'No such delivery');
    if (delivery.status === 'pending') throw new AppError('conflict', 'This delivery is already scheduled');
    await this.webhooks.reopen(deliveryId);
    await this.queue.enqueueDelivery(deliveryId, `${deliveryId}:retry:${delivery.attempt_count}`, this.maxAttempts);
    return (await this.page(accountId, {}, undefined, 1, deliveryId)).data[0]!;
  }

  async page(
    accountId: string,
    filters: { jobId?: string; status?: DeliveryStatus },
    cursor: string | undefined,
    limit: number,
    onlyId?: string,
  ): Promise<{ data: Array<Record<string, unknown>>; next_cursor: string | null }> {
    if (filters.jobId && !UUID.test(filters.jobId)) throw new AppError('validation_failed', 'job_id must be a UUID');
    const rows = onlyId
      ? [(await this.webhooks.delivery(onlyId))!]
      : await this.webhooks.listDeliveries(accountId, filters, readTimeIdCursor(cursor), limit + 1);
    const { rows: page, next_cursor } = toPage(rows, limit, (d) => [d.created_at.toISOString(), d.id]);
    const attempts = await this.webhooks.attempts(page.map((r) => r.id));
    return {
      data: page.map((d) => ({
        id: d.id,
        event_type: d.event_type,
        job_id: d.job_id,
        url: d.url,
        status: d.status,
        attempt_count: d.attempt_count,
        last_status_code: d.last_status_code,
        next_attempt_at: d.next_attempt_at?.toISOString() ?? null,
        created_at: d.created_at.toISOString(),
        delivered_at: d.delivered_at?.toISOString() ?? null,
        attempts: attempts
          .filter((a) => a.delivery_id === d.id)
          .map((a) => ({
            attempted_at: a.attempted_at.toISOString(),
            status_code: a.status_code,
            latency_ms: a.latency_ms,
            response_excerpt: a.response_excerpt,
            error: a.error,
          })),
      })),
      next_cursor,
    };
  }
}
