import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEnum, IsOptional, IsString, MaxLength } from 'class-validator';
import { PaginationQueryDto, toBooleanParam } from '../../common/pagination.dto.js';
import { Role } from '../role.enum.js';

export class ListUsersQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'Part of the email, case-insensitive', maxLength: 254 })
  @IsOptional()
  @MaxLength(254)
  @IsString()
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
