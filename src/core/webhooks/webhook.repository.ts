import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { firstRow, rows, type Queryable, type Row } from '../../platform/database/sql.js';
import type { WebhookEvent } from './webhook-events.js';

export interface EndpointRow {
  url: string;
  events: WebhookEvent[];
  created_at: Date;
  updated_at: Date;
}

export interface SecretRow {
  secret: string;
  previous_secret: string | null;
  previous_expires_at: Date | null;
  rotated_at: Date | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryRow {
  id: string;
  account_id: string;
  event_type: string;
  job_id: string | null;
  url: string;
  payload: Record<string, unknown>;
  status: DeliveryStatus;
  attempt_count: number;
  last_status_code: number | null;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
  delivered_at: Date | null;
}

export type NewDelivery = Pick<DeliveryRow, 'id' | 'account_id' | 'event_type' | 'job_id' | 'url' | 'payload'>;

export interface AttemptRow {
  delivery_id: string;
  attempted_at: Date;
  status_code: number | null;
  latency_ms: number;
  response_excerpt: string | null;
  error: string | null;
}

const endpointRow = (r: Row): EndpointRow => ({
  url: r.url as string,
  events: r.events as WebhookEvent[],
  created_at: r.created_at as Date,
  updated_at: r.updated_at as Date,
});

const secretRow = (r: Row): SecretRow => ({
  secret: r.secret as string,
  previous_secret: r.previous_secret as string | null,
  previous_expires_at: r.previous_expires_at as Date | null,
  rotated_at: r.rotated_at as Date | null,
});

const deliveryRow = (r: Row): DeliveryRow => ({
  id: r.id as string,
  account_id: r.account_id as string,
  event_type: r.event_type as string,
  job_id: r.job_id as string | null,
  url: r.url as string,
  payload: r.payload as Record<string, unknown>,
  status: r.status as DeliveryStatus,
  attempt_count: r.attempt_count as number,
  last_status_code: r.last_status_code as number | null,
  next_attempt_at: r.next_attempt_at as Date | null,
  created_at: r.created_at as Date,
  updated_at: r.updated_at as Date,
  delivered_at: r.delivered_at as Date | null,
});

const attemptRow = (r: Row): AttemptRow => ({
  delivery_id: r.delivery_id as string,
  attempted_at: r.attempted_at as Date,
  status_code: r.status_code as number | null,
  latency_ms: r.latency_ms as number,
  response_excerpt: r.response_excerpt as string | null,
  error: r.error as string | null,
});

/** Webhook endpoints, secrets (stored encrypted), deliveries and their attempts. */
@Injectable()
export class WebhookRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  endpoint(accountId: string, q: Queryable = this.db): Promise<EndpointRow | null> {
    return firstRow(q, 'SELECT url, events, created_at, updated_at FROM webhook_endpoints WHERE account_id = $1', [accountId], endpointRow);
  }

  async putEndpoint(accountId: string, url: string, events: WebhookEvent[]): Promise<EndpointRow> {
    const row = await firstRow(
      this.db,
      `INSERT INTO webhook_endpoints (account_id, url, events) VALUES ($1, $2, $3)
       ON CONFLICT (account_id) DO UPDATE SET url = $2, events = $3, updated_at = now()
       RETURNING url, events, created_at, updated_at`,
      [accountId, url, events],
      endpointRow,
    );
    return row!;
  }

  async deleteEndpoint(accountId: string): Promise<boolean> {
    return (await rows(this.db, 'DELETE FROM webhook_endpoints WHERE account_id = $1 RETURNING 1', [accountId], () => true)).length > 0;
  }

  secret(accountId: string): Promise<SecretRow | null> {
    return firstRow(this.db, 'SELECT secret, previous_secret, previous_expires_at, rotated_at FROM webhook_secrets WHERE account_id = $1', [accountId], secretRow);
  }

  /** Stores a first secret unless one exists (concurrent first uses agree on one). */
  async createSecret(accountId: string, encrypted: string): Promise<void> {
    await this.db.query('INSERT INTO webhook_secrets (account_id, secret) VALUES ($1, $2) ON CONFLICT DO NOTHING', [accountId, encrypted]);
  }

