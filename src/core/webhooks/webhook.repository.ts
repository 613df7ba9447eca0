import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type WebhookEvent } from './webhook-events.js';


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

export interface AttemptRow {
  delivery_id: string;
  attempted_at: Date;
  status_code: number | null;
  latency_ms: number;
  response_excerpt: string | null;
  error: string | null;
}

/** Webhook endpoints, secrets (stored encrypted), deliveries and their attempts. */
@Injectable()
export class WebhookRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async endpoint(accountId: string): Promise<EndpointRow | null> {
    const rows = (await this.db.query('SELECT url, events, created_at, updated_at FROM webhook_endpoints WHERE account_id = $1', [accountId])) as EndpointRow[];
    return rows[0] ?? null;
  }

  async putEndpoint(accountId: string, url: string, events: WebhookEvent[]): Promise<EndpointRow> {
    const rows = (await this.db.query(
      `INSERT INTO webhook_endpoints (account_id, url, events) VALUES ($1, $2, $3)
       ON CONFLICT (account_id) DO UPDATE SET url = $2, events = $3, updated_at = now()
       RETURNING url, events, created_at, updated_at`,
      [accountId, url, events],
    )) as EndpointRow[];
    return rows[0]!;
  }

  async deleteEndpoint(accountId: string): Promise<boolean> {
    const [, count] = (await this.db.query('DELETE FROM webhook_endpoints WHERE account_id = $1', [accountId])) as [unknown, number];
    return count > 0;
  }

  async secret(accountId: string): Promise<SecretRow | null> {
    const rows = (await this.db.query(
      'SELECT secret, previous_secret, previous_expires_at, rotated_at FROM webhook_secrets WHERE account_id = $1',
      [accountId],
    )) as SecretRow[];
    return rows[0] ?? null;
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

  async insertDelivery(d: Pick<DeliveryRow, 'id' | 'account_id' | 'event_type' | 'job_id' | 'url' | 'payload'>): Promise<void> {
    await this.db.query(
      `INSERT INTO webhook_deliveries (id, account_id, event_type, job_id, url, payload) VALUES ($1, $2, $3, $4, $5, $6)`,
      [d.id, d.account_id, d.event_type, d.job_id, d.url, JSON.stringify(d.payload)],
    );
  }

  async delivery(id: string): Promise<DeliveryRow | null> {
    const rows = (await this.db.query('SELECT * FROM webhook_deliveries WHERE id = $1', [id])) as DeliveryRow[];
    return rows[0] ?? null;
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
    return (await this.db.query(
      `SELECT * FROM webhook_deliveries WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as DeliveryRow[];
  }

  async attempts(deliveryIds: string[]): Promise<AttemptRow[]> {
    if (deliveryIds.length === 0) return [];
    return (await this.db.query(
      'SELECT delivery_id, attempted_at, status_code, latency_ms, response_excerpt, error FROM webhook_attempts WHERE delivery_id = ANY($1) ORDER BY id',
      [deliveryIds],
    )) as AttemptRow[];
  }
}
