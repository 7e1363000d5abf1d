import { expect, signIn, test } from './fixtures.js';

test('should never show a user the tasks of another user, not even live', async ({ browser, newUser, newTask }) => {
  const alice = await newUser();
  const bob = await newUser();
  await newTask(alice, { title: 'Alice private plan' });
  const aliceTab = await browser.newContext();
  const bobTab = await browser.newContext();
  try {
    const a = await aliceTab.newPage();
    const b = await bobTab.newPage();
    await signIn(a, alice);
    await signIn(b, bob);
    await expect(a.getByTestId('task-row')).toHaveCount(1);
    await expect(b.getByText('No tasks yet')).toBeVisible();

    // Alice creates a task; her own other tab would see it live (sync point), Bob's must not.
    const aliceSecond = await aliceTab.newPage();
    await aliceSecond.goto('/');
    await expect(aliceSecond.getByTestId('task-row')).toHaveCount(1);
    await expect(aliceSecond.getByText('Live', { exact: true })).toBeVisible();
    await alice.client.createTask({ title: 'Alice second plan' });
    await expect(aliceSecond.getByTestId('task-row')).toHaveCount(2);
    // Bob creates one too: once his own event has arrived, Alice's would have arrived before it.
    await bob.client.createTask({ title: 'Bob own task' });
    await expect(b.getByTestId('task-row')).toHaveCount(1);
    await expect(b.getByTestId('task-row')).toHaveText([/Bob own task/]);
    await expect(b.getByText('Alice')).toHaveCount(0);
  } finally {
    await aliceTab.close();
    await bobTab.close();
  }
});

test('should answer 404 when a user asks for another user\'s task by id', async ({ newUser, newTask }) => {
  const alice = await newUser();
  const bob = await newUser();
  const task = await newTask(alice);
  await expect(bob.client.getTaskById(task.id)).rejects.toMatchObject({ status: 404 });
  await expect(bob.client.updateTask(task.id, { title: 'mine now' })).rejects.toMatchObject({ status: 404 });
  await expect(bob.client.deleteTask(task.id)).rejects.toMatchObject({ status: 404 });
  await expect(alice.client.getTaskById(task.id)).resolves.toMatchObject({ title: task.title });
});
