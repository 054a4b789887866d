// The agedFilePages setting reaches every member's spec (a share link replays the same file) and,
// shaping the run from its start, cannot change during it.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { applySettings, nodeSpecs } from './cluster';

describe('an aged file in the settings', () => {
  it('gives every member the same aged file, from the seed; none by default', () => {
    expect(nodeSpecs(DEFAULT_SETTINGS, 5).every((s) => s.agedFile === undefined)).toBe(true);
    const specs = nodeSpecs({ ...DEFAULT_SETTINGS, agedFilePages: 1000 }, 5);
    const files = specs.map((s) => s.agedFile);
    expect(files[0]).toEqual({ pages: 1000, seed: expect.any(Number) });
    expect(new Set(files.map((f) => JSON.stringify(f))).size).toBe(1);
    const other = nodeSpecs({ ...DEFAULT_SETTINGS, agedFilePages: 1000 }, 6)[0]!.agedFile;
    expect(other?.seed).not.toBe(files[0]!.seed);
  });

  it('cannot change during a run', () => {
    expect(() => applySettings(DEFAULT_SETTINGS, { agedFilePages: 10 })).toThrow(
      'agedFilePages cannot change during a run: it starts a new run',
    );
  });
});
