import { BadRequestException } from '@nestjs/common';
import type { FastifyBodyParser, FastifyInstance, RawServerDefault } from 'fastify';
import { coded } from './problem-codes.js';

/** Deeper than any body this API takes; deep enough nesting would overflow class-transformer's stack. */
export const MAX_JSON_DEPTH = 32;

export function exceedsDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Fastify's own JSON parser (prototype-poisoning safe) with two additions: an empty body is no
 * body, so clients that always send `Content-Type: application/json` (a DELETE through a fetch
 * wrapper) are not refused; and nesting beyond `MAX_JSON_DEPTH` is a 400.
 */
export function jsonBodyParser(fastify: FastifyInstance): FastifyBodyParser<Buffer, RawServerDefault> {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    // Fastify's default JSON parser is its callback form (the type names both forms): it returns
    // nothing and reports every outcome, a parse error included, through the callback.
    void parse(request, body.toString('utf8'), (error, value) => {
      if (error) done(error);
      else if (exceedsDepth(value))
        done(new BadRequestException(coded('malformed_request', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`)));
      else done(null, value);
    });
  };
}
