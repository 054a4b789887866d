import { expect, test, type Browser, type Page } from '@playwright/test';
import { consoleRunner } from './console-run';
import { readFile } from 'node:fs/promises';
import { planScenario } from '../src/check/fuzz/plan';
import { encodeFragment } from '../src/scenario/link-codec';
import type { UnsafeSetting } from '../src/scenario/schema';

// The playground as a new user meets it: a real cluster in real workers with IndexedDB disks.

const leader = (page: Page) =>
  page.locator('[data-testid^="node-"][data-role="StateLeader"][data-liveness="up"]');

/** Opens `url` in a fresh browser context (no shared state) once it reaches `hash`. */
async function openElsewhere(browser: Browser, url: string, hash: string | null) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await expect(page.getByTestId('trace-hash')).toHaveText(hash ?? '', { timeout: 15_000 });
  return { page, close: () => context.close() };
}

async function openPlayground(page: Page, path = '/') {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(path);
  return errors;
}

test('opens on an elected cluster, and the nodes say who they are', async ({ page }) => {
  const errors = await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  const name = await leader(page).getAttribute('aria-label');
  expect(name).toMatch(/^n\d, leader, term \d+$/);
  await expect(page.getByRole('button', { name: /^link n1 to n2, connected$/ })).toBeVisible();
  await expect(page.getByText('trace hash')).toBeVisible();
  await expect(page.getByTestId('trace-hash')).toHaveText(/^[0-9a-f]{16}$/);
  await page.screenshot({ path: 'test-results/screenshots/playground.png' });
  expect(errors).toEqual([]);
});

test('steps through events one at a time', async ({ page }) => {
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const before = await page.getByTestId('sim-time').textContent();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('sim-time')).not.toHaveText(before ?? '');
});

test('partitioning the leader away elects a new leader in a higher term', async ({ page }) => {
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '4x' });
  const old = leader(page);
  const oldId = Number((await old.getAttribute('data-testid'))!.replace('node-', ''));
  const oldTerm = Number(await old.getAttribute('data-term'));
  for (const other of [1, 2, 3].filter((n) => n !== oldId)) {
    const [a, b] = [Math.min(oldId, other), Math.max(oldId, other)];
    await page.getByTestId(`link-${a}-${b}`).click();
    await expect(page.getByTestId(`link-${a}-${b}`)).toHaveAttribute(
      'aria-label',
      `link n${a} to n${b}, cut`,
    );
  }
  await expect
    .poll(
      async () => {
        for (const n of [1, 2, 3].filter((x) => x !== oldId)) {
          const el = page.getByTestId(`node-${n}`);
          if ((await el.getAttribute('data-role')) === 'StateLeader')
            return Number(await el.getAttribute('data-term'));
        }
        return 0;
      },
      { timeout: 20_000 },
    )
    .toBeGreaterThan(oldTerm);
});

test('a crashed node restarts from its IndexedDB disk and catches up', async ({ page }) => {
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '4x' });
  const follower = page.locator('[data-testid^="node-"][data-role="StateFollower"]').first();
  const id = (await follower.getAttribute('data-testid'))!.replace('node-', '');
  await follower.click();
  await page.getByTestId('inspector').getByRole('button', { name: 'Crash', exact: true }).click();
  await expect(page.getByTestId(`node-${id}`)).toHaveAttribute('data-liveness', 'down');
  // A request to the crashed node is refused at once, as etcd's client would see it.
  await page.getByRole('combobox', { name: 'Node' }).selectOption({ label: `n${id}` });
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await expect(page.getByTestId('client-answer')).toHaveText(
    `put failed: n${id} is down: connection refused`,
  );
  const up = (await leader(page).getAttribute('data-testid'))!.replace('node-', '');
  await page.getByRole('combobox', { name: 'Node' }).selectOption({ label: `n${up}` });
  await page.getByRole('textbox', { name: 'Key' }).fill('during-crash');
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await expect(page.getByTestId('client-answer')).toHaveText(/put ok \(revision \d+\)/, {
    timeout: 10_000,
  });
  await page.getByTestId('inspector').getByRole('button', { name: 'Restart', exact: true }).click();
  await expect(page.getByTestId(`node-${id}`)).toHaveAttribute('data-liveness', 'up');
  await page.getByRole('combobox', { name: 'Node' }).selectOption({ label: `n${id}` });
  await expect
    .poll(
      async () => {
        await page.getByRole('button', { name: 'Get (serializable)', exact: true }).click();
        return page.getByTestId('client-answer').textContent();
      },
      { timeout: 15_000 },
    )
    .toMatch(/^during-crash = hello/);
});

