import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** The methods some route serves at this concrete path (empty: no route has the path). */
    routeMethods?: (path: string) => readonly string[];
  }
}

/** `/api/tasks/:id` → a RegExp for concrete paths (params one segment, `*` anything). */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Remembers which methods each route serves, so a known path asked with another method is a 405
 * with `Allow` (RFC 9110 §15.5.6) rather than a 404. Catch-all routes (the UI's fallback, CORS
 * preflights) say nothing about a path and are left out. Looked up only when no route matched.
 */
export function trackRouteMethods(fastify: FastifyInstance): void {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  fastify.addHook('onRoute', (route) => {
    if (route.url === '*' || route.url === '/*') return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((method) => method !== 'OPTIONS');
    if (methods.length > 0) routes.push({ pattern: patternOf(route.url), methods });
  });
  fastify.decorate('routeMethods', (path: string): readonly string[] => {
    const allowed = new Set<string>();
    for (const route of routes) if (route.pattern.test(path)) for (const method of route.methods) allowed.add(method);
    return [...allowed].sort();
  });
}
