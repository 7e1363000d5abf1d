import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';

type NestReply = Parameters<FastifyAdapter['reply']>[0];

/**
 * Nest's Fastify adapter, except that a reply already sent is not sent again. That happens when a
 * tasks request outlives its budget: the client got its 503 (tasks/request-budget.ts), and the
 * handler's late result is dropped here instead of raising Fastify's "Reply was already sent".
 */
export class AppFastifyAdapter extends FastifyAdapter {
  override reply(response: NestReply, body: unknown, statusCode?: number): FastifyReply {
    if ('sent' in response && response.sent) return response;
    return super.reply(response, body, statusCode);
  }
}
