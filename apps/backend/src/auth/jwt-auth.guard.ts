import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { AccessTokenVerifier, bearerTokenFrom } from './access-token.verifier.js';
import type { AuthUser } from './auth-user.js';
import { InvalidAccessTokenError } from './auth.errors.js';
import { traced } from '../tracing/tracing.js';
import { IS_PUBLIC } from './public.decorator.js';
import { AuditLog } from '../common/audit/audit.log.js';

/**
 * The global guard: every HTTP route needs a valid access token unless it is `@Public()`. Passport
 * (JwtStrategy) checks a token the first time this process sees it; see `authenticate` for later.
 * WebSocket connections are authenticated once, at the handshake, by the gateway.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: AccessTokenVerifier,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    return traced('auth guard', {}, () => this.authenticate(context));
  }

  /**
   * A token this process verified before skips passport: its text, hence its signature and claims,
   * cannot have changed (VerifiedTokens); its expiry, user and revocation are checked again.
   */
  private authenticate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const extracted = bearerTokenFrom(request.headers.authorization);
    const claims = 'token' in extracted ? this.verifier.recall(extracted.token) : undefined;
    if (!claims) return super.canActivate(context) as Promise<boolean>;
    return this.verifier.subjectOf(claims).then(
      (user) => {
        request.user = user;
        return true;
      },
      (error: unknown) => {
        throw this.refused(error instanceof Error ? error : new Error('Authentication failed', { cause: error }), request);
      },
    );
  }

  /** Turns passport's outcome into the user, or a 401 that names the cause. */
  override handleRequest<TUser = AuthUser>(error: unknown, user: unknown, info: unknown, context: ExecutionContext): TUser {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // Errors from validate() (revoked, user gone, crit, future iat) are already typed domain errors.
    if (error) throw this.refused(error instanceof Error ? error : new Error('Authentication failed', { cause: error }), request);
    if (user) return user as TUser;
    const extracted = bearerTokenFrom(request.headers.authorization);
    if ('failure' in extracted) throw this.refused(new InvalidAccessTokenError(extracted.failure), request);
    throw this.refused(new InvalidAccessTokenError(this.verifier.classify(extracted.token, info)), request);
  }

  private refused(error: Error, request: FastifyRequest): Error {
    if (error instanceof InvalidAccessTokenError) {
      this.audit.write('auth.token.refused', { cause: error.reason }, { reqId: request.id, ip: request.ip });
    }
    return error;
  }
}
