import { describe, expect, it } from 'vitest';
import { applyTheme, isThemeChoice, themeFromUrl } from './theme';

describe('themes', () => {
  it('takes light or dark from a URL flag, and ignores anything else', () => {
    expect(themeFromUrl('?theme=dark')).toBe('dark');
    expect(themeFromUrl('?embed&theme=light')).toBe('light');
    expect(themeFromUrl('?theme=DARK')).toBeUndefined();
    expect(themeFromUrl('?theme=%3Cscript%3E')).toBeUndefined();
    expect(themeFromUrl('')).toBeUndefined();
  });

  it('knows its three choices', () => {
    expect(['system', 'light', 'dark'].every(isThemeChoice)).toBe(true);
    expect(isThemeChoice('sepia')).toBe(false);
    expect(isThemeChoice(undefined)).toBe(false);
  });

  it('pins light or dark on the root element, and lets the system decide otherwise', () => {
    const root = { dataset: {} as DOMStringMap } as HTMLElement;
    applyTheme('dark', root);
    expect(root.dataset.theme).toBe('dark');
    applyTheme('system', root);
    expect(root.dataset.theme).toBeUndefined();
  });
});
