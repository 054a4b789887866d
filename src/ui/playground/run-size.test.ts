import { describe, expect, it } from 'vitest';
import { noticeRunSize, RUN_SIZE_STEP, unnoticedRunSize } from './run-size';

describe('a run too big for the tab', () => {
  it('stops play once per step of records, and says how many and what to do', () => {
    const run = {};
    expect(unnoticedRunSize(run, RUN_SIZE_STEP - 1)).toBeUndefined();
    expect(unnoticedRunSize(run, RUN_SIZE_STEP + 5)).toBe(RUN_SIZE_STEP);
    const said = noticeRunSize(run, RUN_SIZE_STEP);
    expect(said).toContain('3,000,000 trace events');
    expect(said).toMatch(/share a link/);
    // told once: play goes on past it, until the next step
    expect(unnoticedRunSize(run, RUN_SIZE_STEP + 10)).toBeUndefined();
    expect(unnoticedRunSize(run, 2 * RUN_SIZE_STEP)).toBe(2 * RUN_SIZE_STEP);
    // each run on its own
    expect(unnoticedRunSize({}, RUN_SIZE_STEP)).toBe(RUN_SIZE_STEP);
  });
});
