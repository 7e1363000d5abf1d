import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import type { CreateTaskInput, Task, User } from '@tasks/schemas';
import { createContractClient, type ContractClient } from '../src/lib/api/contract-client.js';

export { expect };

export function baseUrl(): string {
  const url = process.env.E2E_BASE_URL;
  if (url === undefined) throw new Error('E2E_BASE_URL is not set: run the suite through playwright.config.ts (global setup)');
  return url;
}

export interface TestUser {
  email: string;
  password: string;
  user: User;
  /** A contract client signed in as this user. */
  client: ContractClient;
}

interface Fixtures {
  /** Signs up a fresh user through the contract client. */
  newUser(): Promise<TestUser>;
  /** Creates a task for `owner` through the contract client. */
  newTask(owner: TestUser, overrides?: Partial<CreateTaskInput>): Promise<Task>;
  /** An anonymous contract client. */
  anonymous: ContractClient;
}

export const test = base.extend<Fixtures>({
  // The server's port is only known after global setup, so the URL arrives through the environment.
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => use(baseUrl()),
  // eslint-disable-next-line no-empty-pattern
  anonymous: async ({}, use) => use(createContractClient({ baseUrl: baseUrl() })),
  // eslint-disable-next-line no-empty-pattern
  newUser: async ({}, use) => {
    await use(async () => {
      const client = createContractClient({ baseUrl: baseUrl() });
      const email = `user-${randomUUID()}@e2e.example.com`;
      const password = `pw-${randomUUID()}`;
      const auth = await client.register({ email, password });
      return { email, password, user: auth.user, client };
    });
  },
  // eslint-disable-next-line no-empty-pattern
  newTask: async ({}, use) => {
    let n = 0;
    await use((owner, overrides = {}) => owner.client.createTask({ title: `Task ${++n} ${randomUUID().slice(0, 8)}`, ...overrides }));
  },
});

/** Signs in through the UI (the sign-in form is the first screen). */
export async function signIn(page: Page, user: Pick<TestUser, 'email' | 'password'>): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
  await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
}

export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../../docs/screenshots');

/** Saves a README screenshot when E2E_SCREENSHOTS=1 (`pnpm --filter @tasks/frontend screenshots`). */
export async function saveScreenshot(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  if (process.env.E2E_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage });
}