test('writes and reads a key, shown as text', async ({ page }) => {
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('textbox', { name: 'Key' }).fill('<b>k</b>');
  await page.getByRole('textbox', { name: 'Value' }).fill('<img src=x onerror=alert(1)>');
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await expect(page.getByTestId('client-answer')).toHaveText(/put ok/, { timeout: 10_000 });
  await page.getByRole('button', { name: 'Get', exact: true }).click();
  await expect(page.getByTestId('client-answer')).toHaveText(
    '<b>k</b> = <img src=x onerror=alert(1)> (revision 2)',
    {
      timeout: 10_000,
    },
  );
  expect(await page.locator('.answer img, .answer b').count()).toBe(0);
});

test('a copied link opens elsewhere on the same trace hash and the same cluster', async ({
  page,
  browser,
}) => {
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('textbox', { name: 'Key' }).fill('shared');
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await expect(page.getByTestId('client-answer')).toHaveText(/put ok/, { timeout: 10_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Copy link', exact: true }).click();
  await expect(page).toHaveURL(/#.+/);
  const url = page.url();
  const hash = await page.getByTestId('trace-hash').textContent();
  const roles = await page
    .locator('[data-testid^="node-"]')
    .evaluateAll((els) =>
      els.map(
        (e) =>
          `${e.getAttribute('data-testid')}:${e.getAttribute('data-role')}:${e.getAttribute('data-term')}`,
      ),
    );
  const { page: page2, close } = await openElsewhere(browser, url, hash);
  const roles2 = await page2
    .locator('[data-testid^="node-"]')
    .evaluateAll((els) =>
      els.map(
        (e) =>
          `${e.getAttribute('data-testid')}:${e.getAttribute('data-role')}:${e.getAttribute('data-term')}`,
      ),
    );
  expect(roles2).toEqual(roles);
  await close();
});

for (const [what, fragment, message] of [
  ['mangled', '#%%%not-a-scenario', /not valid base64url/],
  ['truncated', '#q1ZKzs8tyM9LzSvJz', /damaged or cut short|not valid base64url/],
  ['future-version', null, /made by a newer raftlab/],
] as const) {
  test(`a ${what} link says so and opens a working default cluster`, async ({ page }) => {
    let frag: string = fragment ?? '';
    if (fragment === null) {
      await page.goto('/?system-check');
      // Build a version-2 scenario link in the page with the platform's own CompressionStream.
      frag = await page.evaluate(async () => {
        const json = new TextEncoder().encode(JSON.stringify({ version: 2, seed: 1 }));
        const stream = new Blob([json]).stream().pipeThrough(new CompressionStream('deflate-raw'));
        const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
        let bin = '';
        for (const b of bytes) bin += String.fromCharCode(b);
        return '#' + btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      });
    }
    const errors = await openPlayground(page, `/${frag}`);
    await expect(page.getByTestId('banner')).toHaveText(message, { timeout: 10_000 });
    await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
    expect(errors).toEqual([]);
  });
}

test('an oversized link says so', async ({ page }) => {
  await openPlayground(page, `/#${'A'.repeat(1_600_000)}`);
  await expect(page.getByTestId('banner')).toHaveText(/raftlab opens links of up to/, {
    timeout: 10_000,
  });
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
});

test('narrates what happened; a line jumps the timeline; next election steps to one', async ({
  page,
}) => {
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  const feed = page.getByTestId('feed');
  await expect(feed).toContainText(/election timer fired; it becomes a pre-candidate and asks/);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const line = feed
    .getByRole('button')
    .filter({ hasText: /won the election/ })
    .first();
  await expect(line).toBeVisible();
  const at = (await line.locator('.line-time').textContent())!;
  await line.click();
  await expect(page.getByTestId('sim-time')).toHaveText(new RegExp(`^${at.replace('.', '\\.')}`));
  await page.screenshot({ path: 'test-results/screenshots/playground-feed.png', fullPage: true });
  // Crash the leader and ask for the next election: the view lands on it.
  await page.getByRole('slider', { name: 'Timeline' }).press('End');
  const id = (await leader(page).getAttribute('data-testid'))!.replace('node-', '');
  await page.getByTestId(`node-${id}`).click();
  await page.getByTestId('inspector').getByRole('button', { name: 'Crash', exact: true }).click();
  await page.getByRole('combobox', { name: 'Next event of kind' }).selectOption('election');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await expect(feed).toContainText(new RegExp(`term \\d+`));
  await expect(
    page
      .locator('[data-role="StateCandidate"], [data-role="StateLeader"][data-liveness="up"]')
      .first(),
  ).toBeVisible({
    timeout: 15_000,
  });
});

test('one click isolates the leader; the majority elects another', async ({ page }) => {
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '4x' });
  const oldId = (await leader(page).getAttribute('data-testid'))!;
  await page.getByRole('button', { name: 'Isolate the leader', exact: true }).click();
  await expect
    .poll(
      async () =>
        page
          .locator('[data-testid^="node-"][data-role="StateLeader"]')
          .evaluateAll(
            (els, old) => els.filter((e) => e.getAttribute('data-testid') !== old).length,
            oldId,
          ),
      { timeout: 20_000 },
    )
    .toBe(1);
  await page.getByRole('button', { name: 'Heal all', exact: true }).click();
  await expect(page.getByTestId('link-1-2')).toHaveAttribute('aria-label', /connected/);
});

test('settings start a new five-node run, and bad values say what is wrong', async ({ page }) => {
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('heading', { name: 'Settings' }).click();
  await page.getByRole('textbox', { name: 'Cluster size' }).fill('12');
  await page.getByRole('button', { name: 'New run with these settings', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'settings.size' })).toHaveText(
    /settings\.size: must be between 1 and 9, got 12/,
  );
  await page.getByRole('textbox', { name: 'Cluster size' }).fill('5');
  await page.getByRole('button', { name: 'New run with these settings', exact: true }).click();
  await expect(page.locator('[data-testid^="node-"]')).toHaveCount(5, { timeout: 10_000 });
  await expect(leader(page)).toHaveCount(1, { timeout: 15_000 });
});

