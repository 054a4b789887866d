import { expect, test } from '@playwright/test';

// The foundation's promises, checked in a real Chromium against the built app: it ships a strict
// CSP, it is cross-origin isolated, and a module worker reached through comlink really writes to
// and reads from IndexedDB.

test('serves the built app cross-origin isolated with a strict Content-Security-Policy', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));

  const response = await page.goto('/?system-check');
  expect(response?.status()).toBe(200);
  const headers = response!.headers();
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
  expect(headers['content-security-policy']).toContain("script-src 'self'");

  const meta = await page
    .locator('meta[http-equiv="Content-Security-Policy"]')
    .getAttribute('content');
  expect(meta).toContain("script-src 'self'");
  expect(meta).toContain("worker-src 'self'");
  expect(meta).not.toContain('unsafe-inline');

  await expect(page.getByRole('heading', { name: 'raftlab', level: 1 })).toBeVisible();
  await expect(page.getByTestId('isolated')).toHaveText('yes');
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  // Every script the page loads comes from a file on our origin: none inline.
  const inline = await page.locator('script:not([src])').count();
  expect(inline).toBe(0);
  await expect(page.getByTestId('disk-status')).toHaveAttribute('data-status', 'ok');
  expect(errors).toEqual([]);
});

test('the CSP refuses an injected inline script', async ({ page }) => {
  await page.goto('/?system-check');
  const outcome = await page.evaluate(async () => {
    const violation = new Promise<string>((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), {
        once: true,
      });
    });
    const script = document.createElement('script');
    script.textContent = 'window.__raftlabInline = true;';
    document.body.appendChild(script);
    const directive = await violation;
    return {
      directive,
      ran: (window as unknown as { __raftlabInline?: boolean }).__raftlabInline === true,
    };
  });
  expect(outcome.ran).toBe(false);
  expect(outcome.directive).toMatch(/^script-src/);
});

test('a module worker round-trips a record through IndexedDB, and it survives a reload', async ({
  page,
}) => {
  await page.goto('/?system-check');
  const status = page.getByTestId('disk-status');
  await expect(status).toHaveAttribute('data-status', 'ok');
  await expect(page.getByTestId('boot-count')).toHaveText('1');
  expect(page.workers().some((w) => w.url().includes('node.worker'))).toBe(true);

  // Read the record the worker wrote straight from the page's IndexedDB: the same origin's disk.
  const record = await page.evaluate(
    () =>
      new Promise<unknown>((resolve, reject) => {
        const open = indexedDB.open('raftlab-system-check');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('meta').objectStore('meta').get('disk-check');
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            open.result.close();
            resolve(get.result);
          };
        };
      }),
  );
  expect(record).toEqual({ key: 'disk-check', bootCount: 1, lastProbe: 'probe-1' });

  await page.reload();
  await expect(status).toHaveAttribute('data-status', 'ok');
  await expect(page.getByTestId('boot-count')).toHaveText('2');
  await page.screenshot({ path: 'test-results/screenshots/foundation.png', fullPage: true });
});
