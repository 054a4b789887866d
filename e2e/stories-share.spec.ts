import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { encodeFragment } from '../src/scenario/link-codec';
import { storyById } from '../src/stories';

// A story in the tab: the results card measures the run in the tab beside the published figures,
// and a share link made at a checkpoint reopens the same story, at the same checkpoint.

const leader = (page: Page) =>
  page.locator('[data-testid^="node-"][data-role="StateLeader"][data-liveness="up"]');

async function openPlayground(page: Page, path = '/') {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(path);
  return errors;
}

/** The "Measured in this tab" table's cell under `column`. */
async function measured(page: Page, column: string): Promise<string> {
  const table = page.getByTestId('story-measured').locator('table');
  const heads = await table.locator('thead th').allTextContents();
  const i = heads.indexOf(column);
  expect(i, `column ${column} in ${heads.join(', ')}`).toBeGreaterThanOrEqual(0);
  return (await table.locator('tbody tr').first().locator('td').nth(i).textContent()) ?? '';
}

test('a story measures its own run, and a share link reopens it at the same checkpoint', async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000); // a story played to 3 simulated seconds, then opened again
  const published = JSON.parse(await readFile('bench/results/stories.json', 'utf8')) as {
    leader_transfer: { graceful_gap_ms: number };
  };
  const errors = await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 15_000 });
  // As fast as the machine goes: play still pauses at each checkpoint.
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: 'max' });
  await page.getByRole('button', { name: 'Stories', exact: true }).click();
  await page.getByRole('button', { name: 'Open story 7', exact: true }).click();
  const card = page.getByTestId('story-card');
  const title = 'Story 7: Leadership transfer before taking the leader down, against a crash';
  await expect(card.getByRole('heading', { level: 2 })).toHaveText(title);
  const checkpoint = page.getByTestId('story-checkpoint');
  await expect(checkpoint).toContainText('Checkpoint 1 of 2: stop', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(checkpoint).toContainText('Checkpoint 2 of 2: new leader', { timeout: 30_000 });

  // The results card: the figures of this run, beside the published ones and the article's.
  await card.getByText('Results', { exact: true }).click();
  await expect(card).toContainText('Measured in this tab');
  await expect(card).toContainText('Expect (the article):');
  await expect(card).toContainText('measured by npm run bench -- stories');
  // The tab runs the story in Web Workers with IndexedDB disks, the bench in process: the same
  // trace, so the same gap.
  const gap = await measured(page, 'leaderless_gap_ms');
  expect(Number(gap)).toBe(published.leader_transfer.graceful_gap_ms);
  const upTo = page.getByTestId('story-measured').locator('.hint');
  await expect(upTo).toContainText('this run (as told), up to');
  const upToText = await upTo.textContent();
  const at = await checkpoint.locator('.hint').textContent();
  const hash = await page.getByTestId('trace-hash').textContent();
  await card.screenshot({ path: 'test-results/screenshots/story-measured.png' });

  // The share link carries the story and the checkpoint on show.
  await page.getByRole('button', { name: 'Copy link', exact: true }).click();
  await expect(page).toHaveURL(/#.+/);
  const url = page.url();
  const context = await browser.newContext();
  const page2 = await context.newPage();
  const errors2 = await openPlayground(page2, url);
  await expect(page2.getByTestId('trace-hash')).toHaveText(hash ?? '', { timeout: 30_000 });
  const card2 = page2.getByTestId('story-card');
  await expect(card2.getByRole('heading', { level: 2 })).toHaveText(title);
  const checkpoint2 = page2.getByTestId('story-checkpoint');
  await expect(checkpoint2).toContainText('Checkpoint 2 of 2: new leader');
  await expect(checkpoint2.locator('.hint')).toHaveText(at ?? '');
  await expect(checkpoint2).toContainText('After a transfer this takes one vote round');
  await card2.getByText('Results', { exact: true }).click();
  expect(await measured(page2, 'leaderless_gap_ms')).toBe(gap);
  await expect(page2.getByTestId('story-measured').locator('.hint')).toHaveText(upToText ?? '');
  await page2.screenshot({ path: 'test-results/screenshots/story-shared.png', fullPage: true });
  await context.close();
  expect(errors).toEqual([]);
  expect(errors2).toEqual([]);
});

test('a link whose story id is mangled opens the run without the story, and says why', async ({
  page,
}) => {
  const scenario = { ...storyById('leader-transfer')!.scenario(), cursorUs: 1_000_000 };
  const fragment = await encodeFragment({ ...scenario, story: { id: 'leader-tr<b>x</b>' } });
  const errors = await openPlayground(page, `/#${fragment}`);
  await expect(
    page.getByText(
      'This link\'s story could not be opened: raftlab has no story "leader-tr<b>x</b>". The run opens without its narration.',
    ),
  ).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('story-card')).toHaveCount(0);
  await expect(page.getByTestId('trace-hash')).toHaveText(/^[0-9a-f]{16}$/);
  expect(await page.locator('b').count()).toBe(0);
  expect(errors).toEqual([]);
});
