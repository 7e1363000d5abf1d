import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** What a client may still send after its answer before the connection is cut anyway. */
const LINGER_BYTES = 32 * 1024 * 1024;
const LINGER_MS = 30_000;

/**
 * Answers refused before their body was read (413 on Content-Length) keep the connection open
 * while the client finishes sending, reading and discarding up to LINGER_BYTES for LINGER_MS (what
 * nginx's lingering close does). Fastify marks such answers `Connection: close`, and Node then
 * closes the socket with the body still arriving: the kernel answers the unread bytes with a RST,
 * and a client still writing (Node's fetch, which sends the body without waiting for
 * `100-continue`) sees EPIPE instead of the 413 already waiting in its buffer.
 */
export function registerLingeringClose(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 413 && !request.raw.complete && reply.getHeader('connection') === 'close') {
      // Keep-alive from Node's point of view: it reads the rest of the body and drops it.
      reply.removeHeader('connection');
      bound(request.raw.socket, () => request.raw.complete);
    }
    done(null, payload);
  });
}

/** Cuts the connection once the client has sent LINGER_BYTES more, or LINGER_MS went by unfinished. */
function bound(socket: Socket, complete: () => boolean): void {
  let received = 0;
  const stop = () => {
    clearTimeout(timer);
    socket.off('data', count);
  };
  const count = (chunk: Buffer) => {
    received += chunk.length;
    if (complete()) stop();
    else if (received > LINGER_BYTES) socket.destroy();
  };
  const timer = setTimeout(() => {
    if (!complete()) socket.destroy();
    stop();
  }, LINGER_MS);
  timer.unref();
  socket.on('data', count);
  socket.once('close', stop);
}
