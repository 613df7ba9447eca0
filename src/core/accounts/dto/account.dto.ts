import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

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
