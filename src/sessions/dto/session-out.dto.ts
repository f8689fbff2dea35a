import { ApiProperty } from '@nestjs/swagger';
import { BIGINT_ID } from '../../common/parse-id.pipe.js';
import type { Session } from '../session.entity.js';

export class SessionOut {
  @ApiProperty({ ...BIGINT_ID, example: 12 })
  id!: number;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  created_at!: Date;

  @ApiProperty({ example: '2026-01-02T08:30:00.000Z', description: 'The last login or token refresh' })
  last_used_at!: Date;

  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0 (X11; Linux x86_64) …' })
  user_agent!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip!: string | null;

  @ApiProperty({ description: 'The session of the access token making this request' })
  current!: boolean;
}

export function toSessionOut(session: Session, currentSessionId: number): SessionOut {
  return {
    id: session.id,
    created_at: session.createdAt,
    last_used_at: session.lastUsedAt,
    user_agent: session.userAgent,
    ip: session.ip,
    current: session.id === currentSessionId,
  };
}
