import { DataSource, type DataSourceOptions } from 'typeorm';
import { InitialSchema1763800000000 } from '../../../migrations/1763800000000-initial-schema.js';
import { Webhooks1763900000000 } from '../../../migrations/1763900000000-webhooks.js';
import { Uploads1764000000000 } from '../../../migrations/1764000000000-uploads.js';
import { Batches1764100000000 } from '../../../migrations/1764100000000-batches.js';
import { Transcripts1764200000000 } from '../../../migrations/1764200000000-transcripts.js';
import { JobCommitments1764300000000 } from '../../../migrations/1764300000000-job-commitments.js';
import { OutboxRetention1764400000000 } from '../../../migrations/1764400000000-outbox-retention.js';
import { Fingerprints1764500000000 } from '../../../migrations/1764500000000-fingerprints.js';
import { Comments1764600000000 } from '../../../migrations/1764600000000-comments.js';
import { Billing1764700000000 } from '../../../migrations/1764700000000-billing.js';
import { Usage1764700000001 } from '../../../migrations/1764700000001-usage.js';
import { KeyScopes1764800000000 } from '../../../migrations/1764800000000-key-scopes.js';
import { FingerprintCovering1764800000001 } from '../../../migrations/1764800000001-fingerprint-covering.js';

export const MIGRATIONS = [
  InitialSchema1763800000000, Webhooks1763900000000, Uploads1764000000000, Batches1764100000000, Transcripts1764200000000,
  JobCommitments1764300000000, OutboxRetention1764400000000, Fingerprints1764500000000, Comments1764600000000,
  Billing1764700000000, Usage1764700000001, KeyScopes1764800000000, FingerprintCovering1764800000001,
];

/**
 * `queryTimeoutMs` bounds each statement on the client side (the service, not migrations): a
 * database that hangs without closing its connections then fails the request (503) instead of
 * holding it. A transaction whose statement timed out is rolled back on the same connection,
 * behind that statement, so what the caller was told was not charged never commits.
 */
export function dataSourceOptions(url: string, queryTimeoutMs?: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    // Entities are registered by the modules that own them (TypeOrmModule.forFeature + autoLoadEntities).
    entities: [],
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    // A request waits at most this long for a pooled connection; then it is a 503, never a hang.
    extra: { max: 20, connectionTimeoutMillis: 5000, ...(queryTimeoutMs ? { query_timeout: queryTimeoutMs } : {}) },
  };
}

export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}
