import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Where `JwtStrategy` leaves the session id (`sid`) of the access token it verified. */
export interface RequestWithSession {
  sessionId?: number;
}

/** The session of the access token making this request. */
export const CurrentSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext): number | undefined => context.switchToHttp().getRequest<RequestWithSession>().sessionId,
);
