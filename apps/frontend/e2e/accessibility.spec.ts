import { expect, saveScreenshot, signIn, test } from './fixtures.js';

test('should be usable with the keyboard alone', async ({ page, newUser }) => {
  const user = await newUser();
  await page.goto('/');
  await page.getByLabel('Email').focus();
  await page.keyboard.type(user.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(user.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();

  const title = page.getByRole('form', { name: 'New task' }).getByLabel('Title');
  await title.focus();
  await page.keyboard.type('Typed, not clicked');
  await page.keyboard.press('Enter');
  const row = page.getByTestId('task-row').first();
  await expect(row).toContainText('Typed, not clicked');

  await row.focus();
  await page.keyboard.press('Enter');
  const detail = page.getByTestId('task-detail');
  await expect(detail.getByRole('heading', { name: 'Typed, not clicked' })).toBeFocused();
  await detail.getByRole('button', { name: 'Delete' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Keep it' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('task-row')).toHaveCount(1);
});

test('should fit a 375 px wide phone screen without sideways scrolling', async ({ browser, newUser, newTask }) => {
  const user = await newUser();
  await newTask(user, { title: 'Call the plumber about the kitchen sink', priority: 'URGENT' });
  await newTask(user, { title: 'Buy milk', priority: 'LOW' });
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  try {
    const page = await context.newPage();
    await signIn(page, user);
    const noOverflow = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await noOverflow()).toBe(true);
    await saveScreenshot(page, 'mobile-list');

    await page.getByTestId('task-row').filter({ hasText: 'plumber' }).click();
    const detail = page.getByTestId('task-detail');
    await expect(detail).toBeVisible();
    // On a phone the open task replaces the list; "All tasks" goes back.
    await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeHidden();
    expect(await noOverflow()).toBe(true);
    await saveScreenshot(page, 'mobile-detail');
    await detail.getByRole('button', { name: '← All tasks' }).click();
    await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();
  } finally {
    await context.close();
  }
});
