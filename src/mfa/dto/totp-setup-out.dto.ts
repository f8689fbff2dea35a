import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'TotpSetup', description: 'A pending authenticator: show the URI as a QR code, or the secret for typing in' })
export class TotpSetupOut {
  @ApiProperty({
    description: 'The shared secret, base32 (160 bits), for apps that cannot scan; shown once, never again',
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  })
  secret!: string;

  @ApiProperty({
    description:
      'The `otpauth://totp/…` URI (SHA-1, 6 digits, 30 s) an authenticator app scans: render it as a QR code in the browser (docs/mfa.md shows how); never send it to a third-party QR service',
    example: 'otpauth://totp/Auth%20%26%20Todos:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Auth%20%26%20Todos',
  })
  otpauth_uri!: string;
}
