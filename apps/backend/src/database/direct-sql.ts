import type { CompiledQuery } from 'kysely';
import type { Prisma } from '../generated/prisma/client.js';

/** A statement: a compiled Kysely query (typed rows), or a `Prisma.sql` one. */
export type Statement<T> = CompiledQuery<T> | Prisma.Sql;

/** Runs statements: the pool or database itself, or one open transaction. */
export interface SqlExecutor {
  query<T>(statement: Statement<T>): Promise<T[]>;
}

/** A statement as pg takes it; `name` only on `prepare`'s statements, when named statements are on. */
export interface QueryConfig {
  text: string;
  values: unknown[];
  name?: string;
}

/** The one place that unpacks statements; `named` keeps the name of `prepare`'s statements. */
function configOf(statement: Statement<unknown>, named: boolean): QueryConfig {
  if (!('parameters' in statement)) return { text: statement.text, values: statement.values };
  const config: QueryConfig = { text: statement.sql, values: statement.parameters as unknown[] };
  if (named && 'name' in statement) config.name = statement.name as string;
  return config;
}

/**
 * The deadline a transaction must commit within (a request's TASKS_API_TIMEOUT). The commit and
 * the deadline's own answer exclude each other: `beginCommit` refuses once the deadline has passed
 * (the transaction rolls back), and once a COMMIT has begun the deadline no longer answers 503, so
 * a client told 503 never finds the change committed.
 */
export interface CommitDeadline {
  /** Milliseconds left; each statement of the transaction gets at most this long. */
  remainingMs(): number;
  /** Throws (the transaction rolls back) when the deadline has passed or answered already. */
  assertOpen(): void;
  /** Like assertOpen, and from now on the deadline may not answer (the request answers itself). */
  beginCommit(): void;
  endCommit(): void;
  /** Last statements of the transaction, given its result (e.g. the idempotency key's answer). */
  beforeCommit?(tx: SqlExecutor, result: unknown): Promise<void>;
}

/**
 * Runs a statement (a compiled Kysely query, typed against the generated `DB`) on the connection
 * Prisma itself uses (its pg pool, or the embedded PGlite), without the Prisma client's request
 * pipeline in between, which costs more CPU per statement than the statement itself (figures in
 * docs/benchmarks.md): the statements every request runs come this way, the rest stay on the
 * client. Only repositories inject it, like PrismaClient.
 */
export abstract class DirectSql implements SqlExecutor {
  abstract query<T>(statement: Statement<T>): Promise<T[]>;
  /**
   * Runs `work` in one transaction on one connection: COMMIT when it resolves (and `deadline`, if
   * given, allows), ROLLBACK when it throws. With a deadline, every statement gets only the time left.
   */
  abstract transaction<T>(work: (tx: SqlExecutor) => Promise<T>, deadline?: CommitDeadline): Promise<T>;
}

interface QueryResult {
  rows: unknown[];
}

/** A pg Pool: `connect()` lends one client for a transaction. */
interface PoolLike {
  query(config: QueryConfig): Promise<QueryResult>;
  connect(): Promise<PooledClient>;
}

