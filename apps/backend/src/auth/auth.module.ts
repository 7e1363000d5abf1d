import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AuditModule } from '../common/audit/audit.module.js';
import { AppConfig } from '../config/app-config.js';
import { AccessTokenVerifier, ACCESS_TOKEN_ALGORITHM } from './access-token.verifier.js';
import { AuthController } from './auth.controller.js';
import { AuthRateLimiter } from './auth-rate-limiter.js';
import { AuthRepository } from './auth.repository.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { jwtKeyOf } from './jwt-key.js';
import { JwtStrategy } from './jwt.strategy.js';
import { PasswordHasher } from './password.hasher.js';

@Module({
  imports: [PassportModule, AuditModule],
  controllers: [AuthController],
  providers: [
    {
      provide: JwtService,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new JwtService({
          secret: jwtKeyOf(config.jwt.secret),
          signOptions: { algorithm: ACCESS_TOKEN_ALGORITHM },
          verifyOptions: { algorithms: [ACCESS_TOKEN_ALGORITHM] },
        }),
    },
    AuthRepository,
    PasswordHasher,
    AuthRateLimiter,
    AccessTokenVerifier,
    JwtStrategy,
    AuthService,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [AccessTokenVerifier],
})
export class AuthModule {}
