import type { TaskEventName, TaskEventPayloads } from '@tasks/schemas';

/**
 * Where TasksService sends an event once its change has committed. The gateway implements it and
 * only delivers, to the owner's room; the service decides what and when.
 */
export abstract class TaskEventsPublisher {
  abstract publish<E extends TaskEventName>(userId: string, event: E, payload: TaskEventPayloads[E]): void;
}
