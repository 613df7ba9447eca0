import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ProblemDto {
  @ApiProperty({ example: 'urn:mediary:error:insufficient_credits' }) type: string;
  @ApiProperty({ example: 'Insufficient credits' }) title: string;
  @ApiProperty({ example: 402 }) status: number;
  @ApiProperty({ example: 'Insufficient credits' }) detail: string;
  @ApiProperty({ example: 'insufficient_credits', description: 'Stable machine-readable code; branch on this' }) code: string;
  @ApiPropertyOptional({ description: 'insufficient_credits: credits required' }) required?: number;
  @ApiPropertyOptional({ description: 'insufficient_credits: credits available' }) available?: number;
  @ApiPropertyOptional({ description: 'validation_failed: one entry per invalid field', type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } })
  errors?: Array<{ field: string; message: string }>;
  @ApiPropertyOptional({ description: 'internal_error: quote it when reporting the problem' }) error_id?: string;
}
