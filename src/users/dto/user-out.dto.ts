import { ApiProperty } from '@nestjs/swagger';
import { INT_ID } from '../../common/parse-id.pipe.js';
import { Role } from '../role.enum.js';
import type { User } from '../user.entity.js';

export class UserOut {
  @ApiProperty({ ...INT_ID, example: 1 })
  id!: number;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ enum: Role, enumName: 'Role', example: Role.User })
  role!: Role;

  @ApiProperty({ example: true })
  is_active!: boolean;

  @ApiProperty({ example: false })
  email_verified!: boolean;

  @ApiProperty({ example: false, description: 'A second factor (TOTP) is on: a login asks for a code after the password' })
  mfa_enabled!: boolean;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  created_at!: Date;
}

export function toUserOut(user: User): UserOut {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    is_active: user.isActive,
    email_verified: user.emailVerified,
    mfa_enabled: user.mfaEnabled,
    created_at: user.createdAt,
  };
}
