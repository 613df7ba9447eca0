import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { SCOPES, type Scope } from '../../../platform/http/scopes.js';
import { USAGE_GROUPS, type UsageGroup } from '../usage.js';

export class AccountDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Credits available' }) balance: number;
  @ApiProperty({ description: 'Credits a refunded or disputed purchase took back after they were spent; while above 0, paid requests answer 402 `credits_owed`, and credits bought or granted pay it first' })
  credits_owed: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class LedgerEntryDto {
  @ApiProperty() id: number;
  @ApiProperty({ description: 'Credits; negative for charges' }) amount: number;
  @ApiProperty({ enum: ['grant', 'purchase', 'charge', 'refund', 'reversal'], description: '`reversal`: credits a refunded or disputed purchase took back, or credits owed paid' }) kind: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) job_id: string | null;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty() balance_after: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class LedgerPageDto {
  @ApiProperty({ type: [LedgerEntryDto] }) data: LedgerEntryDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

const SCOPES_DOC =
  '`jobs:write` (spend credits: /v1/info, submitting jobs and batches, uploads, canceling and deleting jobs), ' +
  '`jobs:read` (jobs, their events, outputs, transcripts, comments, batches, fingerprint compare and search), ' +
  '`account:read` (balance, ledger, usage), `keys:manage` (API keys; the webhook endpoint, secret and deliveries), ' +
  '`billing` (packs, checkout, payments)';

/** The largest monthly credit limit (a Postgres integer). */
const MAX_LIMIT = 2_147_483_647;

/** An optional list of scopes, each known and once (minting and changing a key). */
const ScopesField = (example: Scope[], description: string) =>
  applyDecorators(
    ApiPropertyOptional({ enum: SCOPES, isArray: true, uniqueItems: true, minItems: 1, example, description }),
    IsOptional(), IsArray(), ArrayMinSize(1), ArrayMaxSize(SCOPES.length), ArrayUnique(), IsIn(SCOPES, { each: true }),
  );

/** An optional monthly credit limit: a whole number of credits, or null for none. */
const MonthlyLimitField = (example: number, description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, maximum: MAX_LIMIT, example, description }),
    IsOptional(), ValidateIf((_, v) => v !== null), IsInt(), Min(0), Max(MAX_LIMIT),
  );

export class CreateKeyDto {
  @ApiPropertyOptional({ description: 'A label for the key', example: 'ci-pipeline' })
  @IsOptional() @IsString() @MaxLength(100)
  name?: string;

  @ScopesField(['jobs:write', 'jobs:read'], `What the key may do; default every scope. ${SCOPES_DOC}. A key can only grant scopes it holds itself (403 \`forbidden\`).`)
  scopes?: Scope[];

  @MonthlyLimitField(
    500,
    'Credits the key may spend per calendar month (UTC), refunds deducted; past it, paid requests made with the key answer 402 `key_limit_reached`. ' +
      'Default (or null): no limit. A key with a limit can only mint keys with a limit no higher.',
  )
  monthly_credit_limit?: number | null;
}

/** What changes of a key; what is left out stays as it is. */
export class UpdateKeyDto {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'A new label (null: none)', example: 'ci-pipeline' })
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(100)
  name?: string | null;

  @ScopesField(['jobs:read'], `The key's scopes from now on, replacing its own. ${SCOPES_DOC}. The key making the change can only set scopes it holds itself (403 \`forbidden\`).`)
  scopes?: Scope[];

  @MonthlyLimitField(
    1000,
    'Credits the key may spend per calendar month (UTC), refunds deducted, counting what it already spent this month; null: no limit. ' +
      'A key with a limit can only set a limit no higher on any key.',
  )
  monthly_credit_limit?: number | null;
}

export class KeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiPropertyOptional({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ example: 'mdy_live_' }) prefix: string;
  @ApiProperty({ example: 'x9Qa', description: 'Last four characters of the key' }) last4: string;
  @ApiProperty({ enum: SCOPES, isArray: true, description: `What the key may do: ${SCOPES_DOC}` }) scopes: Scope[];
  @ApiProperty({ type: 'integer', nullable: true, description: 'Credits the key may spend per calendar month (UTC); null is no limit' })
  monthly_credit_limit: number | null;
  @ApiProperty({ type: 'integer', description: 'Credits the key spent this calendar month (UTC), refunds deducted' }) spent_this_month: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revoked_at: string | null;
}

export class CreatedKeyDto extends KeyDto {
  @ApiProperty({ description: 'The key itself. Shown only in this response; store it now.', example: 'mdy_live_…' })
  key: string;
}

export class KeyListDto {
  @ApiProperty({ type: [KeyDto] }) data: KeyDto[];
}

export class UsageQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Start, inclusive (a date or date-time; default: 30 days before `to`)', example: '2026-11-01T00:00:00Z' })
  @IsOptional() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'End, exclusive (default: now). At most 366 days after `from`.', example: '2026-12-01T00:00:00Z' })
  @IsOptional() @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: USAGE_GROUPS, default: 'day', description: 'One row per UTC day, per operation, or per platform' })
  @IsOptional() @IsIn(USAGE_GROUPS)
  group_by?: UsageGroup;
}

export class UsageTotalsDto {
  @ApiProperty({ description: 'Jobs created in the range (synchronous requests such as /v1/info are charges without a job)' }) jobs: number;
  @ApiProperty({ description: 'Credits charged' }) credits_charged: number;
  @ApiProperty({ description: 'Credits refunded (failed or canceled jobs, unused reservations)' }) credits_refunded: number;
  @ApiProperty({ description: 'charged − refunded' }) credits_net: number;
}

export class UsageRowDto extends UsageTotalsDto {
  @ApiPropertyOptional({ description: 'With group_by=day: the UTC day', example: '2026-11-30' }) day?: string;
  @ApiPropertyOptional({ description: 'With group_by=operation: the job type, or the synchronous request (`info`)', example: 'download' }) operation?: string;
  @ApiPropertyOptional({ description: 'With group_by=platform: the site (null when unknown, e.g. uploads and synchronous requests)', nullable: true, type: String, example: 'youtube' })
  platform?: string | null;
}

export class UsageDto {
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ enum: USAGE_GROUPS }) group_by: string;
  @ApiProperty({ type: [UsageRowDto] }) data: UsageRowDto[];
  @ApiProperty({ type: UsageTotalsDto }) totals: UsageTotalsDto;
}
