import { expect, test, type Page } from '@playwright/test';

// Story 16's watch coalescing in the real app (workers, IndexedDB), read off the proxy drawn in
// the cluster view: a watcher that comes later gets a stream of its own for a moment, is handed
// over to its key's older stream, and once all 40 have come they share one stream per key range.

const CHECKPOINTS = 10;

/** Steps the open story on to checkpoint `k` (1-based) and checks its title. */
async function toCheckpoint(page: Page, k: number, title: string): Promise<void> {
  await page.getByRole('button', { name: 'Next checkpoint', exact: true }).click();
  await expect(page.getByTestId('story-checkpoint')).toContainText(
    `Checkpoint ${k} of ${CHECKPOINTS}: ${title}`,
    { timeout: 60_000 },
  );
}

test('story 16: 40 watchers on 4 key ranges end on 4 upstream streams, drawn at the proxy', async ({
  page,
}) => {
  test.setTimeout(180_000); // the storm plays in workers on a loaded machine
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('node-1')).toBeVisible({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Stories', exact: true }).click();
  await page
    .getByTestId('story-proxy')
    .getByRole('button', { name: 'Open story 16', exact: true })
    .click();
  await expect(page.getByTestId('story-card').getByRole('heading', { level: 2 })).toHaveText(
    'Story 16: A gRPC proxy in front of the cluster',
  );
  await page.getByLabel('Speed').selectOption({ label: 'max' });
  const checkpoint = page.getByTestId('story-checkpoint');
  await expect(checkpoint).toContainText(`Checkpoint 1 of ${CHECKPOINTS}: a miss`, {
    timeout: 30_000,
  });
  const proxy = page.getByTestId('proxy-node');
  const streams = page.getByTestId('proxy-streams');

  for (const [k, title] of [
    [2, 'watchers connect'],
    [3, 'a hit'],
    [4, 'a stream per key'],
  ] as const)
    await toCheckpoint(page, k, title);
  await expect(streams).toHaveText('4 ranges · 4 streams');
  await expect(page.getByTestId('proxy-watchers')).toHaveText('4 watchers');

  // a second watcher on a key already watched: from now, it may not join; a stream of its own
  await toCheckpoint(page, 5, 'a stream of its own');
  await expect(streams).toHaveText('4 ranges · 5 streams');
  // created, it has caught up: handed over to the older stream of its key, its own cancelled
  await toCheckpoint(page, 6, 'handed over');
  await expect(streams).toHaveText('4 ranges · 4 streams');
  await expect(page.getByTestId('proxy-watchers')).toHaveText('6 watchers');

  await toCheckpoint(page, 7, 'a write invalidates');
  await toCheckpoint(page, 8, 'one stream per range');
  await expect(checkpoint).toContainText(
    '40 watchers on 4 key ranges share 4 watch streams to the cluster, one per range',
  );
  await expect(page.getByTestId('proxy-watchers')).toHaveText('40 watchers');
  await expect(streams).toHaveText('4 ranges · 4 streams');
  await expect(proxy).toHaveAttribute(
    'aria-label',
    /^gRPC proxy, hit rate \d+%, 40 watchers on 4 key ranges share 4 watch streams$/,
  );
  await expect(proxy).toHaveAttribute('data-upstream', '4');
  await expect(proxy).toHaveAttribute('data-ranges', '4');
  await page
    .locator('svg.cluster')
    .screenshot({ path: 'test-results/screenshots/proxy-streams.png' });

  // the storm's end: still one stream per range
  await toCheckpoint(page, 9, 'fan-out at the proxy');
  await toCheckpoint(page, 10, 'the storm ends');
  await expect(streams).toHaveText('4 ranges · 4 streams');
  expect(errors).toEqual([]);
});