test('an unsafe setting is a toggle that starts a new run carrying it', async ({ page }) => {
  const errors = await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  const hash = await page.getByTestId('trace-hash').textContent();
  await page.getByRole('heading', { name: 'Settings' }).click();
  const toggle = page.getByRole('checkbox', { name: /^local-reads: serve linearizable reads/ });
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await page.getByRole('button', { name: 'New run with these settings', exact: true }).click();
  await expect(leader(page)).toHaveCount(1, { timeout: 15_000 });
  await expect(page.getByTestId('trace-hash')).not.toHaveText(hash ?? '');
  // The new run's settings (the panel is drawn from them) carry the unsafe setting.
  await expect(page.getByRole('checkbox', { name: /^local-reads: / })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: /^no-vote-persist: / })).not.toBeChecked();
  expect(errors).toEqual([]);
});

test('a live setting is an action of the running run, and its link replays it', async ({
  page,
  browser,
}) => {
  test.setTimeout(60_000); // two pages, each running the cluster in workers
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  const seconds = async (p: Page) =>
    parseFloat((await p.getByTestId('sim-time').textContent()) ?? '0');
  const seed = await page.getByTestId('seed').textContent();
  await page.getByRole('heading', { name: 'Settings' }).click();
  await expect(page.getByTestId('settings-in-effect')).toContainText('lock mode concurrent');
  await page.getByRole('combobox', { name: 'Backend lock mode' }).selectOption('coarse');
  await page.getByRole('textbox', { name: 'Heartbeat interval' }).fill('50');
  await page.getByRole('textbox', { name: 'Election timeout' }).fill('500');
  const before = await seconds(page);
  await page.getByRole('button', { name: 'Apply now', exact: true }).click();
  await expect(page.getByTestId('settings-in-effect')).toContainText(
    'heartbeat interval 50 ms, election timeout 500 ms',
  );
  await expect(page.getByTestId('settings-in-effect')).toContainText('lock mode coarse');
  await page
    .getByRole('region', { name: 'Settings' })
    .screenshot({ path: 'test-results/screenshots/settings.png' });
  // Recorded as actions of this run, where they happened ...
  await expect(page.getByTestId('actions')).toHaveText(/^2, the last set-backend at \d+\.\d{3} s$/);
  const at = parseFloat((await page.getByTestId('actions').textContent())!.split(' at ')[1]!);
  expect(at).toBeGreaterThanOrEqual(before);
  await expect(page.getByTestId('feed')).toContainText(
    'The settings change from here on: lock mode coarse',
  );
  // ... and the run was not restarted: same seed, and simulated time went on from there.
  await expect(page.getByTestId('seed')).toHaveText(seed ?? '');
  await expect.poll(() => seconds(page), { timeout: 10_000 }).toBeGreaterThan(at + 0.2);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  // A link from here replays the change at its place: the same trace hash, the same settings.
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Copy link', exact: true }).click();
  await expect(page).toHaveURL(/#.+/);
  const hash = await page.getByTestId('trace-hash').textContent();
  const { page: page2, close } = await openElsewhere(browser, page.url(), hash);
  await page2.getByRole('heading', { name: 'Settings' }).click();
  await expect(page2.getByTestId('settings-in-effect')).toContainText('lock mode coarse');
  await close();
});

test('the inspector shows the node’s log, its keys and its leases, read from the node', async ({
  page,
}) => {
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('textbox', { name: 'Key' }).fill('color');
  await page.getByRole('textbox', { name: 'Value' }).fill('blue');
  await page.getByRole('button', { name: 'Put', exact: true }).click();
  await expect(page.getByTestId('client-answer')).toHaveText(/put ok/, { timeout: 10_000 });
  await leader(page).click();
  const details = page.getByTestId('node-details');
  await expect(details.locator('table.log')).toContainText('put color = blue');
  await expect(details.locator('table.log')).toContainText("empty (a new leader's first entry)");
  await expect(details.locator('table.kvs')).toContainText('color');
  await expect(details.locator('table.kvs')).toContainText('blue');
  await expect(details.getByTestId('progress')).toContainText('Replicate');
  await page.screenshot({ path: 'test-results/screenshots/inspector.png', fullPage: true });
});

test('click a message on the wire to see it and drop it; the feed says so', async ({ page }) => {
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  // Step until a message is on the wire where a click reaches it (a heartbeat goes out at least
  // every 100 simulated ms; one just leaving or reaching a member lies under the member's circle,
  // which takes the click, as it would take a person's).
  const clickable = () =>
    page.evaluate(() => {
      for (const el of document.querySelectorAll<SVGCircleElement>('circle.msg:not(.msg-dying)')) {
        el.scrollIntoView({ block: 'center' }); // Step's own click scrolled the page to itself
        const b = el.getBoundingClientRect();
        if (document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2) === el)
          return el.dataset.msgId ?? null;
      }
      return null;
    });
  let id: string | null = null;
  for (let i = 0; i < 200 && (id = await clickable()) === null; i++)
    await page.getByRole('button', { name: 'Step', exact: true }).click();
  expect(id).not.toBeNull();
  const msg = page.locator(`circle.msg[data-msg-id="${id}"]`);
  const type = (await msg.getAttribute('data-msg-type'))!;
  await msg.click();
  const panel = page.getByTestId('message-panel');
  await expect(panel.getByRole('heading')).toHaveText(type);
  await panel.getByRole('button', { name: 'Drop it', exact: true }).click();
  await expect(page.getByTestId('feed')).toContainText('is dropped by hand, on the wire');
});

