// The article's experiment (cheap reads + writes, with and without one client doing expensive
// reads): with expensive reads, 3.4's concurrent reads cut the p99 of cheap reads and writes
// many times over compared with 3.3's read lock; without them the modes are alike.
import { describe, expect, it } from 'vitest';
import { percentile, runReadWriteMix, seededRandom } from './experiment';

describe("source article 004's experiment", () => {
  const run = (lockMode: 'rwlock' | 'concurrent', expensiveReads: boolean) =>
    runReadWriteMix({ lockMode, expensiveReads, durationMs: 5_000 });

  it('with expensive reads: p99 of cheap reads and writes far lower in concurrent than rwlock', () => {
    const rwlock = run('rwlock', true);
    const concurrent = run('concurrent', true);
    expect(rwlock.expensiveReads).toBeGreaterThan(5);
    expect(rwlock.p99CheapReadMs / concurrent.p99CheapReadMs).toBeGreaterThanOrEqual(3);
    expect(rwlock.p99WriteMs / concurrent.p99WriteMs).toBeGreaterThanOrEqual(3);
    // With this cost model the gap is two orders of magnitude (no CPU contention is modelled):
    expect(rwlock.p99CheapReadMs).toBeGreaterThan(100);
    expect(concurrent.p99CheapReadMs).toBeLessThan(10);
  });

  it('without expensive reads: both modes are alike', () => {
    const rwlock = run('rwlock', false);
    const concurrent = run('concurrent', false);
    for (const [a, b] of [
      [rwlock.p99CheapReadMs, concurrent.p99CheapReadMs],
      [rwlock.p99WriteMs, concurrent.p99WriteMs],
    ] as const) {
      expect(a / b).toBeLessThan(2);
      expect(b / a).toBeLessThan(2);
    }
  });

  it('is deterministic from its seed', () => {
    expect(run('rwlock', true)).toEqual(run('rwlock', true));
    const r = seededRandom(7);
    const s = seededRandom(7);
    expect([r(), r()]).toEqual([s(), s()]);
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
  });
});
