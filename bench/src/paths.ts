import { fileURLToPath } from 'node:url';

/** bench/ (this file runs as bench/dist/src/paths.js). */
export const benchDir = fileURLToPath(new URL('../../', import.meta.url));
export const repoDir = fileURLToPath(new URL('../../../', import.meta.url));
export const backendDir = fileURLToPath(new URL('../../../apps/backend/', import.meta.url));
export const baselineEntry = fileURLToPath(new URL('../baseline/server.js', import.meta.url));