test('campaign now: PreVote and CheckQuorum keep the leader; adding a member starts it', async ({
  page,
}) => {
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: '4x' });
  const leaderId = await leader(page).getAttribute('data-testid');
  const term = Number(await leader(page).getAttribute('data-term'));
  const follower = page.locator('[data-testid^="node-"][data-role="StateFollower"]').first();
  const id = (await follower.getAttribute('data-testid'))!.replace('node-', '');
  await follower.click();
  await page
    .getByTestId('inspector')
    .getByRole('button', { name: 'Campaign now', exact: true })
    .click();
  // The others still hear from their leader, so they refuse the pre-vote: no new term.
  await expect(page.getByTestId('feed')).toContainText(
    `n${id}'s election timer fired; it becomes a pre-candidate`,
  );
  await page.waitForTimeout(1000);
  await expect(leader(page)).toHaveAttribute('data-testid', leaderId!);
  expect(Number(await leader(page).getAttribute('data-term'))).toBe(term);
  await page.getByRole('button', { name: 'Add a member', exact: true }).click();
  await expect(page.getByTestId('node-4')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('node-4')).toHaveAttribute('data-liveness', 'up', {
    timeout: 10_000,
  });
});

test('shift-click nodes into a group and partition it from the rest', async ({ page }) => {
  await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByTestId('node-1').click({ modifiers: ['Shift'] });
  await page.getByRole('button', { name: 'Partition n1 from the rest', exact: true }).click();
  await expect(page.getByTestId('link-1-2')).toHaveAttribute('aria-label', 'link n1 to n2, cut');
  await expect(page.getByTestId('link-1-3')).toHaveAttribute('aria-label', 'link n1 to n3, cut');
  await expect(page.getByTestId('link-2-3')).toHaveAttribute(
    'aria-label',
    'link n2 to n3, connected',
  );
});

