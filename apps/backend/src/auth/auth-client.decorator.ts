import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Who is calling an auth route, and where its rate-limit headers go. */
export interface AuthClient {
  /** The client address as Fastify resolved it (TRUST_PROXY decides whether forwarded headers count). */
  readonly ip: string;
  readonly reqId: string;
  setHeaders(headers: Readonly<Record<string, string>>): void;
}

export const Client = createParamDecorator((_data: unknown, context: ExecutionContext): AuthClient => {
  const http = context.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const reply = http.getResponse<FastifyReply>();
  return {
    ip: request.ip,
    reqId: request.id,
    setHeaders: (headers) => {
      void reply.headers(headers);
    },
  };
});
