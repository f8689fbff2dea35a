import { applyDecorators, Header } from '@nestjs/common';

/** The response header documented on answers that carry a secret, codes or tokens. */
export const NO_STORE_HEADER = {
  'Cache-Control': { description: 'Secrets, codes and tokens are never cached', schema: { type: 'string', example: 'no-store' } },
};

/** `Cache-Control: no-store` on the success answer; errors that carry a secret set it themselves. */
export const NoStore = () => applyDecorators(Header('Cache-Control', 'no-store'));
