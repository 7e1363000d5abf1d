// What every part of `pnpm bench` shares: the parsed options, the log, the JWT settings both servers
// use, and where server logs and profiles go.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JwtSettings } from './database.js';
import { parseOptions, USAGE } from './options.js';
import { benchDir } from './paths.js';

export const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}
export const options = parseOptions(args);
export const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

export const jwtSettings: JwtSettings = { secret: randomBytes(48).toString('base64url'), issuer: 'tasks-api', audience: 'tasks-api' };
export const workDir = mkdtempSync(path.join(tmpdir(), 'tasks-bench-'));
export const serverUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
export const profileDir = path.join(benchDir, 'profiles');

/** Cleanups of what a part started, run in reverse order. */
export type Stops = (() => Promise<void>)[];
