import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface StartCommand {
  /** `NAME=value` assignments in front of `node`. */
  env: Record<string, string>;
  /** Flags given to node itself. */
  nodeArgs: string[];
  /** The script node runs, relative to the backend folder. */
  main: string;
}

/**
 * The backend's `start` script (`[NAME=value …] node [--flag …] dist/main.js`) taken apart, so that a
 * measurement (bench, abuse) runs the server with exactly the runtime settings `pnpm start` uses.
 */
export function startCommand(backendDir: string): StartCommand {
  const { scripts } = JSON.parse(readFileSync(path.join(backendDir, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0] ?? '')) {
    const [name = '', ...value] = (words.shift() ?? '').split('=');
    env[name] = value.join('=');
  }
  const main = words.pop();
  if (words.shift() !== 'node' || !main || words.some((word) => !word.startsWith('--'))) {
    throw new Error(`cannot read the backend's start script: ${scripts.start}`);
  }
  return { env, nodeArgs: words, main };
}
