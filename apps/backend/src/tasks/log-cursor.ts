import { SeqCursorCodec } from '../common/cursors/seq-cursor.codec.js';

/** Cursors of a task's log pages: the seq before which the next page starts, bound to the task. */
export class LogCursorCodec extends SeqCursorCodec {
  constructor(secret: string) {
    super(secret, { purpose: 'task-log-cursor', min: 1, max: 2_147_483_647 });
  }
}
