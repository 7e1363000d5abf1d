import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { AuthResponse, LoginInput, RegisterInput, User } from '@tasks/schemas';
import { AppConfig } from '../config/app-config.js';
import { ACCESS_TOKEN_ALGORITHM } from './access-token.verifier.js';
import type { AuthUser } from './auth-user.js';
import { InvalidAccessTokenError, InvalidCredentialsError } from './auth.errors.js';
import { AuthRateLimiter } from './auth-rate-limiter.js';
import { AuthRepository, type UserRecord } from './auth.repository.js';
import { PasswordHasher } from './password.hasher.js';
import { TokenRevocationListener } from './token-revocation.listener.js';

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuthService');
  private revocationListener: TokenRevocationListener | undefined;

  constructor(
    private readonly repository: AuthRepository,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly rateLimiter: AuthRateLimiter,
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The listener may live in any module (the realtime gateway); look it up once everything exists. */
  onApplicationBootstrap(): void {
    try {
      this.revocationListener = this.moduleRef.get(TokenRevocationListener, { strict: false });
    } catch {
      this.revocationListener = undefined;
    }
  }

  async register(input: RegisterInput, clientIp: string): Promise<AuthResponse> {
    await this.rateLimiter.consumeRegistration(clientIp);
    const passwordHash = await this.hasher.hash(input.password);
    const user = await this.repository.createUser(input.email, passwordHash);
    return this.authResponse(user);
  }

  async login(input: LoginInput, clientIp: string): Promise<AuthResponse> {
    await this.rateLimiter.assertLoginAllowed(clientIp, input.email);
    const user = await this.repository.findByEmail(input.email);
    // Unknown emails still run one argon2 verification, so timing does not reveal which emails exist.
    const valid = await this.hasher.verify(user?.passwordHash, input.password);
    if (!user || !valid) {
      await this.rateLimiter.recordLoginFailure(clientIp, input.email);
      throw new InvalidCredentialsError();
    }
    await this.rateLimiter.recordLoginSuccess(clientIp, input.email);
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
    try {
      await this.repository.purgeExpiredRevocations(new Date());
    } catch (error) {
      this.logger.warn(`Could not purge expired revocations: ${String(error)}`);
    }
    try {
      this.revocationListener?.tokenRevoked(caller.id, caller.tokenId);
    } catch (error) {
      this.logger.warn(`Token revocation listener failed: ${String(error)}`);
    }
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
