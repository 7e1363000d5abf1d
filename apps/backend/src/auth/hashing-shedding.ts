import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { sendProblem } from '../common/filters/send-problem.js';
import { appendRouteHook, routeHasMethod } from '../common/http/route-hooks.js';
import { HashingBusyError } from './auth.errors.js';
import type { PasswordHasher } from './password.hasher.js';

/**
 * Sign-ins and registrations that the full hashing queue would refuse are answered in the route's
 * onRequest hook, before the body is parsed and before Nest's pipeline: under a login flood a
 * refusal then costs a small part of a request, and everyone else's requests keep their turn on the
 * event loop. The service checks again (the queue may fill after this hook). Must run before the
 * routes are registered.
 */
export function registerHashingShedding(fastify: FastifyInstance, paths: readonly string[], hasher: PasswordHasher): void {
  const shed: onRequestHookHandler = (request, reply, done) => {
    if (!hasher.saturated) {
      done();
      return;
    }
    hasher.refused();
    sendProblem(new HashingBusyError(), request, reply);
  };
  fastify.addHook('onRoute', (route) => {
    if (paths.includes(route.url) && routeHasMethod(route, 'POST')) appendRouteHook(route, 'onRequest', shed);
  });
}
