import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { OFFSET_MAX } from './list-page.js';

/** Query integers in plain decimal only: `1e1`, `0x10` or `10.0` stay strings and fail `@IsInt`. */
export const toIntParam = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d{1,10}$/.test(value) ? Number(value) : value;

/**
 * Room for the longest cursor minted: a 200-character title of control characters, each written
 * `\u0001` in the cursor's JSON, is 1,650 characters once encoded and signed.
 */
const CURSOR_MAX_LENGTH = 2048;

/** Substring searches need three characters: the trigram indexes that serve them need one trigram. */
export const SEARCH_MIN_LENGTH = 3;

export class PaginationQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Items per page' })
  @Transform(toIntParam)
  @Max(100)
  @Min(1)
  @IsInt()
  limit: number = 20;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: OFFSET_MAX,
    default: 0,
    description: `Items to skip before the page, for short jumps (at most ${OFFSET_MAX}); further pages are reached by \`cursor\`. Not with \`cursor\`.`,
  })
  @Transform(toIntParam)
  @Max(OFFSET_MAX, { message: `must not be greater than ${OFFSET_MAX}: page further with cursor (Link: rel="next", X-Next-Cursor)` })
  @Min(0)
  @IsInt()
  offset: number = 0;

  @ApiPropertyOptional({
    description:
      'Where the page starts: the `X-Next-Cursor` of the previous page (the `cursor` of its `Link: rel="next"`), sent with the same filters, `q` and `sort`. Opaque; a cursor altered or from another query is a 422.',
    maxLength: CURSOR_MAX_LENGTH,
  })
  @IsOptional()
  @ValidateBy({
    name: 'notWithOffset',
    validator: {
      validate: (_cursor, args) => (args?.object as PaginationQueryDto).offset === 0,
      defaultMessage: () => 'cannot be combined with offset: the cursor holds the position',
    },
  })
  @MaxLength(CURSOR_MAX_LENGTH)
  @IsString()
  cursor?: string;
}

/** Query-string booleans: only the words `true` and `false` are accepted. */
export const toBooleanParam = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** Escapes LIKE wildcards so a search term matches literally. */
export function likeContains(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
