import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import type { User } from '../../users/user.entity.js';
import { AuthService } from '../auth.service.js';

/** Reads the OAuth2 password grant's `username` (the email) and `password` form fields. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'username', passwordField: 'password', session: false });
  }

  validate(username: string, password: string): Promise<User> {
    return this.auth.authenticate(username, password);
  }
}
