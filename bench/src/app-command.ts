import { readFileSync } from 'node:fs';
import path from 'node:path';
import { backendDir } from './paths.js';

export interface AppCommand {
  /** `NAME=value` assignments in front of `node`. */
  env: Record<string, string>;
  /** Flags given to node itself. */
  nodeArgs: string[];
  /** The script node runs, relative to the backend folder. */
  entry: string;
}

/**
 * The backend's `start` script (`[NAME=value …] node [--flag …] dist/main.js`), taken apart so the bench
 * runs the app with exactly the runtime settings `pnpm start` uses (heap limit, malloc tuning).
 */
export function appStartCommand(): AppCommand {
  const pkg = JSON.parse(readFileSync(path.join(backendDir, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  const env: Record<string, string> = {};
  let i = 0;
  for (; i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!); i++) {
    const [name, ...value] = words[i]!.split('=');
    env[name!] = value.join('=');
  }
  if (words[i] !== 'node') throw new Error(`cannot read the backend's start script: ${pkg.scripts.start}`);
  const rest = words.slice(i + 1);
  const entry = rest.pop();
  if (!entry || rest.some((word) => !word.startsWith('--'))) throw new Error(`cannot read the backend's start script: ${pkg.scripts.start}`);
  return { env, nodeArgs: rest, entry };
}
