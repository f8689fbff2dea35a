import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** Query integers in plain decimal only: `1e1`, `0x10` or `10.0` stay strings and fail `@IsInt`. */
export const toIntParam = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d{1,10}$/.test(value) ? Number(value) : value;

export class PaginationQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Items per page' })
  @Transform(toIntParam)
  @Max(100)
  @Min(1)
  @IsInt()
  limit: number = 20;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0, description: 'Items to skip before the page' })
  @Transform(toIntParam)
  @Max(2_147_483_647)
  @Min(0)
  @IsInt()
  offset: number = 0;
}

/** Query-string booleans: only the words `true` and `false` are accepted. */
export const toBooleanParam = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** Escapes LIKE wildcards so a search term matches literally. */
export function likeContains(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
