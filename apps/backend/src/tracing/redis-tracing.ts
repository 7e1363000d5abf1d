import { SpanKind, trace } from '@opentelemetry/api';
import type { Redis } from 'ioredis';
import { fail, startSpan, tracingEnabled } from './tracing.js';

type SendCommand = Redis['sendCommand'];
type RedisCommand = Parameters<SendCommand>[0];

/**
 * A CLIENT span per Redis command issued inside a traced request (rate limits, Socket.IO broadcasts),
 * named by the command only: keys and values may hold addresses or emails. Commands outside any
 * request (the Socket.IO adapter's stream polling) get none, so they do not flood the traces.
 */
export function instrumentRedis(client: Redis): void {
  if (!tracingEnabled()) return;
  const send: SendCommand = client.sendCommand.bind(client);
  client.sendCommand = (command: RedisCommand, stream?: Parameters<SendCommand>[1]) => {
    if (!trace.getActiveSpan()?.isRecording()) return send(command, stream);
    const span = startSpan(`redis ${command.name}`, SpanKind.CLIENT, { 'db.system.name': 'redis', 'db.operation.name': command.name });
    command.promise.then(
      () => span?.end(),
      (error: unknown) => {
        if (span) fail(span, error);
        span?.end();
      },
    );
    return send(command, stream);
  };
}
