import { expect, test } from '@playwright/test';
import { consoleRunner } from './console-run';
import { openApp } from './open-app';

// The space quota and the backend's pages in the real app (real workers, real IndexedDB): the
// quota story's checkpoints, and the same recovery typed into the console by hand.

const NOSPACE = 'Error: etcdserver: mvcc: database space exceeded';

test('the space-quota story: NOSPACE, writes refused, defrag and disarm bring them back', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const errors = await openApp(page);
  await page.getByRole('button', { name: 'Stories', exact: true }).click();
  await page.getByRole('button', { name: 'Open story 14', exact: true }).click();
  const card = page.getByTestId('story-card');
  await expect(card.getByRole('heading', { level: 2 })).toHaveText(
    'Story 14: The space quota: NOSPACE, compaction, defrag and alarm disarm',
  );
  const checkpoint = page.getByTestId('story-checkpoint');
  await expect(checkpoint).toContainText('Checkpoint 1 of 6: out of space', { timeout: 30_000 });
  await expect(checkpoint).toContainText('proposes a NOSPACE alarm through Raft');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(checkpoint).toContainText('Checkpoint 2 of 6: NOSPACE applied', {
    timeout: 30_000,
  });
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(checkpoint).toContainText('Checkpoint 3 of 6: writes refused', { timeout: 30_000 });
  // The feed narrates the refusal and the alarm.
  await expect(page.getByTestId('feed')).toContainText(
    "answers client 1's request 120 with an error: etcdserver: mvcc: database space exceeded",
  );
  await page.screenshot({
    path: 'test-results/screenshots/quota-story-nospace.png',
    fullPage: true,
  });
  for (const next of [
    '4 of 6: compaction is not enough',
    '5 of 6: defragment',
    '6 of 6: writes are back',
  ]) {
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await expect(checkpoint).toContainText(`Checkpoint ${next}`, { timeout: 30_000 });
  }
  // The feed tells of each member's defragmentation.
  await expect(page.getByTestId('feed')).toContainText(
    'n3 gets an etcdctl command from the console: defrag',
  );
  await page.screenshot({
    path: 'test-results/screenshots/quota-story-recovered.png',
    fullPage: true,
  });
  expect(errors).toEqual([]);
});

test('the console: fill past a quota set in Settings, see NOSPACE, compact, defrag, disarm', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const errors = await openApp(page);
  await page.getByRole('heading', { name: 'Settings' }).click();
  await page.getByRole('textbox', { name: 'Space quota (--quota-backend-bytes)' }).fill('65536');
  await page.getByRole('button', { name: 'Apply now', exact: true }).click();
  await page.getByRole('button', { name: 'Console', exact: true }).click();
  const console = page.getByRole('region', { name: 'Console' });
  const { run } = consoleRunner(page, 15_000);
  const big = 'v'.repeat(12_000);
  let refused = false;
  for (let i = 0; i < 12 && !refused; i++) {
    const printed = await run(`put k${i % 2} ${big}`, /^(OK|Error: .*)$/);
    refused = printed === NOSPACE;
  }
  expect(refused).toBe(true);
  await run('alarm list', /^(memberID:\d+ alarm:NOSPACE \n?)+$/);
  await run('put foo bar', NOSPACE);
  await run(
    'lease grant 60',
    'Error: failed to grant lease (etcdserver: mvcc: database space exceeded)',
  );
  await run('get k0 --keys-only', /^k0/);
  await page.locator('[data-testid="node-1"]').click();
  await expect(page.getByTestId('node-details').getByTestId('alarms')).toContainText(
    'alarm:NOSPACE',
  );
  await page.screenshot({
    path: 'test-results/screenshots/quota-nospace-details.png',
    fullPage: true,
  });
  await run('del k1', /^1$/);
  const status = await run('endpoint status -w table', /NOSPACE/);
  expect(status).toContain('DB SIZE');
  const json = await run('endpoint status -w json', /"dbSize":\d+/);
  const rev = (JSON.parse(json) as { Status: { header: { revision: number } } }[])[0]!.Status.header
    .revision;
  await run(`compaction ${rev}`, `compacted revision ${rev}`);
  // Compaction alone: disarmed, the alarm comes back with the next put.
  await run('alarm disarm', /alarm:NOSPACE/);
  await run('put foo bar', NOSPACE);
  for (const n of [1, 2, 3]) {
    await console.getByRole('combobox', { name: 'Node' }).selectOption(`${n}`);
    await run('defrag', `Finished defragmenting etcd member[n${n}]`);
  }
  await run('alarm disarm', /alarm:NOSPACE/);
  await run('put foo bar', /^OK$/);
  // The node's details (still open): the file back under its quota, no alarm, the page map.
  const details = page.getByTestId('node-details');
  await expect(details.getByTestId('db-size')).toContainText('of the 66 kB quota');
  await expect(details.getByTestId('alarms')).toHaveCount(0);
  await expect(details.getByTestId('page-map').locator('svg rect.pm-leaf').first()).toBeVisible();
  await expect(details.getByTestId('freelist')).toContainText('Freelist (array)');
  await page.screenshot({ path: 'test-results/screenshots/quota-console.png', fullPage: true });
  expect(errors).toEqual([]);
});
