import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { toSafeInteger } from '../../platform/database/numbers.js';
import { rows } from '../../platform/database/sql.js';
import { usageSql, type UsageGroup } from './usage.js';

export interface UsageRow {
  key: string | null;
  jobs: number;
  charged: number;
  refunded: number;
}

/** Reads of what an account spent, for its usage report (see usage.ts and the usage migration). */
@Injectable()
export class UsageRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  usage(accountId: string, group: UsageGroup, from: Date, to: Date): Promise<UsageRow[]> {
    return rows(this.db, usageSql(group), [accountId, from, to], (r) => ({
      key: (r.key as string | null) ?? null,
      jobs: toSafeInteger(r.jobs as string),
      charged: toSafeInteger(r.charged as string),
      refunded: toSafeInteger(r.refunded as string),
    }));
  }
}