test('the history panel draws each call as a bar, and the checker finds it linearizable', async ({
  page,
}) => {
  const errors = await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  const answer = page.getByTestId('client-answer');
  for (const [key, value] of [
    ['a', 'one'],
    ['b', '<i>two</i>'],
  ]) {
    await page.getByRole('textbox', { name: 'Key' }).fill(key!);
    await page.getByRole('textbox', { name: 'Value' }).fill(value!);
    await page.getByRole('button', { name: 'Put', exact: true }).click();
    await expect(answer).toHaveText(/put ok/, { timeout: 10_000 });
    await page.getByRole('button', { name: 'Get', exact: true }).click();
    await expect(answer).toHaveText(new RegExp(`^${key} = `), { timeout: 10_000 });
  }
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'History', exact: true }).click();
  const chart = page.getByTestId('history-chart');
  await expect(
    chart.getByRole('button', { name: /^put a=one by client bar, .*, ok$/ }),
  ).toHaveCount(1);
  await expect(chart.getByRole('button', { name: /^get b by client bar, .*, ok$/ })).toHaveCount(1);
  await expect(chart.getByRole('button')).toHaveCount(4);
  await page.getByRole('button', { name: 'Check history', exact: true }).click();
  await expect(page.getByTestId('history-verdict')).toHaveText(
    'linearizable: 4 operations ordered',
  );
  // the order is on the bars; a bar opens the whole call, keys and values as text
  const put = chart.getByRole('button', { name: /^put b=<i>two<\/i> by client bar/ });
  await expect(put).toHaveAccessibleName(/number 3 in the linearization$/);
  await page.getByRole('button', { name: 'Fit all', exact: true }).click();
  await put.click();
  await expect(page.getByTestId('history-op')).toContainText('"value": "<i>two</i>"');
  expect(await page.locator('.history-op i').count()).toBe(0);
  await page.screenshot({ path: 'test-results/screenshots/history-ok.png', fullPage: true });
  expect(errors).toEqual([]);
});

