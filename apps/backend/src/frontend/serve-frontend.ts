import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** apps/frontend/dist, the same distance from src/frontend and dist/frontend. */
export const FRONTEND_DIST = fileURLToPath(new URL('../../../frontend/dist/', import.meta.url));

/** `/api…` in any case: never the UI, even where it is not a route (paths are case-sensitive). */
const API_PATH = /^\/api(?:[/?]|$)/i;
/** `//api//tasks` and the like: not a page of the UI either. */
const EMPTY_SEGMENT = /^[^?]*\/\//;
/** `/assets/app.js`: a request for a file, which must 404 when missing rather than get the page. */
const FILE_PATH = /\/[^/?]+\.[a-z0-9]+(?:\?|$)/i;

function setCacheHeaders(reply: FastifyReply, filePath: string): void {
  // Vite fingerprints everything under assets/; index.html must be revalidated to pick up new builds.
  const immutable = filePath.includes('/assets/');
  void reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
}

/** Whether a request that matched no file is a page load of the UI (its client-side routes). */
function isPageLoad(request: FastifyRequest): boolean {
  const { url } = request;
  if (API_PATH.test(url) || EMPTY_SEGMENT.test(url) || FILE_PATH.test(url)) return false;
  // A browser navigating asks for HTML; an API client (JSON, */*) gets the 404 problem instead.
  return request.headers.accept?.includes('text/html') === true;
}

/**
 * Serves the built web UI at `/` when apps/frontend/dist exists: its files as they are, and
 * index.html for a GET (or HEAD) page load outside /api so client-side routes survive a reload.
 * Everything else that matches no route keeps its 404 problem document. Returns whether the UI is served.
 */
export async function serveFrontend(app: NestFastifyApplication, root: string = FRONTEND_DIST): Promise<boolean> {
  if (!existsSync(`${root}/index.html`)) return false;
  // wildcard: false registers one route per built file, leaving `/*` free for the SPA fallback.
  await app.register(fastifyStatic, { root, wildcard: false, cacheControl: false, setHeaders: setCacheHeaders });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/*', (request: FastifyRequest, reply: FastifyReply) => {
    if (!isPageLoad(request)) return reply.callNotFound();
    return reply.sendFile('index.html');
  });
  return true;
}
