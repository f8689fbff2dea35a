import { ApiProperty } from '@nestjs/swagger';

/** 202 for an operation that queues a mail; the same body whether or not a mail goes out. */
export class AcceptedOut {
  @ApiProperty({ example: 'If an active account uses this address, a password reset link is on its way' })
  message!: string;
}
