import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config.js';
import { AccessTokenVerifier, bearerTokenFrom } from './access-token.verifier.js';
import type { AuthUser } from './auth-user.js';
import { jwtKeyOf } from './jwt-key.js';

/**
 * passport-jwt checks the signature (HS256 only), issuer, audience and expiry; the rest
 * (claims, revocation, user) is the verifier's, so HTTP and WebSocket share one implementation.
 * JwtAuthGuard sends a token here the first time this process sees it.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly verifier: AccessTokenVerifier,
  ) {
    super({
      jwtFromRequest: (request: FastifyRequest) => {
        const extracted = bearerTokenFrom(request.headers.authorization);
        return 'token' in extracted ? extracted.token : null;
      },
      // jsonwebtoken takes a KeyObject (see jwtKeyOf); passport-jwt's types only name string | Buffer.
      secretOrKey: jwtKeyOf(config.jwt.secret) as unknown as Buffer,
      ...verifier.verifyOptions,
      ignoreExpiration: false,
      // The header too, so the verifier can refuse `crit` (validate gets { header, payload, signature }).
      jsonWebTokenOptions: { complete: true },
      // The request too: the verifier remembers the token's text once it passed (JwtAuthGuard).
      passReqToCallback: true,
    });
  }

  validate(request: FastifyRequest, decoded: unknown): Promise<AuthUser> {
    const extracted = bearerTokenFrom(request.headers.authorization);
    return this.verifier.resolve(decoded, 'token' in extracted ? extracted.token : undefined);
  }
}
