import { expect, test } from '@playwright/test';
import { runBenchPage } from './bench-page';

// The browser benchmark's page (bench.html, driven by bench/browser.bench.ts) loads under the CSP
// and completes a short run with a worker and an IndexedDB database per node. Its figures belong
// to `npm run bench -- browser`; nothing here is timed.
test('the benchmark page runs a short worker-host load and publishes its result', async ({
  page,
}) => {
  const result = await runBenchPage(page, 'concurrency=4&sim=0.5');
  expect(result.committedPuts).toBeGreaterThan(0);
  expect(result.failedPuts).toBe(0);
  expect(result.databases).toBe(3);
  expect(result.traceHash).toMatch(/^[0-9a-f]{16}$/);
});
