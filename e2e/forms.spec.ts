import { expect, test, type Page } from '@playwright/test';

// The console's operations as forms: each shows the etcdctl command it runs, and its answer
// prints as etcdctl prints it.

const leader = (page: Page) =>
  page.locator('[data-testid^="node-"][data-role="StateLeader"][data-liveness="up"]');

test('forms run etcdctl commands for those who prefer clicking', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await expect(page.getByTestId('client-answer')).toContainText('put ok', { timeout: 10_000 });

  await page.getByRole('button', { name: 'Forms', exact: true }).click();
  const operation = page.getByRole('combobox', { name: 'Operation' });
  const command = page.getByTestId('form-command');
  const output = page.getByTestId('form-output');
  const run = page.locator('#forms-body').getByRole('button', { name: 'Run', exact: true });

  await operation.selectOption({ label: 'Transaction: if, then, else' });
  await expect(command).toHaveText(
    `etcdctl txn 'value("greeting") = "hello"' 'put greeting hi' 'get greeting'`,
  );
  await run.click();
  // etcdctl 3.4 prints a txn's outcome, a blank line, then each op's answer
  await expect(output.locator('pre').last()).toHaveText('SUCCESS\n\nOK', { timeout: 10_000 });

  await operation.selectOption({ label: 'Get a key or a range' });
  await page.locator('#forms-body').getByLabel('--prefix').check();
  await expect(command).toHaveText('etcdctl get greeting --prefix');
  await run.click();
  await expect(output.locator('pre').last()).toHaveText('greeting\nhi', { timeout: 10_000 });

  await operation.selectOption({ label: 'Grant a lease' });
  await run.click();
  await expect(output.locator('pre').last()).toHaveText(
    /^lease [0-9a-f]+ granted with TTL\(60s\)$/,
    {
      timeout: 10_000,
    },
  );
  // The same lines are in the console, which a share link replays.
  await page.getByRole('button', { name: 'Console', exact: true }).click();
  await expect(page.getByTestId('console-output')).toContainText('granted with TTL(60s)');
  await page.locator('#forms-body').screenshot({ path: 'test-results/screenshots/forms.png' });
  expect(errors).toEqual([]);
});