  async rotateSecret(accountId: string, encrypted: string, previousExpiresAt: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO webhook_secrets (account_id, secret) VALUES ($1, $2)
       ON CONFLICT (account_id) DO UPDATE SET previous_secret = webhook_secrets.secret,
         previous_expires_at = $3, secret = $2, rotated_at = now()`,
      [accountId, encrypted, previousExpiresAt],
    );
  }

  /** A secret that cannot be read any more is replaced outright, with no overlap. */
  async resetSecret(accountId: string, encrypted: string): Promise<void> {
    await this.db.query(
      `UPDATE webhook_secrets SET secret = $2, previous_secret = NULL, previous_expires_at = NULL, rotated_at = now() WHERE account_id = $1`,
      [accountId, encrypted],
    );
  }

  /** The same secrets encrypted under the current key, unless the row changed meanwhile. */
  async reencrypt(accountId: string, was: string, secret: string, previous: string | null): Promise<void> {
    await this.db.query('UPDATE webhook_secrets SET secret = $3, previous_secret = $4 WHERE account_id = $1 AND secret = $2', [accountId, was, secret, previous]);
  }

  /**
   * Records deliveries, in the caller's transaction when it gives one (the outbox: they commit or
   * vanish with what they announce). `enqueued` marks them as handed to the queue already (a test
   * event sent at once); otherwise they wait in the outbox for `markEnqueued`. `whileRunning`
   * records nothing once that job has ended (progress must not follow the end). Returns whether
   * they were recorded.
   */
  async insertDeliveries(deliveries: NewDelivery[], opts: { q?: Queryable; enqueued?: boolean; whileRunning?: string } = {}): Promise<boolean> {
    if (deliveries.length === 0) return false;
    const inserted = await rows(
      opts.q ?? this.db,
      `INSERT INTO webhook_deliveries (id, account_id, event_type, job_id, url, payload, enqueued_at)
       SELECT d.id, d.account_id, d.event_type, d.job_id, d.url, d.payload, CASE WHEN $7 THEN now() END
       FROM unnest($1::text[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::jsonb[]) AS d(id, account_id, event_type, job_id, url, payload)
       WHERE $8::uuid IS NULL OR EXISTS (SELECT 1 FROM jobs WHERE id = $8 AND status = 'processing')
       RETURNING 1`,
      [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.account_id),
        deliveries.map((d) => d.event_type),
        deliveries.map((d) => d.job_id),
        deliveries.map((d) => d.url),
        deliveries.map((d) => JSON.stringify(d.payload)),
        opts.enqueued ?? false,
        opts.whileRunning ?? null,
      ],
      () => true,
    );
    return inserted.length > 0;
  }

  /**
   * Deliveries recorded but not yet handed to the queue, oldest first: an account's (right after
   * its job ended), or everyone's written at least `olderThanSeconds` ago (what a crash or a Redis
   * outage between commit and enqueue left behind).
   */
  unsent(filter: { accountId: string } | { olderThanSeconds: number }, limit: number): Promise<string[]> {
    const [where, param] =
      'accountId' in filter ? ['account_id = $1', filter.accountId] : ['created_at < now() - make_interval(secs => $1)', filter.olderThanSeconds];
    return rows(this.db, `SELECT id FROM webhook_deliveries WHERE enqueued_at IS NULL AND ${where} ORDER BY created_at LIMIT $2`, [param, limit], (r) => r.id as string);
  }

  async markEnqueued(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query('UPDATE webhook_deliveries SET enqueued_at = now() WHERE id = ANY($1) AND enqueued_at IS NULL', [ids]);
  }

  /**
   * Retention: deletes up to `limit` finished deliveries (delivered or failed; never one still
   * being retried) created more than `days` ago, with their attempts. Returns how many went.
   */
  async deleteFinishedOlderThan(days: number, limit: number): Promise<number> {
    const deleted = await rows(
      this.db,
      `WITH old AS (
         SELECT id FROM webhook_deliveries WHERE created_at < now() - make_interval(days => $1) AND status <> 'pending'
         ORDER BY created_at LIMIT $2
       ), attempts AS (
         DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM old)
       )
       DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM old) RETURNING 1`,
      [days, limit],
      () => true,
    );
    return deleted.length;
  }

  delivery(id: string): Promise<DeliveryRow | null> {
    return firstRow(this.db, 'SELECT * FROM webhook_deliveries WHERE id = $1', [id], deliveryRow);
  }

  async recordAttempt(a: AttemptRow, status: DeliveryStatus, nextAttemptAt: Date | null): Promise<void> {
    await this.db.query(
      `WITH attempt AS (
         INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, response_excerpt, error)
         VALUES ($1, $2, $3, $4, $5, $6)
       )
       UPDATE webhook_deliveries SET status = $7, attempt_count = attempt_count + 1, last_status_code = $3,
         next_attempt_at = $8, updated_at = now(), delivered_at = CASE WHEN $7 = 'delivered' THEN now() ELSE delivered_at END
       WHERE id = $1`,
      [a.delivery_id, a.attempted_at, a.status_code, a.latency_ms, a.response_excerpt, a.error, status, nextAttemptAt],
    );
  }

  async reopen(id: string): Promise<void> {
    await this.db.query(`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), updated_at = now() WHERE id = $1`, [id]);
  }

  async listDeliveries(
    accountId: string,
    filters: { jobId?: string; status?: DeliveryStatus },
    cursor: { createdAt: string; id: string } | null,
    limit: number,
  ): Promise<DeliveryRow[]> {
    const where = ['account_id = $1'];
    const params: unknown[] = [accountId];
    if (filters.jobId) where.push(`job_id = $${params.push(filters.jobId)}`);
    if (filters.status) where.push(`status = $${params.push(filters.status)}`);
    if (cursor) where.push(`(created_at, id) < ($${params.push(cursor.createdAt)}::timestamptz, $${params.push(cursor.id)})`);
    params.push(limit);
    return rows(
      this.db,
      `SELECT * FROM webhook_deliveries WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
      deliveryRow,
    );
  }

  async attempts(deliveryIds: string[]): Promise<AttemptRow[]> {
    if (deliveryIds.length === 0) return [];
    return rows(
      this.db,
      'SELECT delivery_id, attempted_at, status_code, latency_ms, response_excerpt, error FROM webhook_attempts WHERE delivery_id = ANY($1) ORDER BY id',
      [deliveryIds],
      attemptRow,
    );
  }
}
