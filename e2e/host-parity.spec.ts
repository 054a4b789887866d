import { expect, test } from '@playwright/test';

// The determinism contract in a real browser: one scenario and seed, run with every node in the
// page and again with a Web Worker and an IndexedDB database per node, give one trace hash.
test('the same scenario and seed give the same trace hash in-process and in workers', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const nodeWorkers: string[] = [];
  page.on('worker', (w) => w.url().includes('node.worker') && nodeWorkers.push(w.url()));
  await page.goto('/?system-check');
  const status = page.getByTestId('parity-status');
  await expect(status).not.toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect(status).toHaveAttribute('data-status', 'ok');
  const inproc = await page.getByTestId('trace-hash-inproc').textContent();
  const worker = await page.getByTestId('trace-hash-worker').textContent();
  expect(inproc).toMatch(/^[0-9a-f]{16}$/);
  expect(worker).toBe(inproc);
  // The worker run really used one worker per node (plus the disk check's) and wrote one
  // IndexedDB database per node.
  await expect(page.getByTestId('parity-databases')).toHaveText('3');
  expect(nodeWorkers.length).toBeGreaterThanOrEqual(4);
  expect(errors).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/host-parity.png', fullPage: true });
});
