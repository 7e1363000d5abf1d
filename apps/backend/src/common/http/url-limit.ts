import type { FastifyInstance } from 'fastify';
import { DomainError } from '../errors/domain-error.js';
import { sendProblem } from '../filters/send-problem.js';

/**
 * Longest request target served: room for a 10 KB query the schemas refuse by name; past 16 KiB
 * for the whole request head, Node itself answers 431.
 */
export const MAX_URL_LENGTH = 12 * 1024;

export class UriTooLongError extends DomainError {
  constructor() {
    super('uri-too-long', `The request URL is longer than ${MAX_URL_LENGTH} characters.`);
  }
}

/** A URL over MAX_URL_LENGTH is a 414 problem before anything else looks at it. */
export function registerUrlLimit(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.url.length <= MAX_URL_LENGTH) {
      done();
      return;
    }
    sendProblem(new UriTooLongError(), request, reply);
  });
}
