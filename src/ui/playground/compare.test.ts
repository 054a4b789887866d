import { describe, expect, it } from 'vitest';
import { Session } from '../../sim/session';
import * as compare from './compare';
import { playgroundScenario } from './share';
import { readRoundsOf } from './read-rounds';

describe('the compare flag', () => {
  it('names two read paths, ReadIndex against the log by default', () => {
    expect(compare.parseCompareFlag('')).toEqual(['read-index', 'log']);
    expect(compare.parseCompareFlag('lease, serializable')).toEqual(['lease', 'serializable']);
    expect(compare.compareUrl(['read-index', 'lease'], '#abc')).toBe(
      '?compare=read-index,lease#abc',
    );
    expect(compare.otherPath('read-index')).toBe('log');
    expect(compare.otherPath('lease')).toBe('read-index');
  });

  it('says what is wrong with a bad value', () => {
    expect(() => compare.parseCompareFlag('log')).toThrow(/two read paths/);
    expect(() => compare.parseCompareFlag('log,fast')).toThrow(
      /"fast" is not a read path; one of log/,
    );
  });
});

describe('the scenario each side runs', () => {
  it('is the same run under another read path: path changes dropped, event counts dropped', () => {
    const base = {
      ...compare.defaultCompareBase(),
      actions: [
        { atUs: 2_000_000, afterEvents: 900, kind: 'set-read-path', readPath: 'lease' },
        { atUs: 2_100_000, afterEvents: 950, kind: 'crash', node: 2 },
      ],
      cursorUs: 3_000_000,
      cursorEvents: 1200,
    };
    const { scenario, added } = compare.compareScenario(base, 'log');
    expect(added).toBe(false);
    expect(scenario.settings).toEqual({ ...base.settings, readPath: 'log' });
    expect(scenario.workloads).toEqual(base.workloads);
    expect(scenario.seed).toBe(base.seed);
    expect(scenario.actions).toEqual([{ atUs: 2_100_000, kind: 'crash', node: 2 }]);
    expect(scenario.cursorUs).toBe(0);
    expect(scenario.cursorEvents).toBeUndefined();
    expect(compare.readsStartUs(scenario)).toBe(1_500_000);
  });

  it('adds readers to a run that has none', () => {
    const { scenario, added } = compare.compareScenario(playgroundScenario(7), 'read-index');
    expect(added).toBe(true);
    expect(scenario.workloads).toHaveLength(1);
    expect(scenario.workloads[0]).toMatchObject({ concurrency: 16, linearizable: true });
  });

  it('runs deterministically, and the two paths differ where they should', async () => {
    const run = async (path: 'read-index' | 'log') => {
      const { scenario } = compare.compareScenario(compare.defaultCompareBase(), path);
      const s = await Session.start(scenario);
      await s.runTo(1_700_000);
      const stats = readRoundsOf(s.timeline).statsAt(s.nowUs);
      await s.dispose();
      return { hash: s.traceHash, stats };
    };
    const a = await run('read-index');
    expect((await run('read-index')).hash).toBe(a.hash);
    const b = await run('log');
    expect(b.hash).not.toBe(a.hash);
    // Sixteen readers share ReadIndex rounds; through the log each read is a proposal.
    expect(a.stats.roundsPerRead!).toBeLessThan(1);
    expect(b.stats.roundsPerRead!).toBeGreaterThanOrEqual(1);
    expect(a.stats.readsPerS!).toBeGreaterThan(b.stats.readsPerS!);
  });
});
