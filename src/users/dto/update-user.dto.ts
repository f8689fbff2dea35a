import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEnum, ValidateIf } from 'class-validator';
import { Role } from '../role.enum.js';

const present = (_: object, value: unknown) => value !== undefined;

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: Role, enumName: 'Role', example: Role.Admin })
  @ValidateIf(present) @IsEnum(Role)
  role?: Role;

  @ApiPropertyOptional({ example: false })
  @ValidateIf(present) @IsBoolean()
  is_active?: boolean;
}
