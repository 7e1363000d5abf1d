import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request, written when the response is done: method, URL, host, client address,
 * status and response time, on the request's child logger (so it carries `reqId`, and pino's redaction
 * applies). Fastify's default writes two (on arrival and on completion). The arrival line stays at
 * `debug`, for tracing requests that never complete. Errors and Fastify's other lines are unchanged.
 */
export class OneLineRequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request) || error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    // Fastify's serializers turn these into { method, url, host, remoteAddress, remotePort } and { statusCode }.
    // The guard's user (passport sets request.user): who made the request, never the token itself.
    const user = (request as { user?: { id?: unknown; tokenId?: unknown } }).user;
    const caller = user ? { userId: user.id, jti: user.tokenId } : {};
    reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime, ...caller }, 'request completed');
  }
}