/** Opens the link of a fuzz run (npm run fuzz's nemesis) at `cursorS`, and its History panel. */
async function openHistoryOfFuzzRun(
  page: Page,
  seed: number,
  minutes: number,
  unsafe: UnsafeSetting,
  cursorS: number,
) {
  const scenario = { ...planScenario(seed, { minutes, unsafe }), cursorUs: cursorS * 1e6 };
  const errors = await openPlayground(page, `/#${await encodeFragment(scenario)}`);
  await expect(page.getByTestId('sim-time')).toHaveText(new RegExp(`^${cursorS.toFixed(3)} s`), {
    timeout: 20_000,
  });
  await page.getByRole('button', { name: 'History', exact: true }).click();
  return errors;
}

test('the history panel shows the calls that cannot be ordered in an unsafe run', async ({
  page,
}) => {
  // Serving reads from the local store (unsafe) under partitions: stale reads, a broken history.
  const errors = await openHistoryOfFuzzRun(page, 1, 1, 'local-reads', 4);
  await expect(page.getByTestId('history-chart').getByRole('button').first()).toBeVisible();
  await page.getByRole('button', { name: 'Check history', exact: true }).click();
  await expect(page.getByTestId('history-verdict')).toHaveText('not linearizable', {
    timeout: 10_000,
  });
  const core = page
    .getByTestId('history-chart')
    .getByRole('button', { name: /in the core that cannot be ordered$/ });
  await expect(core).toHaveCount(2);
  await expect(page.getByTestId('history-core').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByText(/^State before \(revision \d+\)$/)).toBeVisible();
  await page.getByTestId('history-chart').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/history-illegal.png', fullPage: true });
  // a core call's details, and a jump to its answer
  await core.first().click();
  await page.getByRole('button', { name: 'Jump to its answer', exact: true }).click();
  await expect(page.getByTestId('sim-time')).not.toHaveText(/^4\.000 s/);
  expect(errors).toEqual([]);
});

test('the history panel says when an invariant broke, and jumps there', async ({ page }) => {
  // Forgetting the vote on a quick restart: two leaders in one term.
  const errors = await openHistoryOfFuzzRun(page, 4, 0.5, 'no-vote-persist', 3.1);
  const broke = page.getByTestId('history-violation');
  await expect(broke).toContainText(/^election-safety broke at 2\.748 s/);
  await broke.getByRole('button', { name: 'Jump to it', exact: true }).click();
  await expect(page.getByTestId('sim-time')).toHaveText(/^2\.748 s/);
  expect(errors).toEqual([]);
});

test('an unsafe run stops at the step that broke a safety property, and says which', async ({
  page,
}) => {
  // no-vote-persist, seed 3: two leaders in one term just after 3 s (npm run fuzz finds it).
  const scenario = planScenario(3, { minutes: 1, unsafe: 'no-vote-persist' });
  const fragment = await encodeFragment({ ...scenario, cursorUs: 2_900_000 });
  const errors = await openPlayground(page, `/#${fragment}`);
  await expect(page.getByTestId('trace-hash')).toHaveText(/^[0-9a-f]{16}$/, { timeout: 15_000 });
  await expect(page.getByTestId('banner')).toHaveCount(0);
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect(page.getByTestId('banner')).toHaveText(
    /^Safety broken at 3\.\d{6} s \(election-safety\): n\d became leader of term \d+, which n\d already leads: two leaders in one term\./,
    { timeout: 20_000 },
  );
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  await expect(page.getByText(/Safety broken \(election-safety\)/).first()).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/invariant-stop.png' });
  expect(errors).toEqual([]);
});

