import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';

// The Metrics panel against a real cluster in workers: etcd's /metrics of a member, the file it
// downloads, and etcd-mixin's fsync alert lighting up when the disks turn slow.

const leader = (page: Page) =>
  page.locator('[data-testid^="node-"][data-role="StateLeader"][data-liveness="up"]');

/** Opens the playground on an elected cluster; the page errors seen are collected. */
async function openElected(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  return errors;
}

/** A sample's value from the raw exposition shown in the panel. */
async function sample(page: Page, name: string): Promise<number> {
  const text = (await page.getByTestId('metrics-text').textContent()) ?? '';
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`no ${name} in the exposition`);
  return Number(m[1]);
}

test('a member’s metrics: has_leader, proposals committed growing, a file to download', async ({
  page,
}) => {
  const errors = await openElected(page);
  await page.getByRole('button', { name: 'Metrics and alerts', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Metrics and alerts', exact: true });
  // The readable table first.
  const hasLeader = panel.locator('tr[data-metric="etcd_server_has_leader"]');
  await expect(hasLeader).toContainText('gauge', { timeout: 10_000 });
  await expect(hasLeader.locator('.metric-value')).toHaveText('1');
  await expect(
    panel.locator('tr[data-metric="etcd_disk_wal_fsync_duration_seconds"]'),
  ).toContainText(/\d+ observed, p50 ≈ [\d.]+ ms/);
  // The raw text, as etcd serves it.
  await panel.getByRole('checkbox', { name: 'Raw text' }).check();
  const text = page.getByTestId('metrics-text');
  await expect(text).toContainText(
    '# TYPE etcd_server_has_leader gauge\netcd_server_has_leader 1\n',
  );
  await expect(text).toContainText('etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"}');
  const before = await sample(page, 'etcd_server_proposals_committed_total');
  const client = page.getByRole('region', { name: 'Client' });
  await client.getByRole('button', { name: 'Put', exact: true }).click();
  await client.getByRole('button', { name: 'Put', exact: true }).click();
  await expect
    .poll(() => sample(page, 'etcd_server_proposals_committed_total'), { timeout: 10_000 })
    .toBeGreaterThanOrEqual(before + 2);
  await expect
    .poll(() => sample(page, 'etcd_mvcc_put_total'), { timeout: 10_000 })
    .toBeGreaterThanOrEqual(2);
  // Download: the same exposition, as a file.
  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Download', exact: true }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^raftlab-n1-metrics-\d+\.\d{3}s\.prom$/);
  const body = await readFile(await file.path(), 'utf8');
  expect(body).toContain(
    '# HELP etcd_server_has_leader Whether or not a leader exists. 1 is existence, 0 is not.\n',
  );
  expect(body).toMatch(/^etcd_server_proposals_committed_total \d+$/m);
  expect(body).toMatch(/^etcd_disk_wal_fsync_duration_seconds_count \d+$/m);
  expect(body).toMatch(/^etcd_server_id\{server_id="1"\} 1$/m);
  expect(body.endsWith('\n')).toBe(true);
  // Every alert quiet on a healthy cluster (members that learnt of the first leader after their
  // first scrape show etcdNoLeader pending until their next one).
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '4x' });
  await expect(page.getByTestId('alerts-summary')).toHaveText('0 firing, 0 pending', {
    timeout: 15_000,
  });
  expect(errors).toEqual([]);
});

test('slow disks light etcdHighFsyncDurations', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = await openElected(page);
  await page.getByRole('button', { name: 'Metrics and alerts', exact: true }).click();
  const warning = (state: string) =>
    page.locator(`[data-testid^="alert-etcdHighFsyncDurations-warning-"][data-state="${state}"]`);
  await expect(warning('inactive')).toHaveCount(3, { timeout: 10_000 });
  // Every member's fsync now takes 300 ms (etcd wants it under 10 ms).
  await page.getByRole('heading', { name: 'Settings' }).click();
  await page.getByRole('textbox', { name: 'fsync latency' }).fill('300');
  await page.getByRole('button', { name: 'Apply now', exact: true }).click();
  // A put now and then, so that there are writes to fsync.
  const client = page.getByRole('region', { name: 'Client' });
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: 'max' });
  await expect(async () => {
    await client.getByRole('button', { name: 'Put', exact: true }).click();
    await expect(warning('pending').or(warning('firing')).first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 90_000 });
  // Held for the lab's `for` (one minute of simulated time): firing.
  await expect(async () => {
    await client.getByRole('button', { name: 'Put', exact: true }).click();
    await expect(warning('firing').first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 150_000 });
  const firing = warning('firing').first();
  await expect(firing).toContainText(/p99 \d+ ms/);
  await expect(firing).toContainText(
    'histogram_quantile(0.99, rate(etcd_disk_wal_fsync_duration_seconds_bucket[30s])) > 0.5 for 1m',
  );
  await expect(page.getByTestId('alerts-summary')).toContainText(/[1-9] firing/);
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '1x' });
  await page
    .getByRole('region', { name: 'Metrics and alerts', exact: true })
    .screenshot({ path: 'test-results/screenshots/metrics-alerts.png' });
  expect(errors).toEqual([]);
});

test('story 13 pauses where its alerts light up, and the panel shows them then', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const errors = await openElected(page);
  await page.getByRole('button', { name: 'Stories', exact: true }).click();
  await page.getByRole('button', { name: 'Open story 13', exact: true }).click();
  const card = page.getByTestId('story-card');
  await expect(card.getByRole('heading', { level: 2 })).toHaveText(
    "Story 13: Watching the cluster's health: etcd's metrics and alerts",
  );
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: 'max' });
  const checkpoint = page.getByTestId('story-checkpoint');
  await expect(checkpoint).toContainText('Checkpoint 1 of 7: healthy', { timeout: 20_000 });
  await page.getByRole('button', { name: 'Metrics and alerts', exact: true }).click();
  const fsync3 = page.getByTestId('alert-etcdHighFsyncDurations-warning-3');
  await expect(fsync3).toHaveAttribute('data-state', 'inactive');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(checkpoint).toContainText('Checkpoint 2 of 7: slow disk', { timeout: 20_000 });
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(checkpoint).toContainText('Checkpoint 3 of 7: fsync alert pending', {
    timeout: 60_000,
  });
  await expect(fsync3).toHaveAttribute('data-state', 'pending');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(checkpoint).toContainText('Checkpoint 4 of 7: fsync alert firing', {
    timeout: 120_000,
  });
  await expect(fsync3).toHaveAttribute('data-state', 'firing');
  await expect(page.getByTestId('alert-etcdHighFsyncDurations-warning-1')).toHaveAttribute(
    'data-state',
    'inactive',
  );
  await card.screenshot({ path: 'test-results/screenshots/metrics-story-card.png' });
  await page
    .getByRole('region', { name: 'Metrics and alerts', exact: true })
    .screenshot({ path: 'test-results/screenshots/metrics-story-alerts.png' });
  expect(errors).toEqual([]);
});
