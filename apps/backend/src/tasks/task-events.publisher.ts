import type { TaskEventName, TaskEventPayloads } from '@tasks/schemas';

/**
 * Where TasksService sends an event once its change has committed. The gateway implements it and
 * only delivers, to the owner's room; the service decides what and when.
 */
export abstract class TaskEventsPublisher {
  /** `committedAt`: epoch ms of the commit when known (a change feed); default: now, right after it. */
  abstract publish<E extends TaskEventName>(userId: string, event: E, payload: TaskEventPayloads[E], committedAt?: number): void;
}
