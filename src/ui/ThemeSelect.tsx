import { useState } from 'react';
import type { ThemeChoice } from './theme';
import { applyTheme, initialTheme, isThemeChoice, saveTheme, THEME_CHOICES } from './theme';

const LABELS: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** Light, dark or the system's theme; remembered in this browser. */
export function ThemeSelect() {
  const [choice, setChoice] = useState<ThemeChoice>(initialTheme);
  return (
    <label className="theme-select">
      Theme{' '}
      <select
        value={choice}
        onChange={(e) => {
          const next = e.target.value;
          if (!isThemeChoice(next)) return;
          setChoice(next);
          applyTheme(next);
          saveTheme(next);
        }}
      >
        {THEME_CHOICES.map((c) => (
          <option key={c} value={c}>
            {LABELS[c]}
          </option>
        ))}
      </select>
    </label>
  );
}
