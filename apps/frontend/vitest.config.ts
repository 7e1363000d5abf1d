import { defineConfig } from 'vitest/config';

// Unit tests of the UI's pure logic (node, no browser); the UI itself is tested by the E2E suite.
export default defineConfig({
  test: { include: ['src/**/*.spec.ts'], environment: 'node', allowOnly: !process.env.CI },
});
