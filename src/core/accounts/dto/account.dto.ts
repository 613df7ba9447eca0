import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
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

export class CreateKeyDto {
  @ApiPropertyOptional({ description: 'A label for the key', example: 'ci-pipeline' })
  @IsOptional() @IsString() @MaxLength(100)
  name?: string;
}

export class KeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiPropertyOptional({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ example: 'mdy_live_' }) prefix: string;
  @ApiProperty({ example: 'x9Qa', description: 'Last four characters of the key' }) last4: string;
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
