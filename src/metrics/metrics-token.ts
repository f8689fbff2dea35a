import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `METRICS_TOKEN`, checked against an `Authorization: Bearer …` header. */
export class MetricsToken {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  accepts(authorization: string | undefined): boolean {
    const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    // Compared as digests: equal lengths, so the comparison takes the same time for any guess.
    return presented !== undefined && timingSafeEqual(digest(presented), this.expected);
  }
}
