import { expect, saveScreenshot, signIn, test } from './fixtures.js';

test('should show changes made in one tab live in another tab of the same user', async ({ browser, newUser, newTask }) => {
  const owner = await newUser();
  const existing = await newTask(owner, { title: 'Existing task' });
  const tabA = await browser.newContext();
  const tabB = await browser.newContext();
  try {
    const a = await tabA.newPage();
    const b = await tabB.newPage();
    await signIn(a, owner);
    await signIn(b, owner);
    const rowsB = b.getByTestId('task-row');
    await expect(rowsB).toHaveCount(1);

    // Created in A → listed in B
    const createA = a.getByRole('form', { name: 'New task' });
    await createA.getByLabel('Title').fill('Made in tab A');
    await createA.getByRole('button', { name: 'Add task' }).click();
    await expect(rowsB.filter({ hasText: 'Made in tab A' })).toHaveCount(1);

    // B has a task open; A starts and renames it → B's open task and list follow
    await rowsB.filter({ hasText: 'Existing task' }).click();
    const detailB = b.getByTestId('task-detail');
    await expect(detailB.getByTestId('task-status')).toHaveText('Pending');
    await a.getByTestId('task-row').filter({ hasText: 'Existing task' }).click();
    const detailA = a.getByTestId('task-detail');
    await detailA.getByRole('button', { name: 'Start' }).click();
    await expect(detailB.getByTestId('task-status')).toHaveText('Running');
    await detailA.getByRole('button', { name: 'Edit' }).click();
    await detailA.getByLabel('Title').fill('Renamed in tab A');
    await detailA.getByRole('button', { name: 'Save' }).click();
    await expect(detailB.getByRole('heading', { name: 'Renamed in tab A' })).toBeVisible();
    await expect(rowsB.filter({ hasText: 'Renamed in tab A' })).toHaveCount(1);

    // A log appended in A appears in B
    await detailA.getByLabel('Add a log entry').fill('hello from A');
    await detailA.getByRole('button', { name: 'Add log' }).click();
    await expect(detailB.getByTestId('log-list')).toContainText('hello from A');
    await saveScreenshot(b, 'live-update');

    // Deleted in A → gone from B, with a notice
    await detailA.getByRole('button', { name: 'Delete' }).click();
    await a.getByRole('dialog').getByRole('button', { name: 'Delete task' }).click();
    await expect(rowsB.filter({ hasText: 'Renamed in tab A' })).toHaveCount(0);
    await expect(b.getByText('The task you had open was deleted.')).toBeVisible();
    await expect(b.getByTestId('task-detail')).toHaveCount(0);
    await expect(owner.client.getTaskById(existing.id)).rejects.toMatchObject({ status: 404 });
  } finally {
    await tabA.close();
    await tabB.close();
  }
});

test('should keep a stale edit from overwriting a newer change made in another tab', async ({ browser, newUser, newTask }) => {
  const owner = await newUser();
  const task = await newTask(owner, { title: 'Shared title' });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await signIn(page, owner);
    await page.getByTestId('task-row').first().click();
    const detail = page.getByTestId('task-detail');
    await detail.getByRole('button', { name: 'Edit' }).click();
    await detail.getByLabel('Title').fill('My edit');
    // Another device changes the task while the form is open.
    await owner.client.updateTask(task.id, { title: 'Their edit' });
    await detail.getByRole('button', { name: 'Save' }).click();
    await expect(detail.getByRole('alert')).toContainText('changed in another tab or device');
    await expect(owner.client.getTaskById(task.id)).resolves.toMatchObject({ title: 'Their edit' });
  } finally {
    await context.close();
  }
});

test('should announce a deletion made elsewhere when this tab tried to delete the task and failed', async ({ browser, newUser, newTask }) => {
  const owner = await newUser();
  const task = await newTask(owner, { title: 'Contested task' });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await signIn(page, owner);
    await page.getByTestId('task-row').first().click();
    const detail = page.getByTestId('task-detail');
    // This tab's delete fails (the server answers 503 once); the task is still there.
    const taskUrl = `**/api/tasks/${task.id}`;
    await page.route(taskUrl, (route) =>
      route.request().method() === 'DELETE'
        ? route.fulfill({
            status: 503,
            contentType: 'application/problem+json',
            headers: { 'retry-after': '1' },
            body: JSON.stringify({ type: '/api/problems/unavailable', title: 'Service Unavailable', status: 503, detail: 'Try again.' }),
          })
        : route.fallback(),
    );
    await detail.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete task' }).click();
    await expect(detail.getByRole('alert')).toBeVisible();
    await page.unroute(taskUrl);
    await expect(detail).toBeVisible();
    await expect(owner.client.getTaskById(task.id)).resolves.toMatchObject({ title: 'Contested task' });
    // Then another device deletes it: this tab must say so, as for any deletion it did not make.
    await owner.client.deleteTask(task.id);
    await expect(page.getByText('The task you had open was deleted.')).toBeVisible();
    await expect(page.getByTestId('task-detail')).toHaveCount(0);
  } finally {
    await context.close();
  }
});
