import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AuthResponse, LoginInput, RegisterInput, User } from '@tasks/schemas';
import { AppConfig } from '../config/app-config.js';
import { ACCESS_TOKEN_ALGORITHM } from './access-token.verifier.js';
import type { AuthUser } from './auth-user.js';
import { EmailTakenError, InvalidAccessTokenError, InvalidCredentialsError, TooManyAttemptsError } from './auth.errors.js';
import { AuthRateLimiter, type LoginAttempt } from './auth-rate-limiter.js';
import type { AuthClient } from './auth-client.decorator.js';
import type { AuditContext } from '../common/audit/audit.events.js';
import { AuditLog } from '../common/audit/audit.log.js';
import { DomainEventBus } from '../common/events/domain-events.js';
import { AuthRepository, type UserRecord } from './auth.repository.js';
import { PasswordHasher } from './password.hasher.js';
import { PurgeSchedule } from './purge-schedule.js';

/** How often at most a logout also deletes the revocations of tokens that have expired. */
const REVOCATION_PURGE_INTERVAL_MS = 60_000;

@Injectable()
export class AuthService {
  private readonly logger = new Logger('AuthService');
  private readonly revocationPurge = new PurgeSchedule(REVOCATION_PURGE_INTERVAL_MS);

  constructor(
    private readonly repository: AuthRepository,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly rateLimiter: AuthRateLimiter,
    private readonly config: AppConfig,
    private readonly audit: AuditLog,
    private readonly events: DomainEventBus,
  ) {}

  async register(input: RegisterInput, client: AuthClient): Promise<AuthResponse> {
    const context = { reqId: client.reqId, ip: client.ip };
    const emailHash = this.audit.emailHash(input.email);
    try {
      client.setHeaders(await this.rateLimiter.consumeRegistration(client.ip));
    } catch (error) {
      if (error instanceof TooManyAttemptsError) {
        this.auditRateLimited(error, context);
        this.audit.write('auth.register', { outcome: 'rate_limited', emailHash }, context);
      }
      throw error;
    }
    let passwordHash: string;
    try {
      passwordHash = await this.hasher.hash(input.password);
    } catch (error) {
      await this.rateLimiter.refundRegistration(client.ip);
      throw error;
    }
    try {
      const user = await this.repository.createUser(input.email, passwordHash);
      this.audit.write('auth.register', { outcome: 'ok', userId: user.id, emailHash }, context);
      return await this.authResponse(user);
    } catch (error) {
      if (error instanceof EmailTakenError) this.audit.write('auth.register', { outcome: 'email_taken', emailHash }, context);
      throw error;
    }
  }

  /** Counts the attempt first (refunded on success), so concurrent guesses cannot pass the limits. */
  async login(input: LoginInput, client: AuthClient): Promise<AuthResponse> {
    const context = { reqId: client.reqId, ip: client.ip };
    // A full hashing queue refuses before the limiter and the database are asked anything.
    this.hasher.assertAvailable();
    let attempt: LoginAttempt;
    try {
      attempt = await this.rateLimiter.beginLogin(client.ip, input.email);
    } catch (error) {
      if (error instanceof TooManyAttemptsError) {
        this.auditRateLimited(error, context);
        const user = await this.repository.findByEmail(input.email).catch(() => null);
        this.audit.write('auth.login.failed', { reason: 'rate_limited', ...this.account(user, input.email) }, context);
      }
      throw error;
    }
    client.setHeaders(attempt.headers);
    let user: UserRecord | null;
    let valid: boolean;
    try {
      // Unknown emails still run one argon2 verification, so timing does not reveal which emails exist.
      ({ user, valid } = await this.hasher.verifyAccount(() => this.repository.findByEmail(input.email), input.password));
    } catch (error) {
      await attempt.refund();
      throw error;
    }
    if (!user || !valid) {
      const reason = user ? 'wrong_password' : 'unknown_email';
      this.audit.write('auth.login.failed', { reason, ...this.account(user, input.email) }, context);
      throw new InvalidCredentialsError();
    }
    await attempt.succeeded();
    this.audit.write('auth.login.succeeded', { userId: user.id }, context);
    return this.authResponse(user);
  }

  async me(caller: AuthUser): Promise<User> {
    const user = await this.repository.findById(caller.id);
    // Deleted between the guard's check and here.
    if (!user) throw new InvalidAccessTokenError('userGone');
    return toUser(user);
  }

  /** Revokes exactly the presented token (by jti); the user's other sessions keep working. */
  async logout(caller: AuthUser): Promise<void> {
    await this.repository.revokeToken(caller.tokenId, caller.id, caller.tokenExpiresAt);
    this.audit.write('auth.logout', { userId: caller.id, jti: caller.tokenId });
    const now = new Date();
    if (this.revocationPurge.due(now.getTime())) {
      try {
        await this.repository.purgeExpiredRevocations(now);
      } catch (error) {
        this.logger.warn(`Could not purge expired revocations: ${String(error)}`);
      }
    }
    // Realtime drops the token's sockets; listeners' errors are logged by the emitter, never thrown here.
    this.events.emit('auth.token-revoked', { userId: caller.id, tokenId: caller.tokenId });
  }

  /** An account is named by its id; an email nobody owns only by its keyed hash. */
  private account(user: UserRecord | null, email: string): { userId: string } | { emailHash: string } {
    return user ? { userId: user.id } : { emailHash: this.audit.emailHash(email) };
  }

  private auditRateLimited(error: TooManyAttemptsError, context: AuditContext): void {
    this.audit.write('auth.rate_limited', { ...error.limit, retryAfterSeconds: error.retryAfterSeconds }, context);
  }

  private async authResponse(user: Pick<UserRecord, 'id' | 'email' | 'createdAt'>): Promise<AuthResponse> {
    const { secret, issuer, audience, expiresInSeconds } = this.config.jwt;
    const accessToken = await this.jwt.signAsync(
      { sub: user.id },
      { secret, algorithm: ACCESS_TOKEN_ALGORITHM, issuer, audience, expiresIn: expiresInSeconds, jwtid: randomUUID() },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: expiresInSeconds, user: toUser(user) };
  }
}

function toUser(user: Pick<UserRecord, 'id' | 'email' | 'createdAt'>): User {
  return { id: user.id, email: user.email, createdAt: user.createdAt.toISOString() };
}
