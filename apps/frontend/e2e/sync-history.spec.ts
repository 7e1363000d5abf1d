import { expect, signIn, test } from './fixtures.js';

test('should show what changed while the tab was offline, without a reload, and say how many changes it caught up on', async ({ browser, newUser, newTask }) => {
  const owner = await newUser();
  const kept = await newTask(owner, { title: 'Kept task' });
  const doomed = await newTask(owner, { title: 'Doomed task' });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await signIn(page, owner);
    const rows = page.getByTestId('task-row');
    await expect(rows).toHaveCount(2);
    // A reload would lose this mark.
    await page.evaluate(() => document.body.setAttribute('data-no-reload', 'yes'));

    await context.setOffline(true);
    await expect(page.getByText('Offline', { exact: true })).toBeVisible();
    // Another device changes things meanwhile: one create, one edit, one delete.
    await owner.client.createTask({ title: 'Made while offline' });
    await owner.client.updateTask(kept.id, { title: 'Renamed while offline' });
    await owner.client.deleteTask(doomed.id);

    await context.setOffline(false);
    await expect(page.getByTestId('sync-note')).toHaveText('Caught up on 3 changes.', { timeout: 20_000 });
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    await expect(rows.filter({ hasText: 'Made while offline' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'Renamed while offline' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'Doomed task' })).toHaveCount(0);
    await expect(rows).toHaveCount(2);
    await expect(page.locator('body')).toHaveAttribute('data-no-reload', 'yes');

    // And it keeps following live changes afterwards.
    await owner.client.createTask({ title: 'Made after coming back' });
    await expect(rows.filter({ hasText: 'Made after coming back' })).toHaveCount(1);
  } finally {
    await context.close();
  }
});

test('should show a task’s history after a full lifecycle, updated live', async ({ page, newUser }) => {
  const owner = await newUser();
  await signIn(page, owner);
  const form = page.getByRole('form', { name: 'New task' });
  await form.getByLabel('Title').fill('Lifecycle task');
  await form.getByRole('button', { name: 'Add task' }).click();
  await page.getByTestId('task-row').filter({ hasText: 'Lifecycle task' }).click();
  const detail = page.getByTestId('task-detail');
  const history = detail.getByTestId('history').getByRole('listitem');
  await expect(history).toHaveText([/Created/]);

  await detail.getByRole('button', { name: 'Start' }).click();
  await expect(detail.getByTestId('task-status')).toHaveText('Running');
  await detail.getByLabel('Add a log entry').fill('halfway there');
  await detail.getByRole('button', { name: 'Add log' }).click();
  await expect(detail.getByTestId('log-list')).toContainText('halfway there');
  await detail.getByRole('button', { name: 'Fail…' }).click();
  await detail.getByLabel('What went wrong? (optional)').fill('disk full');
  await detail.getByRole('button', { name: 'Mark as failed' }).click();
  await expect(detail.getByTestId('task-status')).toHaveText('Failed');
  await detail.getByRole('button', { name: 'Retry' }).click();
  await expect(detail.getByTestId('task-status')).toHaveText('Pending');
  await detail.getByRole('button', { name: 'Complete' }).click();
  await expect(detail.getByTestId('task-status')).toHaveText('Completed');

  // Newest first, each entry with its time.
  await expect(history).toHaveText([
    /Status: Completed/,
    /Status: Pending/,
    /Status: Failed — disk full/,
    /Log \(info\): halfway there/,
    /Status: Running/,
    /Created/,
  ]);
  await expect(history.locator('time')).toHaveCount(6);
});
