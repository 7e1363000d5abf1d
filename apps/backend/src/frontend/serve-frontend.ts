import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** apps/frontend/dist, the same distance from src/frontend and dist/frontend. */
export const FRONTEND_DIST = fileURLToPath(new URL('../../../frontend/dist/', import.meta.url));

const API_PATH = /^\/api(?:[/?]|$)/;
/** `/assets/app.js`: a request for a file, which must 404 when missing rather than get the page. */
const FILE_PATH = /\/[^/?]+\.[a-z0-9]+(?:\?|$)/i;

function setCacheHeaders(reply: FastifyReply, filePath: string): void {
  // Vite fingerprints everything under assets/; index.html must be revalidated to pick up new builds.
  const immutable = filePath.includes('/assets/');
  void reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
}

/**
 * Serves the built web UI at `/` when apps/frontend/dist exists: its files as they are, and
 * index.html for any other GET outside /api so client-side routes survive a reload.
 * Unknown /api paths keep their 404 problem document. Returns whether the UI is served.
 */
export async function serveFrontend(app: NestFastifyApplication, root: string = FRONTEND_DIST): Promise<boolean> {
  if (!existsSync(`${root}/index.html`)) return false;
  // wildcard: false registers one route per built file, leaving `/*` free for the SPA fallback.
  await app.register(fastifyStatic, { root, wildcard: false, cacheControl: false, setHeaders: setCacheHeaders });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/*', (request: FastifyRequest, reply: FastifyReply) => {
    if (API_PATH.test(request.url) || FILE_PATH.test(request.url)) return reply.callNotFound();
    return reply.sendFile('index.html');
  });
  return true;
}
