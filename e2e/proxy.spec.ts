import { expect, test, type Page } from '@playwright/test';
import { openStory } from './open-story';

// Story 16 in the real app (workers, IndexedDB): the gRPC proxy is drawn in front of the cluster
// with its hit rate and its watchers, and the members' client CPU is lower with it than without
// it under the same storm.

const CHECKPOINTS = 10;

/**
 * Opens story 16 (or a variant of it) and plays it at full speed to its last checkpoint. Without
 * the proxy the proxy's checkpoints never come: play runs on to the last one.
 */
async function playProxyStory(page: Page, variant?: string): Promise<void> {
  await openStory(
    page,
    { id: 'proxy', number: 16, title: 'A gRPC proxy in front of the cluster' },
    variant,
  );
  const checkpoint = page.getByTestId('story-checkpoint');
  if (!variant) {
    await expect(checkpoint).toContainText(`Checkpoint 1 of ${CHECKPOINTS}`, { timeout: 30_000 });
    for (let k = 2; k < CHECKPOINTS; k++) {
      await page.getByRole('button', { name: 'Next checkpoint', exact: true }).click();
      await expect(checkpoint).toContainText(`Checkpoint ${k} of ${CHECKPOINTS}`);
    }
    await page.getByRole('button', { name: 'Next checkpoint', exact: true }).click();
  }
  await expect(checkpoint).toContainText(`Checkpoint ${CHECKPOINTS} of ${CHECKPOINTS}`, {
    timeout: 90_000,
  });
  await expect(checkpoint).toContainText('the storm ends at 3.500 s');
}

/** The members' client CPU shown in the cluster view, in percent, summed. */
async function memberCpu(page: Page): Promise<number> {
  let sum = 0;
  for (const id of [1, 2, 3]) {
    const text = await page.getByTestId(`node-load-${id}`).textContent();
    const m = /client cpu ([\d.]+)%/.exec(text ?? '');
    expect(m, `n${id}: ${text}`).not.toBeNull();
    sum += Number(m![1]);
  }
  return sum;
}

test('story 16 draws the proxy with its hit rate; the members work less behind it', async ({
  page,
}) => {
  test.setTimeout(240_000); // the storm twice, in workers, on a loaded machine
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('node-1')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('proxy-node')).toHaveCount(0); // no proxy by default
  await page.getByRole('button', { name: 'Stories', exact: true }).click();

  await playProxyStory(page);
  const proxy = page.getByTestId('proxy-node');
  await expect(proxy).toBeVisible();
  await expect(page.getByTestId('proxy-hit-rate')).toHaveText(/^hits (\d+)%$/);
  const rate = Number(/(\d+)%/.exec((await page.getByTestId('proxy-hit-rate').textContent())!)![1]);
  expect(rate).toBeGreaterThan(80);
  await expect(page.getByTestId('proxy-watchers')).toHaveText('40 watchers');
  await expect(page.getByTestId('proxy-streams')).toHaveText('4 ranges · 4 streams');
  await expect(proxy).toHaveAttribute('aria-label', /^gRPC proxy, hit rate \d+%, 40 watchers/);
  await page.screenshot({ path: 'test-results/screenshots/proxy-story.png', fullPage: true });
  await page.locator('svg.cluster').screenshot({ path: 'test-results/screenshots/proxy-view.png' });
  const withProxy = await memberCpu(page);

  await playProxyStory(page, 'clients call the members');
  await expect(page.getByTestId('proxy-node')).toHaveCount(0);
  const without = await memberCpu(page);
  expect(withProxy * 5).toBeLessThan(without);
  await page
    .locator('svg.cluster')
    .screenshot({ path: 'test-results/screenshots/no-proxy-view.png' });
  expect(errors).toEqual([]);
});