interface PooledClient {
  query(config: QueryConfig | string): Promise<QueryResult>;
  release(error?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/** PGlite: one connection; `transaction()` holds it exclusively until COMMIT or ROLLBACK. */
interface EmbeddedLike {
  query(text: string, params: unknown[]): Promise<QueryResult>;
  transaction<T>(work: (tx: { query(text: string, params?: unknown[]): Promise<QueryResult> }) => Promise<T>): Promise<T>;
}

/** Statements (Kysely or Prisma.sql) run by `run`, e.g. one pg connection's `query`. */
export function executor(
  run: (config: QueryConfig) => Promise<QueryResult>,
  deadline?: CommitDeadline,
  named = false,
): SqlExecutor {
  return {
    query: async <T>(statement: Statement<T>) => {
      // Nothing starts once the deadline has answered: its statement could only be rolled back.
      deadline?.assertOpen();
      return (await run(configOf(statement, named))).rows as T[];
    },
  };
}

/** `SET LOCAL statement_timeout` for what is left of the deadline (an integer, never 0 = "no limit"). */
function statementTimeout(deadline: CommitDeadline): string {
  return `SET LOCAL statement_timeout = ${Math.max(1, Math.ceil(deadline.remainingMs()))}`;
}

/** COMMIT under the deadline's commit guard. */
async function commitWithin(commit: () => Promise<unknown>, deadline: CommitDeadline | undefined): Promise<void> {
  deadline?.beginCommit();
  try {
    await commit();
  } finally {
    deadline?.endCommit();
  }
}

/**
 * DirectSql on a pg pool. With `named`, `prepare`'s statements run as named prepared statements:
 * each connection parses and plans one once and then only binds values (PostgreSQL's CPU per
 * statement falls by half or more, docs/benchmarks.md). Off for poolers that cannot keep them.
 */
export function directSqlOnPool(pool: PoolLike, named: boolean): DirectSql {
  return {
    query: async <T>(statement: Statement<T>) => (await pool.query(configOf(statement, named))).rows as T[],
    transaction: async <T>(work: (tx: SqlExecutor) => Promise<T>, deadline?: CommitDeadline): Promise<T> => {
      deadline?.assertOpen();
      const client = await pool.connect();
      // A checked-out client has no 'error' listener of the pool's: a connection that dies between
      // two statements (pg_terminate_backend, a restart) would otherwise crash the process. The
      // next statement fails with it, and the client is discarded.
      let lost: Error | undefined;
      const onError = (error: Error) => {
        lost ??= error;
      };
      client.on('error', onError);
      const release = (error?: Error) => {
        client.off('error', onError);
        client.release(error ?? lost);
      };
      try {
        // BEGIN and the timeout in one round trip (a simple query; the number is ours, not input).
        await client.query(deadline ? `BEGIN; ${statementTimeout(deadline)}` : 'BEGIN');
      } catch (error) {
        // A connection in an unknown state is not handed to the next request.
        release(asError(error));
        throw error;
      }
      try {
        const tx = executor((config) => client.query(config), deadline, named);
        const result = await work(tx);
        await deadline?.beforeCommit?.(tx, result);
        await commitWithin(() => client.query('COMMIT'), deadline);
        release();
        return result;
      } catch (error) {
        await client.query('ROLLBACK').then(
          () => release(),
          (rollbackError: unknown) => release(asError(rollbackError)),
        );
        throw error;
      }
    },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export function directSqlOnEmbedded(db: EmbeddedLike): DirectSql {
  return {
    query: async <T>(statement: Statement<T>) => {
      const { text, values } = configOf(statement, false);
      return (await db.query(text, values)).rows as T[];
    },
    transaction: <T>(work: (tx: SqlExecutor) => Promise<T>, deadline?: CommitDeadline): Promise<T> => {
      // One connection: the transaction waits its turn behind every other statement, so the
      // deadline is checked again once it has the database, and right before its COMMIT.
      let committing = false;
      const done = db.transaction(async (tx) => {
        deadline?.assertOpen();
        const sql = executor(({ text, values }) => tx.query(text, values), deadline);
        const result = await work(sql);
        await deadline?.beforeCommit?.(sql, result);
        deadline?.beginCommit();
        committing = true;
        return result;
      });
      // PGlite commits after `work` resolves; the guard lasts until that COMMIT is over.
      return done.finally(() => {
        if (committing) deadline?.endCommit();
      });
    },
  };
}

/** DirectSql over whichever database is open (a pg Pool lends clients; PGlite has one, which names statements itself). */
export function directSqlOn(queryable: PoolLike | EmbeddedLike, named = true): DirectSql {
  return 'connect' in queryable ? directSqlOnPool(queryable, named) : directSqlOnEmbedded(queryable);
}
