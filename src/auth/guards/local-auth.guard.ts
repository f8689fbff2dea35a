import { createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { createValidationPipe } from '../../common/validation.js';
import { LoginFormDto } from '../dto/login-form.dto.js';

/**
 * Runs passport-local on the password grant of the token endpoint. Guards run before pipes, so
 * the form is validated here first: a missing field is a 422 naming it, as everywhere else,
 * rather than passport's bare 401. The refresh grant carries no password and passes through to
 * the handler, which spends the refresh token.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  private readonly validation = createValidationPipe();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ body: unknown }>();
    const form = (await this.validation.transform(request.body ?? {}, { type: 'body', metatype: LoginFormDto })) as LoginFormDto;
    request.body = form;
    if (form.grant_type === 'refresh_token') return true;
    return (await super.canActivate(context)) as boolean;
  }
}

/**
 * The token form as `LocalAuthGuard` validated it, for the handler behind the guard: taking the
 * guard's result, rather than `@Body()`, keeps the global pipe from validating the same form again.
 */
export const LoginForm = createParamDecorator((_data: unknown, context: ExecutionContext): LoginFormDto => {
  const { body } = context.switchToHttp().getRequest<{ body: unknown }>();
  if (!(body instanceof LoginFormDto)) throw new Error('@LoginForm() reads the form LocalAuthGuard validated: put the guard on the route');
  return body;
});
