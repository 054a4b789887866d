// The colour theme: the system's (prefers-color-scheme), or light or dark chosen by the person.
// The stylesheet writes every colour as light-dark(light, dark), so a theme is only the
// color-scheme of <html>: data-theme="light" or "dark" pins it, no attribute follows the system.
// A `?theme=light|dark` URL flag wins for that page load (slides and docs embed a fixed look)
// without touching the saved choice.

export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

const STORAGE_KEY = 'raftlab.theme';

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return typeof value === 'string' && (THEME_CHOICES as readonly string[]).includes(value);
}

/** The theme a URL asks for (`?theme=dark`), or undefined. */
export function themeFromUrl(search: string): ThemeChoice | undefined {
  const asked = new URLSearchParams(search).get('theme');
  return isThemeChoice(asked) ? asked : undefined;
}

/** The saved choice; storage may be unavailable (a sandboxed frame), which means "system". */
export function savedTheme(): ThemeChoice {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    return isThemeChoice(saved) ? saved : 'system';
  } catch {
    return 'system';
  }
}

export function saveTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // Not saved: the choice still holds for this page.
  }
}

export function applyTheme(
  choice: ThemeChoice,
  root: HTMLElement = document.documentElement,
): void {
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

/** The theme this page load starts with: the URL's, else the saved one. */
export function initialTheme(): ThemeChoice {
  return themeFromUrl(window.location.search) ?? savedTheme();
}
