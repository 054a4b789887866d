import { expect, test, type Page } from '@playwright/test';
import { encodeFragment } from '../src/scenario/link-codec';
import { defaultCompareBase } from '../src/ui/playground/compare';

// The read paths made visible (issue 7): a ReadIndex round's batch, its heartbeats and acks and
// the read index; the log path's proposals and fsyncs; two read paths side by side.

/** Story 5's sixteen readers (10 ms links), opened paused at `cursorUs`. */
async function openReaders(page: Page, cursorUs: number): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const fragment = await encodeFragment({ ...defaultCompareBase(), cursorUs });
  await page.goto(`/#${fragment}`);
  return errors;
}

const marked = (page: Page, mark: string) => page.locator(`circle[data-read-mark="${mark}"]`);

/** Reads answered so far on side `i` of the comparison. */
const answered = async (page: Page, i: number) =>
  Number(await page.getByTestId(`compare-answered-${i}`).textContent());

/** The simulated time the playground shows, in seconds. */
const simSeconds = async (page: Page) =>
  parseFloat((await page.getByTestId('sim-time').textContent()) ?? '0');

/** Plays until `done` holds, then pauses. */
async function playUntil(page: Page, done: () => Promise<boolean>) {
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect.poll(done, { timeout: 15_000 }).toBe(true);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
}

test('a ReadIndex batch and its heartbeat round, then reads through the log instead', async ({
  page,
}) => {
  test.setTimeout(60_000); // three plays in workers and a settings change, on a loaded machine
  const errors = await openReaders(page, 1_620_000);
  await expect(page.getByTestId('trace-hash')).toHaveText(/^[0-9a-f]{16}$/, { timeout: 15_000 });
  // Paused 120 ms into the reads: members hold batches, heartbeats carry their contexts.
  const batches = page.locator('[data-testid^="read-badge-"][data-batch]');
  await expect(batches.first()).toBeVisible();
  await expect(page.locator('[data-testid^="read-badge-"]').first()).toContainText(/batch \d+/);
  await expect(page.locator('circle[data-read-mark^="read-"]')).not.toHaveCount(0);
  await expect(marked(page, 'log-read')).toHaveCount(0);
  await expect(page.getByTestId('read-legend')).toBeVisible();
  // Heartbeats carrying a round's context leave the leader as the round starts.
  await playUntil(page, async () => (await marked(page, 'read-hb').count()) > 0);
  await page
    .locator('svg.cluster')
    .screenshot({ path: 'test-results/screenshots/read-paths-readindex.png' });

  // Reads through the log from here: proposals and appends carry reads, no read heartbeats.
  await page.getByText('Settings', { exact: true }).click();
  await page.getByLabel('Read path', { exact: true }).selectOption('log');
  await page.getByRole('button', { name: 'Apply now', exact: true }).click();
  await expect(page.getByText(/Recorded in this run: set-read-path/)).toBeVisible();
  // A quarter of a second on, the rounds under way when the path changed are over. Wherever the
  // play paused, step on to a moment with a read through the log on the wire.
  const switchedS = await simSeconds(page);
  await playUntil(page, async () => (await simSeconds(page)) > switchedS + 0.25);
  // One step per look (0-2 steps were needed in 24 runs here); expect.poll would wait up to a
  // second between looks.
  let steps = 0;
  while ((await marked(page, 'log-read').count()) === 0 && steps < 400) {
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    steps++;
  }
  await expect(marked(page, 'log-read')).not.toHaveCount(0);
  await expect(page.locator('circle[data-read-mark^="read-"]')).toHaveCount(0);
  await expect(page.locator('[data-testid^="read-badge-"]').first()).toContainText(
    /in the log|fsync|via the log/,
  );
  await page
    .locator('svg.cluster')
    .screenshot({ path: 'test-results/screenshots/read-paths-log.png' });
  await page.screenshot({ path: 'test-results/screenshots/read-paths-page.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('side by side: the same run under ReadIndex and the log, from the playground', async ({
  page,
}) => {
  const errors = await openReaders(page, 1_600_000);
  await expect(page.getByTestId('trace-hash')).toHaveText(/^[0-9a-f]{16}$/, { timeout: 15_000 });
  await page.getByRole('button', { name: 'Compare read paths', exact: true }).click();
  await expect(page).toHaveURL(/\?compare=read-index,log#/);
  const left = page.getByTestId('compare-side-0');
  const right = page.getByTestId('compare-side-1');
  await expect(left).toHaveAttribute('data-path', 'read-index', { timeout: 15_000 });
  await expect(right).toHaveAttribute('data-path', 'log');
  // Both advance together and answer reads.
  await expect.poll(() => answered(page, 0), { timeout: 20_000 }).toBeGreaterThan(50);
  await expect.poll(() => answered(page, 1), { timeout: 20_000 }).toBeGreaterThan(10);
  await expect
    .poll(async () => (await left.locator('circle[data-read-mark="read-hb"]').count()) > 0)
    .toBe(true);
  await expect
    .poll(async () => (await right.locator('circle[data-read-mark="log-read"]').count()) > 0)
    .toBe(true);
  expect(await right.locator('circle[data-read-mark="read-hb"]').count()).toBe(0);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  // ReadIndex shares rounds between readers; through the log every read is a round of its own.
  const rounds = async (i: number) =>
    Number(await page.getByTestId(`compare-rounds-${i}`).textContent());
  expect(await rounds(0)).toBeLessThan(1);
  expect(await rounds(1)).toBeGreaterThanOrEqual(1);
  await page.screenshot({
    path: 'test-results/screenshots/read-paths-compare.png',
    fullPage: true,
  });
  expect(errors).toEqual([]);
});

test('the compare flag opens two paths of its own, and a bad one says so', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // (Serializable reads cost no round: sixteen clients make hundreds of thousands a second, slow
  // to simulate; the unit tests cover that side.)
  await page.goto('/?compare=lease,log');
  await expect(page.getByTestId('compare-side-0')).toHaveAttribute('data-path', 'lease', {
    timeout: 15_000,
  });
  await expect(page.getByTestId('compare-side-1')).toHaveAttribute('data-path', 'log');
  await expect.poll(() => answered(page, 0), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect(
    page
      .getByTestId('compare-side-0')
      .getByText(/on lease/)
      .first(),
  ).toBeVisible();
  await page.goto('/?compare=log,fast');
  await expect(page.getByRole('alert')).toContainText('"fast" is not a read path');
  await expect(page.getByTestId('compare-side-1')).toHaveAttribute('data-path', 'log', {
    timeout: 15_000,
  });
  expect(errors).toEqual([]);
});
