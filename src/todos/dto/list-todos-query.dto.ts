import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PaginationQueryDto, SEARCH_MIN_LENGTH, toBooleanParam } from '../../common/pagination.dto.js';

export const TODO_SORTS = ['created_at', '-created_at', 'title', '-title'] as const;
export type TodoSort = (typeof TODO_SORTS)[number];

export class ListTodosQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ type: Boolean, description: 'Only done (`true`) or open (`false`) todos' })
  @IsOptional()
  @Transform(toBooleanParam)
  @IsBoolean()
  completed?: boolean;

  @ApiPropertyOptional({
    description: `Part of the title (${SEARCH_MIN_LENGTH} characters or more), case-insensitive; \`%\` and \`_\` match themselves`,
    minLength: SEARCH_MIN_LENGTH,
    maxLength: 200,
  })
  @IsOptional()
  @MaxLength(200)
  @MinLength(SEARCH_MIN_LENGTH)
  @IsString()
  q?: string;

  @ApiPropertyOptional({
    enum: TODO_SORTS,
    default: '-created_at',
    description:
      'The order: by creation time or title (ICU root collation, the same on every database), `-` for descending; ties are broken by id',
  })
  @IsOptional()
  @IsIn(TODO_SORTS)
  sort: TodoSort = '-created_at';
}
