import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERRORS, type ErrorCode } from '../../errors.js';
import { SCOPES, type Scope } from './scopes.js';

export class FieldErrorDto {
  @ApiProperty({ example: 'trim.end', description: 'The field, as a path into the request (`items[2].url` in a batch)' }) field: string;
  @ApiProperty({ example: 'trim.end must be greater than trim.start' }) message: string;
}

/** RFC 9457 problem details with a stable `code`, and the members some codes add. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:mediary:error:insufficient_credits', description: '`urn:mediary:error:<code>`' }) type: string;
  @ApiProperty({ example: 'Insufficient credits' }) title: string;
  @ApiProperty({ type: 'integer', example: 402 }) status: number;
  @ApiProperty({ example: 'This request costs 3 credits; the account has 1' }) detail: string;
  @ApiProperty({ enum: Object.keys(ERRORS), example: 'insufficient_credits', description: 'Stable machine-readable code; branch on this' }) code: ErrorCode;
  @ApiPropertyOptional({ example: '/v1/transcribe', description: 'The path the request was for' }) instance?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'insufficient_credits: credits required' }) required?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'insufficient_credits: credits available' }) available?: number;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'validation_failed: one entry per invalid field' }) errors?: FieldErrorDto[];
  @ApiPropertyOptional({ format: 'uuid', description: 'internal_error: quote it when reporting the problem' }) error_id?: string;
  @ApiPropertyOptional({ type: [String], example: ['en-es', 'es-en'], description: 'unsupported_language: the languages (or `source-target` pairs) this installation handles' })
  supported?: string[];
  @ApiPropertyOptional({ type: 'integer', description: 'file_too_large for an upload past the account’s upload storage: the quota in MB' }) quota_mb?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'credits_owed: the credits a refunded or disputed purchase left owing' }) owed?: number;
  @ApiPropertyOptional({ enum: SCOPES, description: 'forbidden: the scope the API key lacks' }) scope?: Scope;
  @ApiPropertyOptional({ type: 'integer', description: 'key_limit_reached: the key’s monthly credit limit' }) limit?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'key_limit_reached: the credits the key has spent this month (UTC), refunds deducted' }) spent?: number;
}
