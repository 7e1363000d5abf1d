import type { Task } from '@tasks/schemas';
import { expect, signIn, test, type TestUser } from './fixtures.js';

async function failed(owner: TestUser, title: string): Promise<Task> {
  const task = await owner.client.createTask({ title });
  await owner.client.updateTask(task.id, { status: 'RUNNING' });
  return owner.client.updateTask(task.id, { status: 'FAILED', errorMessage: 'boom' });
}

test('should retry failed tasks in bulk, list the items it could not change, and retry all failed ones', async ({ page, newUser }) => {
  const owner = await newUser();
  const one = await failed(owner, 'Failed one');
  const two = await failed(owner, 'Failed two');
  const three = await failed(owner, 'Failed three');
  const pending = await owner.client.createTask({ title: 'Still pending' });
  await signIn(page, owner);
  const rows = page.getByTestId('task-row');
  await expect(rows).toHaveCount(4);
  const result = page.getByTestId('bulk-result');

  // Cancel over a failed task (not allowed) and a pending one: one applied, one listed with its reason.
  await page.getByRole('checkbox', { name: 'Select “Failed one”' }).check();
  await page.getByRole('checkbox', { name: 'Select “Still pending”' }).check();
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(result).toContainText('Cancelled 1 task. 1 task could not be changed:');
  await expect(result.getByRole('listitem')).toHaveText([/“Failed one”/]);
  await expect(rows.filter({ hasText: 'Still pending' }).getByTestId('task-status')).toHaveText('Cancelled');

  await page.getByRole('checkbox', { name: 'Select “Failed two”' }).check();
  await page.getByRole('button', { name: 'Retry failed' }).click();
  await expect(result).toHaveText('Retried 1 task.');
  await expect(rows.filter({ hasText: 'Failed two' }).getByTestId('task-status')).toHaveText('Pending');

  await page.getByRole('button', { name: 'Retry all failed' }).click();
  await expect(result).toHaveText('Retried 2 tasks.');
  for (const task of [one, two, three]) await expect(owner.client.getTaskById(task.id)).resolves.toMatchObject({ status: 'PENDING' });

  // Delete goes through the confirmation dialog.
  await page.getByRole('checkbox', { name: 'Select “Still pending”' }).check();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete tasks' }).click();
  await expect(result).toHaveText('Deleted 1 task.');
  await expect(rows).toHaveCount(3);
  await expect(owner.client.getTaskById(pending.id)).rejects.toMatchObject({ status: 404 });
});

test('should not reopen a task that left FAILED between "Retry all failed" listing it and retrying it', async ({ page, newUser }) => {
  const owner = await newUser();
  const moved = await failed(owner, 'Completed meanwhile');
  const still = await failed(owner, 'Still failed');
  await signIn(page, owner);
  await expect(page.getByTestId('task-row')).toHaveCount(2);

  // The page is answered the failed tasks as listed; then another client retries one and completes it.
  await page.route(
    /\/api\/tasks\?(.*&)?status=FAILED/,
    async (route) => {
      const listed = await owner.client.getTasks({ status: 'FAILED', limit: 100 });
      await owner.client.updateTask(moved.id, { status: 'PENDING' });
      await owner.client.updateTask(moved.id, { status: 'COMPLETED' });
      // A new version that is still FAILED: retried all the same.
      await owner.client.appendLog(still.id, { message: 'still failing' });
      await route.fulfill({ json: listed });
    },
    { times: 1 },
  );
  await page.getByRole('button', { name: 'Retry all failed' }).click();
  const result = page.getByTestId('bulk-result');
  await expect(result).toContainText('Retried 1 task. 1 task could not be changed:');
  await expect(result.getByRole('listitem')).toHaveText([/“Completed meanwhile”: is no longer failed/]);
  await expect(owner.client.getTaskById(moved.id)).resolves.toMatchObject({ status: 'COMPLETED' });
  await expect(owner.client.getTaskById(still.id)).resolves.toMatchObject({ status: 'PENDING' });
});

test('should search titles and descriptions, combined with the filters', async ({ page, newUser }) => {
  const owner = await newUser();
  const oat = await owner.client.createTask({ title: 'Buy oat milk' });
  await owner.client.createTask({ title: 'Call the plumber', description: 'The kitchen sink leaks; get milk on the way back' });
  await owner.client.createTask({ title: 'Water the plants' });
  await owner.client.updateTask(oat.id, { status: 'RUNNING' });
  await signIn(page, owner);
  const rows = page.getByTestId('task-row');
  await expect(rows).toHaveCount(3);

  await page.getByLabel('Search').fill('milk');
  await expect(rows).toHaveText([/Call the plumber/, /Buy oat milk/]);
  await page.getByLabel('Status', { exact: true }).selectOption('RUNNING');
  await expect(rows).toHaveText([/Buy oat milk/]);
  await page.getByLabel('Search').fill('nothing-like-this');
  await expect(page.getByText('No tasks match these filters.')).toBeVisible();
  await page.getByLabel('Status', { exact: true }).selectOption('');
  await page.getByLabel('Search').fill('');
  await expect(rows).toHaveCount(3);
});

test('should keep the status bar live when another client changes tasks', async ({ page, newUser }) => {
  const owner = await newUser();
  const first = await owner.client.createTask({ title: 'First' });
  await owner.client.createTask({ title: 'Second' });
  await signIn(page, owner);
  const bar = page.getByRole('img', { name: /^Tasks by status:/ });
  await expect(bar).toHaveAccessibleName('Tasks by status: 2 pending, 0 running, 0 completed, 0 failed, 0 cancelled');

  await owner.client.updateTask(first.id, { status: 'RUNNING' });
  await expect(bar).toHaveAccessibleName('Tasks by status: 1 pending, 1 running, 0 completed, 0 failed, 0 cancelled');
  await owner.client.updateTask(first.id, { status: 'FAILED' });
  await owner.client.createTask({ title: 'Third' });
  await expect(bar).toHaveAccessibleName('Tasks by status: 2 pending, 0 running, 0 completed, 1 failed, 0 cancelled');
});
