import { expect, test } from '@playwright/test';

// Settings' "Client latency" (clientLatencyMs): a client's call takes that long to reach a member.
// Changed in the running cluster it is recorded as set-network, narrated, and the cluster — whose
// worker host now runs nodes side by side — goes on answering.
test('client latency set in Settings is recorded, narrated, and the cluster still answers', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('node-1')).toBeVisible({ timeout: 15_000 });
  await page.getByText('Settings', { exact: true }).click();
  await page.getByRole('textbox', { name: 'Client latency', exact: true }).fill('2');
  await page.getByRole('button', { name: 'Apply now', exact: true }).click();
  await expect(page.getByText(/Recorded in this run: set-network/)).toBeVisible();
  await expect(page.getByText(/client latency 2 ms/).first()).toBeVisible({ timeout: 10_000 });
  // A put through the client panel still gets its answer.
  await page.getByRole('textbox', { name: 'Key' }).fill('far');
  await page.getByRole('textbox', { name: 'Value' }).fill('away');
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await expect(page.getByTestId('client-answer')).toHaveText(/put ok \(revision \d+\)/, {
    timeout: 15_000,
  });
  expect(errors).toEqual([]);
});
