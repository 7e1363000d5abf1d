import path from 'node:path';

/**
 * A path the user typed on the command line, taken from where they typed it: `pnpm` runs the
 * backend's scripts in apps/backend and passes the original directory as INIT_CWD.
 */
export function userPath(file: string, source: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(source.INIT_CWD ?? process.cwd(), file);
}
