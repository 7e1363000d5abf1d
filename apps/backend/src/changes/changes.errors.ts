import { DomainError, RequestValidationError } from '../common/errors/domain-error.js';

/**
 * A `since` or history cursor this server did not issue to this user, or one past the user's
 * newest change: one body for all of them, so a cursor reveals nothing about other users' feeds.
 */
export class InvalidChangeCursorError extends RequestValidationError {
  constructor(field: 'since' | 'cursor') {
    super([{ path: field, message: 'Not a cursor of your change feed' }]);
  }
}

/** `since` names a position whose following changes are past CHANGES_RETENTION (pruned or about to be). */
export class ChangeCursorExpiredError extends DomainError {
  constructor() {
    super('cursor-expired', 'The changes after this cursor are no longer kept; list the tasks again and follow the feed from its changesCursor.');
  }
}
