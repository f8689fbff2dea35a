import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { createValidationPipe } from '../../common/validation.js';
import { LoginFormDto } from '../dto/login-form.dto.js';

/**
 * Runs passport-local on the login form. Guards run before pipes, so the form is validated here
 * first: a missing field is a 422 naming it, as everywhere else, rather than passport's bare 401.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  private readonly validation = createValidationPipe();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ body: unknown }>();
    request.body = await this.validation.transform(request.body ?? {}, { type: 'body', metatype: LoginFormDto });
    return (await super.canActivate(context)) as boolean;
  }
}
