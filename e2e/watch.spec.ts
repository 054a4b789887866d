import { expect, test, type Browser, type Page } from '@playwright/test';
import { openApp } from './open-app';

// etcdctl watch in the playground's console, against a real cluster in real workers: events
// stream into the console as the node applies writes made elsewhere (another command, the
// client bar), printed as etcdctl 3.4 prints them; Ctrl+C stops them; a share link replays it.

/** Every console line's text, exactly (newlines kept). */
const consoleLines = (page: Page) =>
  page.getByTestId('console-output').locator('.console-line').allTextContents();

/** Fills the Client panel's key and value and presses one of its buttons. */
async function clientBar(page: Page, key: string, value: string, button: 'Put' | 'Watch') {
  await page.getByLabel('Key', { exact: true }).fill(key);
  await page.getByLabel('Value', { exact: true }).fill(value);
  await page.getByRole('button', { name: button, exact: true }).click();
}

/** Opens a share link in a fresh context; once it reaches `hash`, its console's lines. */
async function replayedConsole(browser: Browser, url: string, hash: string | null) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await expect(page.getByTestId('trace-hash')).toHaveText(hash ?? '', { timeout: 20_000 });
    await page.getByRole('button', { name: 'Console', exact: true }).click();
    // the panel's body loads when it first opens
    await expect(page.getByTestId('console-output').locator('.console-line').first()).toBeVisible();
    return await consoleLines(page);
  } finally {
    await context.close();
  }
}

test('watch streams events into the console; --prev-kv; Ctrl+C stops it; a link replays it', async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const errors = await openApp(page);
  await page.getByRole('button', { name: 'Console', exact: true }).click();
  const input = page.getByRole('textbox', { name: 'etcdctl command', exact: true });
  const run = async (line: string) => {
    await input.fill(line);
    await input.press('Enter');
  };
  const printed = (text: string) =>
    expect.poll(() => consoleLines(page), { timeout: 15_000 }).toContain(text);

  // A watch, then a put from another command: the event prints as etcdctl prints it.
  await run('watch foo');
  await expect(page.getByRole('button', { name: 'Stop watches', exact: true })).toBeVisible();
  await expect(page.getByText('1 streaming')).toBeVisible();
  await run('put foo bar');
  await printed('PUT\nfoo\nbar');
  // A put from the client bar reaches the same watch.
  await clientBar(page, 'foo', 'from the client bar', 'Put');
  await printed('PUT\nfoo\nfrom the client bar');
  await run('del foo');
  await printed('DELETE\nfoo\n');

  // Ctrl+C stops it: no more events for foo.
  await input.focus();
  await input.press('Control+c');
  await printed('n1$ etcdctl ^C');
  await expect(page.getByRole('button', { name: 'Stop watches', exact: true })).toHaveCount(0);
  await run('put foo after');
  await expect.poll(async () => (await consoleLines(page)).at(-1), { timeout: 15_000 }).toBe('OK');
  expect(await consoleLines(page)).not.toContain('PUT\nfoo\nafter');

  // --prev-kv: the previous key and value, then the new ones.
  await run('watch foo --prev-kv');
  await run('put foo again');
  await printed('PUT\nfoo\nafter\nfoo\nagain');
  // The client bar's Watch runs etcdctl watch in the console.
  await clientBar(page, 'sp ace', 'v', 'Watch');
  await printed("n1$ etcdctl watch 'sp ace'");
  await expect(page.getByText('2 streaming')).toBeVisible();
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await printed('PUT\nsp ace\nv');
  // A compacted --rev, as etcdctl says it.
  await run('compaction 3');
  await printed('compacted revision 3');
  await run('watch foo --rev 2');
  await printed(
    'watch was canceled (etcdserver: mvcc: required revision has been compacted)\nError: watch is canceled by the server',
  );
  await page.screenshot({ path: 'test-results/screenshots/watch.png', fullPage: true });

  // A share link replays the watches and their events to the same trace hash.
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Copy link', exact: true }).click();
  await expect(page).toHaveURL(/#.+/);
  const replayed = await replayedConsole(
    browser,
    page.url(),
    await page.getByTestId('trace-hash').textContent(),
  );
  for (const line of ['n1$ etcdctl watch foo', 'PUT\nfoo\nbar', 'PUT\nfoo\nafter\nfoo\nagain'])
    expect(replayed).toContain(line);
  expect(replayed).not.toContain('PUT\nfoo\nafter');
  expect(errors).toEqual([]);
});
