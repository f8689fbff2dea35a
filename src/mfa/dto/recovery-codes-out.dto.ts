import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'RecoveryCodes', description: 'A new set of recovery codes, shown this once: the server keeps only their hashes' })
export class RecoveryCodesOut {
  @ApiProperty({
    type: [String],
    minItems: 10,
    maxItems: 10,
    description: 'Ten single-use codes; each signs in once in place of an authenticator code. Any earlier set stops working',
    example: [
      '7kq2-m9xd-3h5t-pw8c',
      'a1b2-c3d4-e5f6-g7h8',
      'zx4r-0v9n-bm2q-s8kt',
      'h3j5-k7m9-n1p2-q4r6',
      'w8y0-a2c4-e6g8-j0k2',
      'tv5x-7z9b-1d3f-5h7k',
      'n6p8-r0t2-v4x6-z8b0',
      'c1e3-g5j7-m9p1-r3t5',
      'y2a4-c6e8-g0j2-m4p6',
      'q9s1-v3x5-z7b9-d1f3',
    ],
  })
  recovery_codes!: string[];
}
