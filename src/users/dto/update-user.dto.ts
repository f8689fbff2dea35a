import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEnum, ValidateIf } from 'class-validator';
import { isPresent } from '../../common/validation.js';
import { Role } from '../role.enum.js';

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: Role, enumName: 'Role', example: Role.Admin })
  @ValidateIf(isPresent)
  @IsEnum(Role)
  role?: Role;

  @ApiPropertyOptional({ example: false })
  @ValidateIf(isPresent)
  @IsBoolean()
  is_active?: boolean;
}
