import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiConsumes } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiProblems } from './api-problems.decorator.js';
import { coded } from './problem-codes.js';

const CONSUMES_KEY = 'http:consumes';

/**
 * Global: a body of a media type its operation does not declare with `@Consumes()`, or any body
 * sent to an operation that takes none, is refused with 415 before the handler (and any hashing).
 */
@Injectable()
export class ConsumesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return true;
    const accepted = this.reflector.get<string[] | undefined>(CONSUMES_KEY, context.getHandler());
    if (!accepted) throw new UnsupportedMediaTypeException(coded('unsupported_media_type', 'This operation takes no body'));
    const type = (request.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
    if (accepted.includes(type)) return true;
    throw new UnsupportedMediaTypeException(coded('unsupported_media_type', `This operation takes ${accepted.join(' or ')}`));
  }
}

/** The media types an operation's body may have; enforced by `ConsumesGuard`, and documented with the body errors. */
export const Consumes = (...types: string[]) =>
  applyDecorators(SetMetadata(CONSUMES_KEY, types), ApiConsumes(...types), ApiProblems(400, 413, 415));
