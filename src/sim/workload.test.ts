// The watchers a workload plans: which key range each watches and when it comes.
import { describe, expect, it } from 'vitest';
import { parseScenario, parseWorkload } from '../scenario/schema';
import { Session } from './session';
import { keyName, pickOf, planWatchers } from './workload';

const text = (u: Uint8Array | undefined) => (u ? new TextDecoder().decode(u) : undefined);

describe('planWatchers', () => {
  it('without ranges or a spread: every watcher on all the keys, at the start', () => {
    const plan = planWatchers(parseWorkload({ keySpace: 5, watchers: 3 }, 'w'), 7, 0);
    expect(plan.map((p) => p.afterUs)).toEqual([0, 0, 0]);
    for (const p of plan) {
      expect(text(p.body.key)).toBe(text(keyName(0)));
      expect(text(p.body.range_end)).toBe(text(keyName(5)));
      expect(p.pick).toBeUndefined();
    }
  });

  it('splits the keys into ranges, watcher k on range k mod watchRanges; one key is a key watch', () => {
    const keys = planWatchers(
      parseWorkload({ keySpace: 4, watchers: 8, watchRanges: 4 }, 'w'),
      1,
      0,
    );
    expect(keys.map((p) => text(p.body.key))).toEqual(
      [0, 1, 2, 3, 0, 1, 2, 3].map((i) => text(keyName(i))),
    );
    expect(keys.every((p) => p.body.range_end === undefined)).toBe(true);
    const ranges = planWatchers(
      parseWorkload({ keySpace: 10, watchers: 3, watchRanges: 3 }, 'w'),
      1,
      0,
    );
    expect(ranges.map((p) => [text(p.body.key), text(p.body.range_end)])).toEqual([
      [text(keyName(0)), text(keyName(3))],
      [text(keyName(3)), text(keyName(6))],
      [text(keyName(6)), text(keyName(10))],
    ]);
  });

  it('spreads arrivals over watchSpreadMs, the same for the same seed, apart from the requests', () => {
    const spec = parseWorkload(
      { keySpace: 4, watchers: 40, watchSpreadMs: 400, mix: { put: 1 } },
      'w',
    );
    const a = planWatchers(spec, 12, 1);
    expect(a.map((p) => p.afterUs)).toEqual(planWatchers(spec, 12, 1).map((p) => p.afterUs));
    expect(a.map((p) => p.afterUs)).not.toEqual(planWatchers(spec, 13, 1).map((p) => p.afterUs));
    for (const p of a) {
      expect(p.afterUs).toBeGreaterThanOrEqual(0);
      expect(p.afterUs).toBeLessThan(400_000);
      expect(p.pick).toBeGreaterThanOrEqual(0);
      expect(p.pick).toBeLessThan(1);
    }
    // over a few hundred ms, not in one instant
    expect(new Set(a.map((p) => p.afterUs)).size).toBe(40);
    expect(
      Math.max(...a.map((p) => p.afterUs)) - Math.min(...a.map((p) => p.afterUs)),
    ).toBeGreaterThan(200_000);
  });

  it('spreading the watchers leaves the requests as they were: calls, members and keys', async () => {
    const run = async (watchSpreadMs: number) => {
      const scenario = parseScenario({
        version: 1,
        seed: 5,
        workloads: [
          {
            mode: 'open',
            rate: 200,
            mix: { put: 1, 'range-cheap': 1 },
            keySpace: 4,
            startMs: 1200,
            stopMs: 1600,
            watchers: 6,
            watchRanges: 2,
            watchSpreadMs,
          },
        ],
        cursorUs: 1_700_000,
      });
      const s = await Session.open(scenario);
      const calls = s.history.map(
        (h) =>
          `${h.callUs} n${h.node} ${h.request.method} ${text((h.request.body as { key?: Uint8Array }).key)}`,
      );
      const watchers = s.watchStats.watchers;
      await s.dispose();
      return { calls, watchers };
    };
    const near = await run(50);
    const far = await run(350);
    expect(near.watchers).toBe(6);
    expect(far.watchers).toBe(6);
    expect(near.calls.length).toBeGreaterThan(40);
    expect(far.calls).toEqual(near.calls);
  });

  it('pickOf draws a member uniformly from [0, 1)', () => {
    expect([0, 0.33, 0.34, 0.99].map((u) => pickOf(u, [4, 5, 6]))).toEqual([4, 4, 5, 6]);
  });
});
