import { expect, type Page } from '@playwright/test';

/**
 * Opens built-in story `number` (its list item is `story-<id>`), in `variant` if given (by its
 * label), checks the story card's heading, and sets the speed to max: what a story's browser test
 * does before it plays.
 */
export async function openStory(
  page: Page,
  story: { id: string; number: number; title: string },
  variant?: string,
): Promise<void> {
  const item = page.getByTestId(`story-${story.id}`);
  if (variant) await item.getByLabel('Variant').selectOption({ label: variant });
  await item.getByRole('button', { name: `Open story ${story.number}`, exact: true }).click();
  await expect(page.getByTestId('story-card').getByRole('heading', { level: 2 })).toHaveText(
    `Story ${story.number}: ${story.title}${variant ? ` (${variant})` : ''}`,
  );
  await page.getByLabel('Speed').selectOption({ label: 'max' });
}
