import { TITLE_MAX_LENGTH } from '@tasks/schemas';
import { expect, signIn, test } from './fixtures.js';

test.describe('error display', () => {
  test('should show field errors next to the fields when sign-up input is invalid', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.locator('#auth-email-error')).toBeVisible();
    await expect(page.locator('#auth-password-error')).toBeVisible();
    await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Password')).toHaveAttribute('aria-describedby', 'auth-password-error');
    await expect(page.getByTestId('account-email')).toHaveCount(0);
  });

  test('should say so when the email is already registered', async ({ page, newUser }) => {
    const existing = await newUser();
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByLabel('Email').fill(existing.email);
    await page.getByLabel('Password').fill('another password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(page.getByRole('alert')).not.toBeEmpty();
  });

  test('should show one clear message when the password is wrong', async ({ page, newUser }) => {
    const user = await newUser();
    await page.goto('/');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(page.getByTestId('account-email')).toHaveCount(0);
  });

  test('should show the title error next to the field and create nothing when the title is blank or too long', async ({ page, newUser }) => {
    const user = await newUser();
    await signIn(page, user);
    const create = page.getByRole('form', { name: 'New task' });
    await create.getByLabel('Title').fill('    ');
    await create.getByRole('button', { name: 'Add task' }).click();
    await expect(create.locator('#new-title-error')).toBeVisible();
    await expect(create.getByLabel('Title')).toHaveAttribute('aria-invalid', 'true');

    await create.getByLabel('Title').fill('x'.repeat(TITLE_MAX_LENGTH + 1));
    await create.getByRole('button', { name: 'Add task' }).click();
    await expect(create.locator('#new-title-error')).toContainText(String(TITLE_MAX_LENGTH));

    await create.getByLabel('Title').fill('Fine now');
    await create.getByRole('button', { name: 'Add task' }).click();
    await expect(create.locator('#new-title-error')).toHaveCount(0);
    await expect(page.getByTestId('task-row')).toHaveCount(1);
    expect((await user.client.getTasks()).total).toBe(1);
  });

  test('should show the error next to the log field when the message is empty', async ({ page, newUser, newTask }) => {
    const user = await newUser();
    await newTask(user);
    await signIn(page, user);
    await page.getByTestId('task-row').first().click();
    const detail = page.getByTestId('task-detail');
    await detail.getByRole('button', { name: 'Add log' }).click();
    await expect(detail.locator('#log-message-error')).toBeVisible();
    await expect(detail.getByText('No log entries yet.')).toBeVisible();
  });

  test('should return to sign-in with a notice when the session is revoked elsewhere', async ({ page, newUser, anonymous }) => {
    const user = await newUser();
    await signIn(page, user);
    // Sign the page's own token out from outside the page, then act in the page.
    anonymous.setToken(await page.evaluate(() => window.localStorage.getItem('tasks.token')));
    await anonymous.logout();
    const create = page.getByRole('form', { name: 'New task' });
    await create.getByLabel('Title').fill('Too late');
    await create.getByRole('button', { name: 'Add task' }).click();
    await expect(page.getByText('Your session has ended. Please sign in again.')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible();
    expect((await user.client.getTasks()).total).toBe(0);
  });
});
