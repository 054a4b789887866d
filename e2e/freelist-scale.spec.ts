import { expect, test, type Page } from '@playwright/test';
import { openApp } from './open-app';
import { openStory } from './open-story';

// Story 15 in the real app (workers, IndexedDB): the member starts from an aged bbolt file of a
// million pages, drawn as a page map of ~980 pages a square; with the array freelist its commits
// do milliseconds of freelist work and take longer than with the segregated hashmap, and the
// story card's figures measured in the tab say so (up to where play was paused, past 11 s).

const STORY = {
  id: 'freelist',
  number: 15,
  title: 'The freelist: linear scan against the segregated hashmap',
};
const CHECKPOINTS = 3;

/** Opens story 15 (or a variant) and plays it at full speed to its last checkpoint. */
async function playFreelistStory(page: Page, variant?: string): Promise<void> {
  await openStory(page, STORY, variant);
  const checkpoint = page.getByTestId('story-checkpoint');
  await expect(checkpoint).toContainText(`Checkpoint 1 of ${CHECKPOINTS}`, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Next checkpoint', exact: true }).click();
  await expect(checkpoint).toContainText(`Checkpoint 2 of ${CHECKPOINTS}`, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Next checkpoint', exact: true }).click();
  await expect(checkpoint).toContainText(`Checkpoint ${CHECKPOINTS} of ${CHECKPOINTS}`, {
    timeout: 120_000,
  });
  // Play on a little and pause: the view is then the run's head, where the node's details are
  // read live.
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  const simS = async () => parseFloat((await page.getByTestId('sim-time').textContent()) ?? '0');
  await expect.poll(simS, { timeout: 60_000 }).toBeGreaterThan(11);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
}

/** The story card's "Measured in this tab" row, by column name (opening its Results). */
async function measured(page: Page): Promise<Record<string, number | undefined>> {
  const results = page
    .getByTestId('story-card')
    .locator('details', { has: page.locator('summary', { hasText: 'Results' }) });
  if (!(await results.evaluate((d) => (d as HTMLDetailsElement).open)))
    await results.locator('summary').click();
  const table = page.getByTestId('story-measured').locator('table');
  await expect(table).toBeVisible();
  const names = await table.locator('thead th').allTextContents();
  const cells = await table.locator('tbody tr').first().locator('td').allTextContents();
  return Object.fromEntries(names.map((n, i) => [n.trim(), Number(cells[i])]));
}

/** The freelist's simulated work per commit, from the node's details under the page map. */
async function freelistWorkUs(page: Page): Promise<number> {
  const line = page.getByTestId('node-details').getByTestId('freelist');
  await expect(line).toContainText('of freelist work per commit');
  const m = /([\d.]+) µs of freelist work per commit/.exec((await line.textContent()) ?? '');
  expect(m).not.toBeNull();
  return Number(m![1]);
}

test('story 15: in an aged file the array freelist makes commits slower, the hashmap does not', async ({
  page,
}) => {
  test.setTimeout(360_000); // the story twice, in workers, on a loaded machine
  const errors = await openApp(page);
  await page.getByRole('button', { name: 'Stories', exact: true }).click();

  await playFreelistStory(page);
  const array = await measured(page);
  await page.locator('[data-testid="node-1"]').click();
  const details = page.getByTestId('node-details');
  await expect(details.getByTestId('aged-file')).toContainText(/An aged file: \d+ pages of cold/);
  await expect(details.getByTestId('page-map')).toContainText('One square per 979 pages');
  await expect(details.getByTestId('page-map').locator('svg rect.pm-cold').first()).toBeVisible();
  await expect(details.getByTestId('freelist')).toContainText('Freelist (array)');
  const arrayWork = await freelistWorkUs(page);
  await details
    .getByTestId('page-map')
    .screenshot({ path: 'test-results/screenshots/freelist-page-map-array.png' });

  await playFreelistStory(page, 'the segregated hashmap (etcd 3.5)');
  const map = await measured(page);
  await page.locator('[data-testid="node-1"]').click();
  await expect(details.getByTestId('freelist')).toContainText('Freelist (map)');
  const mapWork = await freelistWorkUs(page);
  await details
    .getByTestId('page-map')
    .screenshot({ path: 'test-results/screenshots/freelist-page-map-map.png' });
  await page
    .getByTestId('story-card')
    .screenshot({ path: 'test-results/screenshots/freelist-story-card.png' });

  // Headless, the same run: 3,692 against 227 µs of freelist work a commit, commits of 8.9
  // against 5.5 ms (median); the tab's figures are up to the checkpoint at 10 s.
  expect(arrayWork).toBeGreaterThan(10 * mapWork);
  expect(array.commits).toBeGreaterThan(50);
  expect(array.commit_p50_ms).toBeGreaterThan(1.4 * map.commit_p50_ms!);
  expect(array.put_14k_p99_ms).toBeGreaterThan(map.put_14k_p99_ms!);
  expect(errors).toEqual([]);
});

test('Settings start a new run on an aged file, and refuse a page count out of range', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const errors = await openApp(page);
  await page.getByRole('heading', { name: 'Settings' }).click();
  const aged = page.getByRole('textbox', { name: 'Aged bbolt file' });
  await expect(aged).toHaveValue('0');
  await aged.fill('-5');
  await page.getByRole('button', { name: 'New run with these settings', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('agedFilePages');
  await aged.fill('200000');
  await page.getByRole('button', { name: 'New run with these settings', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);
  // The new run replaces the cluster (and clears the selection): select n1 in it.
  const details = page.getByTestId('node-details');
  await expect(async () => {
    await page.locator('[data-testid="node-1"]').click();
    await expect(details.getByTestId('aged-file')).toContainText(
      /An aged file: \d+ pages of cold/,
      { timeout: 2_000 },
    );
  }).toPass({ timeout: 60_000 });
  await expect(details.getByTestId('page-map').locator('svg rect.pm-cold').first()).toBeVisible();
  expect(errors).toEqual([]);
});
