import { EventEmitter } from 'node:events';
import type { INestApplicationContext } from '@nestjs/common';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Logger } from 'pino';
import { from, of } from 'rxjs';
import type { Socket } from 'socket.io';
import { describe, expect, it } from 'vitest';
import { SocketIoAdapter } from './socket-io.adapter.js';

// Neither the config nor Redis is read outside createIOServer.
const app = { get: () => ({}) } as unknown as INestApplicationContext;
const adapter = (): SocketIoAdapter => new SocketIoAdapter(app, {} as Logger);
/** Nest's per-socket disconnect streams, which its IoAdapter keeps for the message handlers. */
const disconnectStreams = (io: SocketIoAdapter): WeakMap<object, unknown> =>
  (io as unknown as { disconnectMap: WeakMap<object, unknown> }).disconnectMap;

describe('SocketIoAdapter.bindMessageHandlers', () => {
  it('should keep nothing for a socket of a gateway without message handlers', () => {
    const io = adapter();
    const socket = new EventEmitter() as unknown as Socket;
    io.bindMessageHandlers(socket, [], (response) => of(response));
    expect(disconnectStreams(io).has(socket)).toBe(false);
    expect((socket as unknown as EventEmitter).eventNames()).toEqual([]);
  });

  it('should still bind message handlers when a gateway has some', async () => {
    const io = adapter();
    const emitter = new EventEmitter();
    const socket = emitter as unknown as Socket;
    const handlers: MessageMappingProperties[] = [
      { message: 'ping', methodName: 'ping', callback: async (data: unknown) => `pong ${String(data)}`, isAckHandledManually: false },
    ];
    // As Nest's own transform: the handler's promise, settled.
    io.bindMessageHandlers(socket, handlers, (response) => from(Promise.resolve(response)));
    const acks: unknown[] = [];
    emitter.emit('ping', 'hi', (answer: unknown) => acks.push(answer));
    await new Promise(setImmediate);
    expect(acks).toEqual(['pong hi']);
    expect(disconnectStreams(io).has(socket)).toBe(true);
  });
});
