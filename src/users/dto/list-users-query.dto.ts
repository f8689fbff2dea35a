import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEnum, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PaginationQueryDto, SEARCH_MIN_LENGTH, toBooleanParam } from '../../common/pagination.dto.js';
import { Role } from '../role.enum.js';

export class ListUsersQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    description: `Part of the email (${SEARCH_MIN_LENGTH} characters or more once trimmed), case-insensitive; \`%\` and \`_\` match themselves`,
    minLength: SEARCH_MIN_LENGTH,
    maxLength: 254,
  })
  @IsOptional()
  @MaxLength(254)
  @MinLength(SEARCH_MIN_LENGTH)
  @IsString()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  q?: string;

  @ApiPropertyOptional({ enum: Role, enumName: 'Role', description: 'Only accounts with this role' })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;

  @ApiPropertyOptional({ type: Boolean, description: 'Only active (`true`) or deactivated (`false`) accounts' })
  @IsOptional()
  @Transform(toBooleanParam)
  @IsBoolean()
  is_active?: boolean;
}
