import { Injectable } from '@nestjs/common';
import type { ChangesPage, ChangesQuery, HistoryPage, HistoryQuery } from '@tasks/schemas';
import type { AuthUser } from '../auth/auth-user.js';
import { AppConfig } from '../config/app-config.js';
import { countWithin } from '../tasks/response-size.js';
import { TaskNotFoundError } from '../tasks/tasks.errors.js';
import { ChangeCursorCodec } from './change-cursor.js';
import { changeBytesBound, toChange } from './change.mapper.js';
import { ChangesRepository, type ChangeRow } from './changes.repository.js';
import { ChangeCursorExpiredError, InvalidChangeCursorError } from './changes.errors.js';

/** A decoded feed position and the changes after it, for readers that follow the feed (HTTP, sockets). */
export interface ChangesAfter {
  /** The user's newest seq in the snapshot that was read. */
  head: number;
  /** The changes after `since`, oldest first, contiguous; `hasMore` when more were ready. */
  rows: ChangeRow[];
  hasMore: boolean;
}

/**
 * The rules of the change feed. A `since` is valid when it is one of the user's cursors and not past
 * their newest change; it is expired when the change right after it is gone (pruned) or older than
 * CHANGES_RETENTION. A caught-up cursor (nothing after it) never expires, however quiet the user:
 * it has missed nothing. Seqs have no gaps but pruned ones (a rolled-back write takes none), so a
 * page that is not seq since+1, since+2, … is a 410 too: the reader never skips a change silently.
 */
@Injectable()
export class ChangesService {
  private readonly cursors: ChangeCursorCodec;

  constructor(
    private readonly repository: ChangesRepository,
    private readonly config: AppConfig,
  ) {
    this.cursors = new ChangeCursorCodec(config.jwt.secret);
  }

  /** The feed position of `seq` for this user. */
  cursorOf(user: Pick<AuthUser, 'id'>, seq: number): string {
    return this.cursors.encode(user.id, seq);
  }

  /** The seq a cursor stands for; InvalidChangeCursorError when it is not one of this user's. */
  decodeSince(user: Pick<AuthUser, 'id'>, cursor: string): number {
    const seq = this.cursors.decode(user.id, cursor);
    if (seq === null) throw new InvalidChangeCursorError('since');
    return seq;
  }

  /** The newest seq of each user (0 before their first change): where a reader starting now follows from. */
  heads(userIds: readonly string[]): Promise<Map<string, number>> {
    return this.repository.readHeads(userIds);
  }

  /**
   * Up to `limit` changes after seq `since`, checked as described above (InvalidChangeCursorError,
   * ChangeCursorExpiredError). The reading API the HTTP feed and live delivery share.
   */
  async changesAfter(user: Pick<AuthUser, 'id'>, since: number, limit: number): Promise<ChangesAfter> {
    const { head, rows } = await this.repository.readFeed(user.id, since, limit + 1, this.config.changes.retentionSeconds);
    if (since > head) throw new InvalidChangeCursorError('since');
    if (since < head && (rows[0]?.expired ?? true)) throw new ChangeCursorExpiredError();
    if (rows.some((row, i) => row.seq !== since + 1 + i)) throw new ChangeCursorExpiredError();
    return { head, rows: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  /** Without `since`: no items and the current position. A page also stops early to stay under 1 MiB. */
  async feed(user: AuthUser, query: ChangesQuery): Promise<ChangesPage> {
    if (query.since === undefined) {
      const { head } = await this.repository.readFeed(user.id, 0, 0, this.config.changes.retentionSeconds);
      return { items: [], cursor: this.cursorOf(user, head), hasMore: false };
    }
    const since = this.decodeSince(user, query.since);
    const { rows, hasMore } = await this.changesAfter(user, since, query.limit);
    const items = rows.map((row) => toChange(row, this.cursorOf(user, row.seq)));
    const fit = countWithin(items, changeBytesBound);
    const page = items.slice(0, fit);
    return { items: page, cursor: page.at(-1)?.cursor ?? query.since, hasMore: hasMore || fit < items.length };
  }

  /** A live task's kept changes, newest first; `nextCursor` continues it. Deleted and others' tasks are 404. */
  async history(user: AuthUser, taskId: string, query: HistoryQuery): Promise<HistoryPage> {
    let before = Number.MAX_SAFE_INTEGER;
    if (query.cursor !== undefined) {
      const seq = this.cursors.decode(user.id, query.cursor);
      if (seq === null) {
        // A task that is not the caller's is a 404 whatever the cursor says.
        if (!(await this.repository.readHistory(user.id, taskId, 0, 1))) throw new TaskNotFoundError();
        throw new InvalidChangeCursorError('cursor');
      }
      before = seq;
    }
    const rows = await this.repository.readHistory(user.id, taskId, before, query.limit + 1);
    if (!rows) throw new TaskNotFoundError();
    const items = rows.slice(0, query.limit).map((row) => toChange(row, this.cursorOf(user, row.seq)));
    const fit = countWithin(items, changeBytesBound);
    const more = fit < items.length || rows.length > query.limit;
    return { items: items.slice(0, fit), nextCursor: more ? (items[fit - 1]?.cursor ?? null) : null };
  }
}
