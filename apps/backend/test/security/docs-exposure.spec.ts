import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemSchema } from '@tasks/schemas';
import { call } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// A file of its own: a second in-process app would share process-wide state with the main suite's.
describe('API8 security misconfiguration: docs exposure', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { API_DOCS_ENABLED: 'false' } });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it.each(['/api/openapi.json', '/api/docs', '/api/docs/index.html', '/api/docs/swagger-ui-init.js'])('should answer 404 as a problem for %s when API_DOCS_ENABLED is false', async (path) => {
    const response = await call(t.url, 'GET', path);
    expect(response.status).toBe(404);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(problemSchema.safeParse(response.body).success).toBe(true);
  });
});
