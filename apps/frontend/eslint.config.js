import { config } from '@tasks/eslint-config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default [
  ...config({ tsconfigRootDir: import.meta.dirname, ignores: ['test-results/**', 'playwright-report/**'] }),
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // The UI and the E2E suite talk to the API only through the typed contract client (the E2E
    // status-code checks use Playwright's `request` fixture on purpose).
    files: ['src/**/*.{ts,tsx}', 'e2e/**/*.ts'],
    ignores: ['src/lib/api/contract-client.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Use the contract client (src/lib/api/contract-client.ts).' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='fetch'][callee.object.name!='request']", message: 'Use the contract client (src/lib/api/contract-client.ts).' }],
    },
  },
];
