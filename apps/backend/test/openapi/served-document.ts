import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../support/test-app.js';

export interface ServedDocument {
  app: TestApp;
  /** The document as /api/openapi.json served it. */
  document: Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };
  /** The same, written to a file for the command-line tools. */
  file: string;
  dir: string;
  close(): Promise<void>;
}

/** Starts the app, fetches its served OpenAPI document and writes it to a temporary file. */
export async function servedDocument(): Promise<ServedDocument> {
  const app = await startTestApp();
  const response = await fetch(`${app.url}/api/openapi.json`);
  if (response.status !== 200) throw new Error(`openapi.json answered ${response.status}`);
  const document = (await response.json()) as ServedDocument['document'];
  const dir = mkdtempSync(join(tmpdir(), 'tasks-openapi-'));
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(document, null, 2));
  return {
    app,
    document,
    file,
    dir,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
