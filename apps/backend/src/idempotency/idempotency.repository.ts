import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DirectSql, type SqlExecutor } from '../database/direct-sql.js';
import { db } from '../database/query-builder.js';

/** The answer kept for a key: replayed as it was sent. */
export interface StoredAnswer {
  status: number;
  /** ETag, Location and Content-Type of the first answer (those present). */
  headers: Record<string, string>;
  /** The body as sent; null when there was none (204). */
  body: string | null;
}

/** A key row as a claim sees it; times are the database's, in ms from now. */
export interface KeyRow {
  fingerprint: string;
  state: 'running' | 'done';
  lockedForMs: number;
  answer: StoredAnswer | null;
}

export interface Claim {
  userId: string;
  key: string;
  fingerprint: string;
  owner: string;
  leaseSeconds: number;
  ttlSeconds: number;
}

const seconds = (n: number) => sql<Date>`now() + ${n} * interval '1 second'`;

/** The only code that touches idempotency_keys; every time is the database's clock (instances may differ). */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly sql: DirectSql) {}

  /** INSERT … ON CONFLICT DO NOTHING (autocommit): true when this request now holds the key. */
  async insert(claim: Claim): Promise<boolean> {
    const rows = await this.sql.query(
      db
        .insertInto('idempotency_keys')
        .values({
          user_id: claim.userId,
          key: claim.key,
          fingerprint: claim.fingerprint,
          state: 'running',
          owner: claim.owner,
          locked_until: seconds(claim.leaseSeconds),
          expires_at: seconds(claim.ttlSeconds),
        })
        .onConflict((oc) => oc.doNothing())
        .returning('key')
        .compile(),
    );
    return rows.length > 0;
  }

  /** The live (unexpired) row of the key, if any. */
  async find(userId: string, key: string): Promise<KeyRow | null> {
    const [row] = await this.sql.query(
      db
        .selectFrom('idempotency_keys')
        .select([
          'fingerprint',
          'state',
          'response_status',
          'response_headers',
          'response_body',
          sql<number>`coalesce(extract(epoch from locked_until - now()) * 1000, 0)::float8`.as('locked_ms'),
        ])
        .where('user_id', '=', userId)
        .where('key', '=', key)
        .where('expires_at', '>', sql<Date>`now()`)
        .compile(),
    );
    if (!row) return null;
    const answer =
      row.state === 'done' && row.response_status !== null
        ? { status: row.response_status, headers: (row.response_headers ?? {}) as Record<string, string>, body: row.response_body }
        : null;
    return { fingerprint: row.fingerprint, state: row.state === 'done' ? 'done' : 'running', lockedForMs: row.locked_ms, answer };
  }

  /**
   * Takes over a key whose row expired (a new request) or whose owner's lease ran out while running
   * (the owner died before answering: nothing of it committed, see `complete`). True when taken.
   */
  async takeOver(claim: Claim): Promise<boolean> {
    const rows = await this.sql.query(
      db
        .updateTable('idempotency_keys')
        .set({
          fingerprint: claim.fingerprint,
          state: 'running',
          owner: claim.owner,
          locked_until: seconds(claim.leaseSeconds),
          response_status: null,
          response_headers: null,
          response_body: null,
          created_at: sql<Date>`now()`,
          expires_at: seconds(claim.ttlSeconds),
        })
        .where('user_id', '=', claim.userId)
        .where('key', '=', claim.key)
        .where((eb) =>
          eb.or([
            eb('expires_at', '<=', sql<Date>`now()`),
            eb.and([eb('state', '=', 'running'), eb('locked_until', '<=', sql<Date>`now()`), eb('fingerprint', '=', claim.fingerprint)]),
          ]),
        )
        .returning('key')
        .compile(),
    );
    return rows.length > 0;
  }

  /**
   * Stores the final answer if `owner` still holds the key; on `tx`, inside the write transaction
   * itself, the answer commits with the change or not at all. False when the key is no longer held.
   */
  async complete(userId: string, key: string, owner: string, answer: StoredAnswer, tx: SqlExecutor = this.sql): Promise<boolean> {
    const rows = await tx.query(
      db
        .updateTable('idempotency_keys')
        .set({
          state: 'done',
          locked_until: null,
          response_status: answer.status,
          response_headers: JSON.stringify(answer.headers),
          response_body: answer.body,
        })
        .where('user_id', '=', userId)
        .where('key', '=', key)
        .where('owner', '=', owner)
        .returning('key')
        .compile(),
    );
    return rows.length > 0;
  }

  /** Frees a key still running under `owner` (its request failed with a 5xx): the next try runs again. */
  async release(userId: string, key: string, owner: string): Promise<void> {
    await this.sql.query(
      db
        .deleteFrom('idempotency_keys')
        .where('user_id', '=', userId)
        .where('key', '=', key)
        .where('owner', '=', owner)
        .where('state', '=', 'running')
        .compile(),
    );
  }

  /**
   * Deletes up to `batch` expired rows, only on the instance that gets the advisory lock (the others
   * skip this round); the number deleted, or null when another instance holds the lock.
   */
  pruneExpired(lockKey: number, batch: number): Promise<number | null> {
    return this.sql.transaction(async (tx) => {
      const [lock] = await tx.query<{ locked: boolean }>(sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${lockKey}) AS locked`.compile(db));
      if (!lock?.locked) return null;
      const expired = db
        .selectFrom('idempotency_keys')
        .select(['user_id', 'key'])
        .where('expires_at', '<=', sql<Date>`now()`)
        .where((eb) => eb.or([eb('state', '=', 'done'), eb('locked_until', '<=', sql<Date>`now()`)]))
        .limit(batch);
      const rows = await tx.query(
        db
          .deleteFrom('idempotency_keys')
          .where((eb) => eb(eb.refTuple('user_id', 'key'), 'in', eb.selectFrom(expired.as('e')).select(['e.user_id', 'e.key']).$asTuple('user_id', 'key')))
          .returning('key')
          .compile(),
      );
      return rows.length;
    });
  }
}
