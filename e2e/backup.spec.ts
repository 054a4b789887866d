import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { consoleRunner } from './console-run';
import { encodeFragment } from '../src/scenario/link-codec';
import { Session } from '../src/sim/session';
import { backupScenario } from '../src/stories/backup-story';

// Backups in the playground (issue 10): etcdctl snapshot save downloads the member's snapshot
// file, an uploaded file restores into a new run whose members all start from it, a damaged file
// is refused by name and the run goes on, and the one-click story tells a disaster recovery.

const leader = (page: Page) =>
  page.locator('[data-testid^="node-"][data-role="StateLeader"][data-liveness="up"]');

async function openConsole(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('button', { name: 'Console', exact: true }).click();
  const { last, run } = consoleRunner(page);
  /** Uploads `bytes` as file `name` through the console's Upload button. */
  const upload = async (name: string, bytes: Buffer) => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload snapshot file', exact: true }).click();
    await (await chooser).setFiles({ name, mimeType: 'application/octet-stream', buffer: bytes });
    await expect(last).toHaveText(new RegExp(`^uploaded ${name.replace('.', '\\.')} \\(`));
  };
  /** snapshot save: the download's bytes. */
  const save = async (file: string) => {
    const download = page.waitForEvent('download');
    await run(`snapshot save ${file}`, `Snapshot saved at ${file}`);
    const d = await download;
    expect(d.suggestedFilename()).toBe(file);
    return readFile((await d.path())!);
  };
  return { errors, run, upload, save, last };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

test('snapshot save downloads the file; an upload restores it into a new run with the keys', async ({
  page,
  browser,
}) => {
  test.setTimeout(60_000);
  const { errors, run, upload, save } = await openConsole(page);
  await run('put a 1', /^OK$/);
  await run('put b 2', /^OK$/);
  const file = await save('backup.db');
  // etcd's file shape: the content, then the sha256 of it
  expect(sha256(file.subarray(0, -32)).equals(file.subarray(-32))).toBe(true);
  await run('put after 3', /^OK$/);
  await upload('uploaded.db', file);
  await run(
    'snapshot status uploaded.db -w table',
    /^\+-+.*\n\|\s+HASH\s+\| REVISION \|.*\n.*\n\| [0-9a-f]+ \|\s+3 \|/s,
  );
  const seed = await page.getByTestId('seed').textContent();
  await run(
    'snapshot restore uploaded.db',
    'restored snapshot uploaded.db (revision 3) into a new cluster: a new run, members n1, n2, n3',
    20_000,
  );
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await expect(page.getByTestId('actions')).toHaveText('none');
  expect(await page.getByTestId('seed').textContent()).toBe(seed);
  // the backup's keys, at their revisions; the write made after it is not there
  await run('get "" --prefix', /^a\n1\nb\n2$/);
  await run('get a -w json', /"mod_revision":2/);
  await run('put c 4', /^OK$/);
  await run('get c -w json', /"revision":4/);
  await page.screenshot({ path: 'test-results/screenshots/backup-restore.png', fullPage: true });
  // the link carries the file: it opens the same restored run elsewhere
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Copy link', exact: true }).click();
  await expect(page).toHaveURL(/#.+/);
  const hash = await page.getByTestId('trace-hash').textContent();
  const context = await browser.newContext();
  const page2 = await context.newPage();
  await page2.goto(page.url());
  await expect(page2.getByTestId('trace-hash')).toHaveText(hash ?? '', { timeout: 15_000 });
  await context.close();
  expect(errors).toEqual([]);
});

test('a damaged snapshot file is refused by name, and the run goes on', async ({ page }) => {
  test.setTimeout(60_000); // a save, four refused restores and more commands, on a loaded machine
  const { errors, run, upload, save, last } = await openConsole(page);
  await run('put a 1', /^OK$/);
  const file = await save('good.db');
  const damaged = Buffer.from(file);
  damaged[20] = damaged[20]! ^ 0xff;
  await upload('damaged.db', damaged);
  const seed = await page.getByTestId('seed').textContent();
  await run(
    'snapshot restore damaged.db',
    /^Error: expected sha256 \[[\d ]+\], got \[[\d ]+\]: the snapshot file is damaged, truncated or was changed after it was saved/,
  );
  await expect(last).toHaveClass(/error/);
  // with the hash check skipped, the store's own CRC-32C still catches it
  await run(
    'snapshot restore damaged.db --skip-hash-check',
    /^Error: snapshot file: mvcc snapshot: checksum mismatch/,
  );
  await upload('short.db', file.subarray(0, 20));
  await run('snapshot restore short.db', /^Error: snapshot file is truncated: 20 bytes/);
  await run('snapshot restore missing.db', /^Error: open missing\.db: no such file or directory/);
  await page.screenshot({ path: 'test-results/screenshots/backup-refused.png', fullPage: true });
  // the same run: its seed, its actions, its keys
  expect(await page.getByTestId('seed').textContent()).toBe(seed);
  await expect(page.getByTestId('actions')).toContainText('the last snapshot-save');
  await run('get a', /^a\n1$/);
  expect(errors).toEqual([]);
});

test('the backup story: keys, a backup, the cluster lost, a restore, keys back', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const { errors, run } = await openConsole(page);
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: 'max' });
  await page.getByRole('button', { name: 'Stories', exact: true }).click();
  await page.getByRole('button', { name: 'Open story 12', exact: true }).click();
  const card = page.getByTestId('story-card');
  await expect(card.getByRole('heading', { level: 2 })).toHaveText(
    'Story 12: Backups: snapshot save, the cluster lost, snapshot restore',
  );
  const checkpoint = page.getByTestId('story-checkpoint');
  const titles = [
    'keys written',
    'snapshot save',
    'a write after the backup',
    'the cluster is lost',
    'snapshot restore',
    'a new leader',
    'the keys are back',
  ];
  for (const [i, title] of titles.entries()) {
    await expect(checkpoint).toContainText(`Checkpoint ${i + 1} of 7: ${title}`, {
      timeout: 20_000,
    });
    if (i < titles.length - 1)
      await page.getByRole('button', { name: 'Continue', exact: true }).click();
  }
  await expect(checkpoint).toContainText('the mysql written after the backup is gone');
  // the restored cluster answers the console too, once the run plays on
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await run('get config --prefix', /^config\/cache\nredis\nconfig\/db\npostgres$/);
  await page.screenshot({ path: 'test-results/screenshots/backup-story.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('a save and a restore in workers with IndexedDB give the trace of the in-process host', async ({
  page,
}) => {
  const scenario = backupScenario();
  const node = await Session.open(scenario);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`/#${await encodeFragment(scenario)}`);
  await expect(page.getByTestId('trace-hash')).toHaveText(node.traceHash, { timeout: 20_000 });
  expect(errors).toEqual([]);
});
