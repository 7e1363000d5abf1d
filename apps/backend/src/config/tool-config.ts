import path from 'node:path';
import { type AppConfig, loadConfig } from './app-config.js';

/**
 * The configuration of the command-line tools (`pnpm db:*`). They never sign tokens, so a missing
 * JWT_SECRET is not generated into DATA_DIR: a tool that refuses must leave the directory as it was.
 */
export function loadToolConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  return loadConfig({ ...source, JWT_SECRET: source.JWT_SECRET?.trim() || 'unused-by-command-line-tools-'.padEnd(48, '0') });
}

/**
 * A path the user typed on the command line, taken from where they typed it: `pnpm` runs the
 * backend's scripts in apps/backend and passes the original directory as INIT_CWD.
 */
export function userPath(file: string, source: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(source.INIT_CWD ?? process.cwd(), file);
}
