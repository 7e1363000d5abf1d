import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { db, prepare } from '../database/query-builder.js';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { DirectSql } from '../database/direct-sql.js';
import { EmailTakenError } from './auth.errors.js';

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: Date;
}

export interface TokenSubject {
  id: string;
  email: string;
  revoked: boolean;
}

const tokenSubject = prepare((userId: string, jti: string) =>
  db
    .selectFrom('users as u')
    .select((eb) => [
      'u.id',
      'u.email',
      eb
        .exists(eb.selectFrom('revoked_tokens as r').select(sql.lit(1).as('one')).where('r.jti', '=', jti))
        .$castTo<boolean>()
        .as('revoked'),
    ])
    .where('u.id', '=', userId),
);

@Injectable()
export class AuthRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: DirectSql,
  ) {}

  /** Inserts a user; a concurrent or earlier registration of the email is an EmailTakenError. */
  async createUser(email: string, passwordHash: string): Promise<UserRecord> {
    try {
      return await this.prisma.user.create({
        data: { email, passwordHash },
        select: { id: true, email: true, passwordHash: true, createdAt: true },
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new EmailTakenError();
      throw error;
    }
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({
      where: { email },
      select: { id: true, email: true, passwordHash: true, createdAt: true },
    });
  }

  findById(id: string): Promise<Omit<UserRecord, 'passwordHash'> | null> {
    return this.prisma.user.findUnique({ where: { id }, select: { id: true, email: true, createdAt: true } });
  }

  /**
   * The token's user and whether its jti is revoked, in one indexed query (users PK + revoked_tokens PK),
   * run on every authenticated request (hence DirectSql). Null when the user no longer exists.
   */
  async findTokenSubject(userId: string, jti: string): Promise<TokenSubject | null> {
    const rows = await this.sql.query(tokenSubject(userId, jti));
    return rows[0] ?? null;
  }

  /** Records a logged-out token until it would have expired anyway; revoking twice is harmless. */
  async revokeToken(jti: string, userId: string, expiresAt: Date): Promise<void> {
    await this.prisma.revokedToken.createMany({ data: [{ jti, userId, expiresAt }], skipDuplicates: true });
  }

  /** Rows of tokens that have expired are dead weight: the signature check already rejects those tokens. */
  async purgeExpiredRevocations(now: Date): Promise<number> {
    const { count } = await this.prisma.revokedToken.deleteMany({ where: { expiresAt: { lt: now } } });
    return count;
  }
}
