import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { readTimeIdCursor, toPage } from '../../platform/http/pagination.js';
import { UUID } from '../../platform/ids.js';
import { QueueRepository } from '../../platform/tools/queue.repository.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';
import { WebhookHttpRepository, type PostResult } from '../../platform/tools/webhook-http.repository.js';
import { JobLifecycleService } from '../jobs/job-lifecycle.service.js';
import type { JobEntity } from '../jobs/job.entity.js';
import { JobsService } from '../jobs/jobs.service.js';
import { DEFAULT_WEBHOOK_EVENTS, type WebhookEvent } from './webhook-events.js';
import {
  decryptWithAny, encryptSecret, jitterFor, newMessageId, newWebhookSecret, retryDelayMs, secretKey, signatureHeader, UnreadableSecretError,
} from './webhook-signing.js';
import { WebhookRepository, type DeliveryRow, type DeliveryStatus, type EndpointRow, type SecretRow } from './webhook.repository.js';

export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'skipped';

/**
 * Standard Webhooks for an account: the endpoint and secret, the events a job produces, and
 * each delivery attempt. Deliveries are recorded before they are queued, and a job's outcome is
 * committed before its event is created, so a webhook never holds up or fails a job.
 */
@Injectable()
export class WebhooksService implements OnModuleInit {
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
    this.lifecycle.onEnded('webhook', (job) => this.jobEnded(job));
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

  /** `job.completed` or `job.failed` for a job that just ended, to its webhook_url and the endpoint. */
  private async jobEnded(job: JobEntity): Promise<void> {
    if (job.status !== 'completed' && job.status !== 'failed') return;
    const type: WebhookEvent = job.status === 'completed' ? 'job.completed' : 'job.failed';
    const perRequest = typeof job.input.webhook_url === 'string' ? job.input.webhook_url : null;
    await this.emit(job.accountId, type, await this.jobs.view(job), job.id, perRequest);
  }

  /** `batch.completed`, to the batch's webhook_url and the endpoint. */
  async batchCompleted(accountId: string, batch: unknown, webhookUrl: string | null): Promise<void> {
    await this.emit(accountId, 'batch.completed', batch, null, webhookUrl);
  }

  /** `job.progress`, only to an endpoint that opted in. */
  private async jobProgressed(job: JobEntity): Promise<void> {
    if (job.status === 'processing') await this.emit(job.accountId, 'job.progress', await this.jobs.view(job), job.id, null);
  }

  private async emit(accountId: string, type: WebhookEvent, data: unknown, jobId: string | null, perRequest: string | null): Promise<void> {
    const endpoint = await this.webhooks.endpoint(accountId);
    const urls = new Set<string>();
    if (perRequest && type !== 'job.progress') urls.add(perRequest);
    if (endpoint?.events.includes(type)) urls.add(endpoint.url);
    const payload = { type, timestamp: new Date().toISOString(), data };
    for (const url of urls) {
      const id = newMessageId();
      await this.webhooks.insertDelivery({ id, account_id: accountId, event_type: type, job_id: jobId, url, payload });
      await this.queue.enqueueDelivery(id, id, this.maxAttempts);
    }
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
    await this.webhooks.insertDelivery({ id, account_id: accountId, event_type: 'webhook.test', job_id: null, url: target, payload });
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
