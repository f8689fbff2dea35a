import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UnsupportedMediaTypeException,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiConsumes } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiProblems } from './api-problems.decorator.js';

const CONSUMES_KEY = 'http:consumes';

/** Refuses a body of any other media type with 415, before the handler (and any hashing) runs. */
@Injectable()
export class ConsumesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const accepted = this.reflector.get<string[]>(CONSUMES_KEY, context.getHandler()) ?? [];
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return true;
    const type = (request.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
    if (accepted.includes(type)) return true;
    throw new UnsupportedMediaTypeException(`This operation takes ${accepted.join(' or ')}`);
  }
}

/** The media types an operation's body may have; enforced, and documented in the OpenAPI document. */
export const Consumes = (...types: string[]) =>
  applyDecorators(SetMetadata(CONSUMES_KEY, types), UseGuards(ConsumesGuard), ApiConsumes(...types), ApiProblems(415));
