import { expect, type Page } from '@playwright/test';
import type { BrowserBenchResult } from '../src/ui/bench/run';

/** Opens bench.html with `query`, waits for its run to finish, and returns its result. */
export async function runBenchPage(page: Page, query: string): Promise<BrowserBenchResult> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`/bench.html?${query}`);
  const result = page.locator('#bench-result');
  await expect(result).not.toHaveAttribute('data-status', 'running', { timeout: 90_000 });
  await expect(result).toHaveAttribute('data-status', 'done');
  const state = await page.evaluate(() => window.raftlabBench);
  expect(errors).toEqual([]);
  return state!.result!;
}
