import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { type Context, context } from '@opentelemetry/api';
import type { Task } from '@tasks/schemas';

/** A committed change to one of the user's tasks: `seq` and `at` are its change's position and time in the user's feed. */
export interface TaskChanged<T> {
  userId: string;
  task: T;
  seq: number;
  at: Date;
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
 * What a handler receives: the payload and the trace context of the code that emitted it, so work
 * the event causes later (a socket emit after the response) can join the emitter's trace.
 */
export type Emitted<E extends DomainEventName> = DomainEvents[E] & { readonly trace: Context };

/**
 * Emits domain events, synchronously: listeners run before `emit` returns, so an event reaches its
 * sockets before the response that caused it leaves.
 */
@Injectable()
export class DomainEventBus {
  constructor(private readonly emitter: EventEmitter2) {}

  emit<E extends DomainEventName>(event: E, payload: DomainEvents[E]): void {
    const emitted: Emitted<E> = { ...payload, trace: context.active() };
    this.emitter.emit(event, emitted);
  }
}

type DomainEventHandler<E extends DomainEventName> = TypedPropertyDescriptor<(payload: Emitted<E>) => void>;

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
