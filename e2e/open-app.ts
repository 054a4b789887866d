import { expect, type Page } from '@playwright/test';

/** The playground's leader, up: there is exactly one once a run has elected it. */
export const upLeader = (page: Page) =>
  page.locator('[data-testid^="node-"][data-role="StateLeader"][data-liveness="up"]');

/**
 * Opens the playground and waits for its first leader. Returns the page errors seen from then
 * on: a test ends expecting none.
 */
export async function openApp(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(upLeader(page)).toHaveCount(1, { timeout: 15_000 });
  return errors;
}
