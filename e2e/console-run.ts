import { expect, type Page } from '@playwright/test';

/**
 * The playground console's command line (the Console panel must be open): `run` types a line,
 * presses Enter and waits for its echo and its answer, which must match `printed`; it returns the
 * answer's text.
 */
export function consoleRunner(page: Page, defaultTimeout = 10_000) {
  const input = page.getByRole('textbox', { name: 'etcdctl command', exact: true });
  const out = page.getByTestId('console-output');
  const last = out.locator('.console-line.output, .console-line.error').last();
  const run = async (line: string, printed: string | RegExp, timeout = defaultTimeout) => {
    const before = await out.locator('.console-line').count();
    await input.fill(line);
    await input.press('Enter');
    await expect(out.locator('.console-line')).toHaveCount(before + 2, { timeout });
    await expect.poll(() => last.textContent(), { timeout }).toMatch(printed);
    return (await last.textContent())!;
  };
  return { input, out, last, run };
}
