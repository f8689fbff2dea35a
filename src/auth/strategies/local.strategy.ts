import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import { clientInfo } from '../../common/client-ip.js';
import type { User } from '../../users/user.entity.js';
import { AuthService } from '../auth.service.js';

/** Reads the OAuth2 password grant's `username` (the email) and `password` form fields. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'username', passwordField: 'password', session: false, passReqToCallback: true });
  }

  validate(request: FastifyRequest, username: string, password: string): Promise<User> {
    return this.auth.authenticate(username, password, clientInfo(request));
  }
}
