import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { Task } from '@tasks/schemas';

/** A change to one of the user's tasks; `committedAt` is epoch ms (fractional) of its commit. */
export interface TaskChanged<T> {
  userId: string;
  task: T;
  committedAt: number;
}

/**
 * Every domain event and its payload, the one place they are typed. Services emit them after their
 * change committed; `realtime/` delivers them to sockets.
 */
export interface DomainEvents {
  'task.created': TaskChanged<Task>;
  'task.updated': TaskChanged<Task>;
  'task.deleted': TaskChanged<{ id: string }>;
  'auth.token-revoked': { userId: string; tokenId: string };
}

export type DomainEventName = keyof DomainEvents;

/**
 * Emits domain events, synchronously: listeners run before `emit` returns, so an event reaches its
 * sockets before the response that caused it leaves.
 */
@Injectable()
export class DomainEventBus {
  constructor(private readonly emitter: EventEmitter2) {}

  emit<E extends DomainEventName>(event: E, payload: DomainEvents[E]): void {
    this.emitter.emit(event, payload);
  }
}

type DomainEventHandler<E extends DomainEventName> = TypedPropertyDescriptor<(payload: DomainEvents[E]) => void>;

/**
 * `@OnEvent` for one domain event, checked against its payload type. Handlers are synchronous on
 * purpose (delivery must happen inside `emit`); errors are logged by the event emitter, never thrown
 * back into the service.
 */
export function OnDomainEvent<E extends DomainEventName>(event: E) {
  const decorate = OnEvent(event, { suppressErrors: true });
  return (target: object, key: string | symbol, descriptor: DomainEventHandler<E>): void => {
    decorate(target, key, descriptor);
  };
}
