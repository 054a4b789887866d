import { expect, test, type Page } from '@playwright/test';

// Everyday habits: the app works offline once loaded and can be installed; the theme is the
// system's or the one chosen, and it stays chosen.

const leader = (page: Page) =>
  page.locator('[data-testid^="node-"][data-role="StateLeader"][data-liveness="up"]');

test('once loaded, the playground opens and runs its cluster offline', async ({
  page,
  context,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  // The worker has precached the build and controls the page.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
      );
    }
  });
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const cache = await caches.open(names.find((n) => n.startsWith('raftlab-'))!);
    return (await cache.keys()).map((r) => new URL(r.url).pathname);
  });
  expect(cached).toContain('/index.html');
  expect(cached.some((p) => /^\/assets\/node\.worker-.*\.js$/.test(p))).toBe(true);

  await context.setOffline(true);
  // A share link's query and fragment still open the one page.
  await page.goto('/?theme=dark');
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await expect(page.getByTestId('trace-hash')).toHaveText(/^[0-9a-f]{16}$/);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/offline-dark.png' });
  await context.setOffline(false);
  expect(errors).toEqual([]);
});

test('the app can be installed: a manifest with a name, icons and a standalone display', async ({
  page,
  request,
}) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBe('/manifest.webmanifest');
  const manifest = (await (await request.get(href!)).json()) as {
    name: string;
    start_url: string;
    display: string;
    icons: { src: string; sizes: string; type: string; purpose?: string }[];
  };
  expect(manifest.name).toBe('raftlab');
  expect(manifest.display).toBe('standalone');
  expect(manifest.start_url).toBe('/');
  for (const size of ['192x192', '512x512']) {
    const icon = manifest.icons.find((i) => i.sizes === size && i.type === 'image/png');
    expect(icon, `a ${size} PNG icon`).toBeTruthy();
    const res = await request.get(icon!.src);
    expect(res.ok()).toBe(true);
    expect(res.headers()['content-type']).toBe('image/png');
  }
});

async function background(page: Page) {
  return page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
}

test('the theme follows the system until one is chosen, and stays chosen', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  const theme = page.getByRole('combobox', { name: 'Theme' });
  await expect(theme).toHaveValue('system');
  expect(await background(page)).toBe('rgb(247, 248, 250)');
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await background(page)).toBe('rgb(15, 18, 23)');

  await theme.selectOption('light');
  expect(await background(page)).toBe('rgb(247, 248, 250)');
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('light');
  expect(await background(page)).toBe('rgb(247, 248, 250)');

  // A URL can ask for a theme (slides, docs) without changing the saved choice.
  await page.goto('/?theme=dark');
  expect(await background(page)).toBe('rgb(15, 18, 23)');
  await page.screenshot({ path: 'test-results/screenshots/theme-dark.png' });
  await page.goto('/');
  await expect(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('light');
});

test('every panel is reachable from the keyboard, and opens from it', async ({ page }) => {
  test.setTimeout(90_000); // a few hundred key presses, each with a look at the focus
  await page.goto('/');
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  // Walk the page with Tab alone, opening every closed panel on the way with Enter.
  const reached = new Map<string, number>();
  let wrapped = false;
  for (let i = 0; i < 800 && !wrapped; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const panel = el.closest('section.panel[aria-labelledby]');
      return {
        panel: panel?.getAttribute('aria-labelledby') ?? null,
        closed:
          (el.getAttribute('aria-expanded') === 'false' && el.matches('.disclosure')) ||
          (el.matches('summary') && !(el.parentElement as HTMLDetailsElement).open),
        first: el.matches('.theme-select select'),
      };
    });
    if (!at) continue;
    if (at.first && i > 5) wrapped = true;
    if (at.panel) reached.set(at.panel, (reached.get(at.panel) ?? 0) + 1);
    if (at.closed) {
      await page.keyboard.press('Enter');
      // a panel's body loads the first time it opens (lazy-panels.tsx)
      await expect(page.getByText('Loading…', { exact: true })).toHaveCount(0);
      // A panel may move focus inside as it opens (the console's command line).
      const inside = await page.evaluate(
        () =>
          document.activeElement
            ?.closest('section.panel[aria-labelledby]')
            ?.getAttribute('aria-labelledby') ?? null,
      );
      if (inside) reached.set(inside, (reached.get(inside) ?? 0) + 1);
    }
  }
  // Every panel with controls, and for each the number of them Tab could land on.
  const panels = await page.locator('section.panel[aria-labelledby]').evaluateAll((els) =>
    els.map((e) => ({
      id: e.getAttribute('aria-labelledby')!,
      controls: [
        ...e.querySelectorAll<HTMLElement>(
          'button:not(:disabled), input:not(:disabled), select, textarea, summary, a[href], [tabindex="0"]',
        ),
      ].filter((c) => c.offsetParent !== null || c instanceof SVGElement).length,
    })),
  );
  expect(panels.filter((p) => p.controls > 0).length).toBeGreaterThanOrEqual(8);
  for (const { id, controls } of panels) {
    // its heading and at least one control inside it
    expect(reached.get(id) ?? 0, `${id} by Tab`).toBeGreaterThanOrEqual(Math.min(2, controls));
  }
  // The nodes and links of the cluster view are controls too.
  await page.getByTestId('node-1').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inspector')).toBeVisible();
});

test('on a phone-sized screen nothing is wider than the screen, and a node opens by touch', async ({
  browser,
}) => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  await page.goto('/');
  await expect(leader(page)).toHaveCount(1, { timeout: 10_000 });
  for (const name of ['Stories', 'History', 'Console', 'Charts']) {
    await page.getByRole('button', { name, exact: true }).tap();
  }
  await page.locator('summary', { hasText: 'Settings' }).tap();
  await expect(page.locator('#console-body, .console input').first()).toBeVisible();
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
  await page.getByTestId('node-2').tap();
  await expect(page.getByTestId('inspector')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/phone.png' });
  await context.close();
});
