import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError } from '../../errors.js';
import { UUID } from '../ids.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (`next_cursor`)' })
  @IsOptional() @IsString() @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200)
  limit?: number;
}

export type CursorKey = Array<string | number>;

/** The sort key a client's cursor carries; a cursor that is not one of ours is a 422, never a 500. */
export function readCursor(cursor: string | undefined, arity: number, valid: (parts: CursorKey) => boolean): CursorKey | null {
  if (cursor === undefined) return null;
  const parts = decodeCursor(cursor, arity);
  if (!parts || !valid(parts)) throw new AppError('validation_failed', 'cursor is not valid', { errors: [{ field: 'cursor', message: 'is not a cursor from this list' }] });
  return parts;
}

/** A (created_at, id) cursor, the key of every list ordered newest first. */
export function readTimeIdCursor(cursor: string | undefined): { createdAt: string; id: string } | null {
  const parts = readCursor(cursor, 2, ([at, id]) => typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string' && UUID.test(id));
  return parts ? { createdAt: parts[0] as string, id: parts[1] as string } : null;
}

/**
 * One page from `limit + 1` rows fetched in list order: the first `limit`, and a cursor for the
 * next page when there is one.
 */
export function toPage<R>(rows: R[], limit: number, keyOf: (row: R) => CursorKey): { rows: R[]; next_cursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, next_cursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
