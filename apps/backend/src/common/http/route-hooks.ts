import type { onRequestHookHandler, onResponseHookHandler, RouteOptions } from 'fastify';

/** Adds `hook` after a route's own hooks of that name (from an `onRoute` hook, before the route registers). */
export function appendRouteHook(route: RouteOptions, name: 'onRequest', hook: onRequestHookHandler): void;
export function appendRouteHook(route: RouteOptions, name: 'onResponse', hook: onResponseHookHandler): void;
export function appendRouteHook(route: RouteOptions, name: 'onRequest' | 'onResponse', hook: unknown): void {
  const current: unknown = route[name];
  const hooks: unknown[] = current === undefined ? [] : Array.isArray(current) ? current : [current];
  Object.assign(route, { [name]: [...hooks, hook] });
}

/** Whether the route answers `method` (a route declares one method or several). */
export function routeHasMethod(route: RouteOptions, method: string): boolean {
  return Array.isArray(route.method) ? route.method.includes(method) : route.method === method;
}
