import { expect, test } from '@playwright/test';

// The browser benchmark's page (bench.html, driven by bench/browser.bench.ts) loads under the CSP
// and completes a short run with a worker and an IndexedDB database per node. Its figures belong
// to `npm run bench -- browser`; nothing here is timed.
test('the benchmark page runs a short worker-host load and publishes its result', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/bench.html?concurrency=4&sim=0.5');
  const result = page.locator('#bench-result');
  await expect(result).not.toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect(result).toHaveAttribute('data-status', 'done');
  const state = await page.evaluate(() => window.raftlabBench);
  expect(state?.result?.committedPuts).toBeGreaterThan(0);
  expect(state?.result?.failedPuts).toBe(0);
  expect(state?.result?.databases).toBe(3);
  expect(state?.result?.traceHash).toMatch(/^[0-9a-f]{16}$/);
  expect(errors).toEqual([]);
});