test('a story opens from time 0, pauses at its checkpoints with their narration, and goes on', async ({
  page,
}) => {
  test.setTimeout(60_000); // a story played to its second checkpoint and back, in workers
  const errors = await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('button', { name: 'Stories', exact: true }).click();
  await expect(page.getByRole('listitem').filter({ hasText: '3. A partition' })).toHaveCount(1);
  await page.getByRole('button', { name: 'Open story 1', exact: true }).click();
  const card = page.getByTestId('story-card');
  await expect(card.getByRole('heading', { level: 2 })).toHaveText(
    'Story 1: The first election, heartbeats, and quorum sizes',
  );
  const checkpoint = page.getByTestId('story-checkpoint');
  await expect(checkpoint).toContainText('Checkpoint 1 of 5: a timer fires', { timeout: 15_000 });
  await expect(checkpoint).toContainText('it becomes a pre-candidate');
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(checkpoint).toContainText('Checkpoint 2 of 5: a leader', { timeout: 15_000 });
  await expect(checkpoint).toContainText('A quorum (2 of 3) voted for it');
  await expect(leader(page)).toHaveCount(1);
  // back to the first, where no one leads yet, and on again by the keyboard
  await page.getByRole('button', { name: 'Previous', exact: true }).click();
  await expect(checkpoint).toContainText('Checkpoint 1 of 5: a timer fires');
  await expect(leader(page)).toHaveCount(0);
  await page.getByRole('button', { name: 'Next checkpoint', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(checkpoint).toContainText('Checkpoint 2 of 5: a leader');
  await card.getByText('Results', { exact: true }).click();
  await expect(card).toContainText('measured by npm run bench -- stories');
  await expect(card.locator('table.figures').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/stories.png', fullPage: true });
  await card.screenshot({ path: 'test-results/screenshots/story-card.png' });
  expect(errors).toEqual([]);
});

test('the console speaks etcdctl: put, get, -w json, a malformed command, history, Tab', async ({
  page,
  browser,
}) => {
  test.setTimeout(60_000); // two pages, a dozen commands, on a loaded machine
  const errors = await openPlayground(page);
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('button', { name: 'Console', exact: true }).click();
  const { input, out, last, run } = consoleRunner(page);
  await expect(input).toBeFocused();
  await run('put foo bar', /^OK$/);
  await run('get foo', /^foo\nbar$/);
  await run('get foo -w json', /"kvs":\[\{"key":"Zm9v",/);
  const json = JSON.parse((await last.textContent())!) as { kvs: { value: string }[] };
  expect(json.kvs[0]!.value).toBe('YmFy');
  await run('put foo', /^Error: put command needs 1 argument and input from stdin or 2 arguments$/);
  await expect(last).toHaveClass(/error/);
  // Keys and values are text, never markup.
  await run('put "<b>k</b>" "<img src=x onerror=alert(1)>"', /^OK$/);
  await run('get "<b>k</b>"', /^<b>k<\/b>\n<img src=x onerror=alert\(1\)>$/);
  expect(await out.locator('b, img').count()).toBe(0);
  // History and completion.
  await input.press('ArrowUp');
  await expect(input).toHaveValue('get "<b>k</b>"');
  await input.press('ArrowUp');
  await expect(input).toHaveValue('put "<b>k</b>" "<img src=x onerror=alert(1)>"');
  await input.press('ArrowDown');
  await input.press('ArrowDown');
  await expect(input).toHaveValue('');
  await input.fill('lease g');
  await input.press('Tab');
  await expect(input).toHaveValue('lease grant ');
  await expect(input).toBeFocused();
  await input.fill('');
  // The feed tells what the console ran.
  await expect(page.getByTestId('feed')).toContainText(
    'n1 gets an etcdctl command from the console: get foo -w json',
  );
  await page.screenshot({ path: 'test-results/screenshots/console.png', fullPage: true });
  // A link replays the commands (not the malformed one, never sent), and the console shows them.
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Copy link', exact: true }).click();
  await expect(page).toHaveURL(/#.+/);
  const hash = await page.getByTestId('trace-hash').textContent();
  const { page: page2, close } = await openElsewhere(browser, page.url(), hash);
  await page2.getByRole('button', { name: 'Console', exact: true }).click();
  const out2 = page2.getByTestId('console-output');
  await expect(out2).toContainText('n1$ etcdctl get foo -w json');
  await expect(out2.locator('.console-line.output').first()).toHaveText('OK');
  await expect(out2).not.toContainText('put command needs');
  await close();
  expect(errors).toEqual([]);
});

/** A fuzz run's share link (a workload, partitions) at `cursorS`, as a URL fragment. */
async function fuzzFragment(seed: number, cursorS: number) {
  return encodeFragment({ ...planScenario(seed, { minutes: 1 }), cursorUs: cursorS * 1e6 });
}

test('the charts panel draws throughput, latency and failures, and exports a chart as SVG', async ({
  page,
}) => {
  const errors = await openPlayground(page, `/#${await fuzzFragment(1, 8)}`);
  await expect(page.getByTestId('sim-time')).toHaveText(/^8\.000 s/, { timeout: 20_000 });
  await page.getByRole('button', { name: 'Charts', exact: true }).click();
  for (const id of ['throughput', 'latency', 'read-paths']) {
    const chart = page.getByTestId(`chart-${id}`);
    await expect(chart.locator('path.series').first()).toHaveAttribute('d', /^M/);
  }
  await expect(page.getByTestId('chart-throughput').getByRole('img')).toHaveAccessibleName(
    /^Throughput over 8 s of simulated time: up to \d+ reads\/s and \d+ writes\/s per bucket; [1-9]\d* reads and [1-9]\d* writes in all\.$/,
  );
  await expect(page.getByTestId('chart-latency').getByRole('img')).toHaveAccessibleName(
    /highest p99 [\d.]+ ms\.$/,
  );
  await expect(page.getByTestId('chart-failures').getByRole('img')).toHaveAccessibleName(
    /^\d+ failed writes and [1-9]\d* leader elections over 8 s/,
  );
  await expect(page.getByTestId('chart-failures').locator('line.leader').first()).toBeAttached();
  await expect(page.getByTestId('chart-read-paths')).toContainText(
    'measured by npm run bench -- stories',
  );
  const download = page.waitForEvent('download');
  await page
    .getByTestId('chart-latency')
    .getByRole('button', { name: 'Export SVG', exact: true })
    .click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('raftlab-latency.svg');
  const svg = await readFile(await file.path(), 'utf8');
  expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).toContain('stroke:');
  expect(svg).not.toContain('var(--');
  expect(svg).not.toContain('light-dark(');
  // on the card's colour of the theme in force (light here)
  expect(svg).toMatch(/<rect width="100%" height="100%" fill="rgb\(255, 255, 255\)"/);
  // the file draws on its own, with no stylesheet
  const alone = await page.context().newPage();
  await alone.setContent(svg);
  await alone
    .locator('svg')
    .screenshot({ path: 'test-results/screenshots/chart-latency-export.png' });
  await alone.close();
  await page.getByTestId('chart-throughput').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/charts.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('embed mode shows one scenario without the chrome', async ({ page, browser }) => {
  const fragment = await fuzzFragment(1, 3);
  const errors = await openPlayground(page, `/?embed#${fragment}`);
  await expect(page.getByTestId('sim-time')).toHaveText(/^3\.000 s/, { timeout: 20_000 });
  await expect(page.locator('[data-testid^="node-"]').first()).toBeVisible();
  await expect(page.getByRole('toolbar', { name: 'Time' })).toBeVisible();
  await expect(page.getByTestId('trace-hash')).toHaveText(/^[0-9a-f]{8,}$/);
  await expect(page.locator('header')).toHaveCount(0);
  await expect(page.locator('aside')).toHaveCount(0);
  for (const name of ['History', 'Charts', 'Stories', 'Copy link', 'Keys (?)'])
    await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/embed.png' });
  // the same link without the flag: the same run
  const hash = await page.getByTestId('trace-hash').textContent();
  const full = await openElsewhere(browser, `/#${fragment}`, hash);
  await expect(full.page.locator('header')).toHaveCount(1);
  await full.close();
  expect(errors).toEqual([]);
});
