import { randomUUID } from 'node:crypto';
import { expect, saveScreenshot, signIn, test } from './fixtures.js';

test('should take a user from sign-up through the whole task lifecycle to sign-out', async ({ page }) => {
  const email = `ana-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'correct horse battery';

  // Sign up
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible();
  await saveScreenshot(page, 'sign-in');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await expect(page.getByText('No tasks yet')).toBeVisible();

  // Create
  const create = page.getByRole('form', { name: 'New task' });
  await create.getByLabel('Title').fill('Ship the release');
  await create.getByLabel('Description (optional)').fill('Tag, build and publish');
  await create.getByLabel('Priority').selectOption('HIGH');
  await create.getByRole('button', { name: 'Add task' }).click();
  const rows = page.getByTestId('task-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Ship the release');
  await expect(create.getByLabel('Title')).toHaveValue('');

  // Open and edit
  await rows.first().click();
  const detail = page.getByTestId('task-detail');
  await expect(detail.getByRole('heading', { name: 'Ship the release' })).toBeVisible();
  await expect(detail.getByText('Tag, build and publish')).toBeVisible();
  await detail.getByRole('button', { name: 'Edit' }).click();
  await detail.getByLabel('Title').fill('Ship release 2.0');
  await detail.getByLabel('Description').fill('Tag, build, publish and announce');
  await detail.getByLabel('Priority').selectOption('URGENT');
  await detail.getByRole('button', { name: 'Save' }).click();
  await expect(detail.getByRole('heading', { name: 'Ship release 2.0' })).toBeVisible();
  await expect(detail.getByTestId('task-priority')).toHaveText('Urgent');
  await expect(rows.first()).toContainText('Ship release 2.0');

  // Lifecycle: start → fail (with message) → retry → start → complete → reopen → cancel → reopen
  const status = detail.getByTestId('task-status');
  const press = async (name: string, expected: string) => {
    await detail.getByRole('button', { name, exact: true }).click();
    await expect(status).toHaveText(expected);
  };
  await expect(detail.getByRole('button', { name: 'Fail…' })).toHaveCount(0);
  await press('Start', 'Running');
  await detail.getByRole('button', { name: 'Fail…' }).click();
  await detail.getByLabel('What went wrong? (optional)').fill('Signing key expired');
  await detail.getByRole('button', { name: 'Mark as failed' }).click();
  await expect(status).toHaveText('Failed');
  await expect(detail.getByTestId('task-error-message')).toContainText('Signing key expired');
  await saveScreenshot(page, 'task-failed');
  await press('Retry', 'Pending');
  await expect(detail.getByTestId('task-error-message')).toHaveCount(0);
  await press('Start', 'Running');
  await press('Complete', 'Completed');
  await expect(detail.getByRole('button', { name: 'Start' })).toHaveCount(0);
  await press('Reopen', 'Pending');
  await press('Cancel task', 'Cancelled');
  await press('Reopen', 'Pending');

  // Logs
  await detail.getByLabel('Add a log entry').fill('Build #42 green');
  await detail.getByRole('button', { name: 'Add log' }).click();
  await expect(detail.getByTestId('log-list')).toContainText('Build #42 green');
  await detail.getByLabel('Add a log entry').fill('Mirror slow');
  await detail.getByLabel('Level').selectOption('warn');
  await detail.getByRole('button', { name: 'Add log' }).click();
  const logs = detail.getByTestId('log-list').getByRole('listitem');
  await expect(logs).toHaveCount(2);
  // Newest first.
  await expect(logs.nth(0)).toContainText('Mirror slow');
  await expect(logs.nth(0)).toContainText('warn');
  await expect(logs.nth(1)).toContainText('Build #42 green');
  await expect(detail.getByLabel('Add a log entry')).toHaveValue('');

  // More tasks for filters, sorting and pages
  for (const [title, priority] of [
    ['Write changelog', 'LOW'],
    ['Update docs', 'MEDIUM'],
  ] as const) {
    await create.getByLabel('Title').fill(title);
    await create.getByLabel('Priority').selectOption(priority);
    await create.getByRole('button', { name: 'Add task' }).click();
    await expect(rows.filter({ hasText: title })).toHaveCount(1);
  }
  await expect(rows).toHaveCount(3);
  await rows.filter({ hasText: 'Update docs' }).click();
  await detail.getByRole('button', { name: 'Start' }).click();
  await expect(status).toHaveText('Running');
  // The list shows the change as soon as the detail does.
  await expect(rows.filter({ hasText: 'Update docs' })).toContainText('Running');
  await saveScreenshot(page, 'task-list');

  const filters = page.getByRole('group', { name: 'Filter and sort' });
  await filters.getByLabel('Status').selectOption('RUNNING');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Update docs');
  await filters.getByLabel('Status').selectOption('');
  await filters.getByLabel('Priority').selectOption('LOW');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Write changelog');
  await filters.getByLabel('Priority').selectOption('');
  await filters.getByLabel('Sort by').selectOption('-priority');
  await expect(rows).toHaveText([/Ship release 2\.0/, /Update docs/, /Write changelog/]);
  await filters.getByLabel('Sort by').selectOption('createdAt');
  await expect(rows).toHaveText([/Ship release 2\.0/, /Write changelog/, /Update docs/]);

  // Delete with confirmation: first decline, then confirm
  await rows.filter({ hasText: 'Write changelog' }).click();
  await detail.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this task?' });
  await expect(dialog).toBeVisible();
  await saveScreenshot(page, 'delete-confirmation', { fullPage: false });
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  await expect(dialog).toBeHidden();
  await expect(rows).toHaveCount(3);
  await detail.getByRole('button', { name: 'Delete' }).click();
  await dialog.getByRole('button', { name: 'Delete task' }).click();
  await expect(rows).toHaveCount(2);
  await expect(page.getByText('Task deleted.')).toBeVisible();
  await expect(detail).toHaveCount(0);

  // The session survives a reload; signing out ends it
  await page.reload();
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await expect(rows).toHaveCount(2);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible();

  // …and signing in again finds the same tasks
  await page.getByLabel('Email').fill(email.toUpperCase());
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
  await expect(rows).toHaveCount(2);
});

test('should page through the list ten tasks at a time', async ({ page, newUser, newTask }) => {
  const user = await newUser();
  for (let i = 1; i <= 12; i++) await newTask(user, { title: `Paged task ${String(i).padStart(2, '0')}` });
  await signIn(page, user);
  const rows = page.getByTestId('task-row');
  const pager = page.getByRole('navigation', { name: 'Pages' });
  await expect(rows).toHaveCount(10);
  await expect(pager.getByTestId('page-info')).toHaveText('1–10 of 12');
  await expect(pager.getByRole('button', { name: 'Previous' })).toBeDisabled();
  await expect(rows.first()).toContainText('Paged task 12');

  await pager.getByRole('button', { name: 'Next' }).click();
  await expect(pager.getByTestId('page-info')).toHaveText('11–12 of 12');
  await expect(rows).toHaveText([/Paged task 02/, /Paged task 01/]);
  await expect(pager.getByRole('button', { name: 'Next' })).toBeDisabled();

  // Deleting the last tasks of the last page steps back to the page before.
  await user.client.getTasks({ sort: 'createdAt', limit: 2 }).then(({ items }) => Promise.all(items.map((t) => user.client.deleteTask(t.id))));
  await expect(pager.getByTestId('page-info')).toHaveText('1–10 of 10');
  await expect(rows).toHaveCount(10);
});

test('should show a task’s log newest first, fifty at a time, and load older entries on request', async ({ page, newUser, newTask }) => {
  const user = await newUser();
  const task = await newTask(user, { title: 'Chatty task' });
  for (let i = 1; i <= 55; i++) await user.client.appendLog(task.id, { message: `entry ${String(i).padStart(2, '0')}` });
  await signIn(page, user);
  await page.getByTestId('task-row').filter({ hasText: 'Chatty task' }).click();
  const detail = page.getByTestId('task-detail');
  const entries = detail.getByTestId('log-list').getByRole('listitem');
  await expect(entries).toHaveCount(50);
  await expect(entries.first()).toContainText('entry 55');
  await expect(entries.last()).toContainText('entry 06');

  await detail.getByRole('button', { name: 'Load older entries' }).click();
  await expect(entries).toHaveCount(55);
  await expect(entries.last()).toContainText('entry 01');
  await expect(detail.getByRole('button', { name: 'Load older entries' })).toHaveCount(0);

  // An entry appended elsewhere arrives live, on top.
  await user.client.appendLog(task.id, { message: 'appended elsewhere', level: 'error' });
  await expect(entries.first()).toContainText('appended elsewhere');
  await expect(entries).toHaveCount(56);
});
