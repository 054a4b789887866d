import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FREELIST_TYPES,
  convertFreelist,
  newFreelist,
  type Freelist,
  type FreelistType,
} from './freelist';

/** A freelist of `type` holding pages `ids` (released, so free). */
function holding(type: FreelistType, ids: number[]): Freelist {
  const f = newFreelist(type);
  for (const id of ids) f.free(id, 1);
  f.release();
  return f;
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('freelist', () => {
  it('both designs allocate the same pages from an unfragmented freelist', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 40 }), (sizes) => {
        const a = holding('array', range(10, 120));
        const m = holding('map', range(10, 120));
        for (const n of sizes) expect(m.allocate(n)).toBe(a.allocate(n));
        expect(m.ids()).toEqual(a.ids());
      }),
    );
  });

  it('never hands out a page twice, and loses none, whatever the fragmentation', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const), n: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('release' as const) }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...FREELIST_TYPES),
        fc.array(op, { maxLength: 120 }),
        (t, ops) => {
          const f = holding(
            t,
            range(2, 60).filter((i) => i % 3 !== 0),
          );
          const used = new Set(range(2, 60).filter((i) => i % 3 === 0));
          const runs: { start: number; n: number }[] = [];
          for (const o of ops) {
            if (o.kind === 'alloc') {
              const start = f.allocate(o.n);
              if (start === 0) continue;
              for (let i = start; i < start + o.n; i++) {
                expect(used.has(i)).toBe(false);
                used.add(i);
              }
              runs.push({ start, n: o.n });
            } else if (o.kind === 'free' && runs.length > 0) {
              const [r] = runs.splice(o.pick % runs.length, 1);
              f.free(r!.start, r!.n);
              for (let i = r!.start; i < r!.start + r!.n; i++) used.delete(i);
            } else if (o.kind === 'release') f.release();
          }
          f.release();
          const free = f.ids();
          expect(new Set(free).size).toBe(free.length);
          for (const id of free) expect(used.has(id)).toBe(false);
          expect(free.length + used.size).toBe(60);
          expect(f.freeCount).toBe(free.length);
        },
      ),
    );
  });

  it('both designs adopt runs as they are, and convert into each other losing nothing', () => {
    // Runs apart from each other: gaps of at least one page.
    const runsArb = fc
      .array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 })), {
        maxLength: 60,
      })
      .map((gaps) => {
        let at = 2;
        return gaps.map(([gap, n]) => {
          const run = { start: at + gap, n };
          at = run.start + n;
          return run;
        });
      });
    fc.assert(
      fc.property(runsArb, fc.array(fc.nat(), { maxLength: 5 }), (runs, picks) => {
        const ids = runs.flatMap((r) => range(r.start, r.n));
        for (const t of FREELIST_TYPES) {
          const f = newFreelist(t);
          f.adopt(runs);
          expect(f.runs()).toEqual(runs);
          expect(f.runCount).toBe(runs.length);
          expect(f.ids()).toEqual(ids);
          expect(f.stats.releaseNs + f.stats.allocateNs).toBe(0); // history, not work
          // Converted with some pages pending: the same free and pending pages, the same counters.
          for (const p of picks) if (ids.length > 0) f.allocate(1 + (p % 2));
          f.free(1000, 2);
          const other = convertFreelist(f, t === 'array' ? 'map' : 'array');
          expect(other.ids()).toEqual(f.ids());
          expect([...other.pendingIds()]).toEqual([...f.pendingIds()]);
          expect(other.stats).toEqual(f.stats);
        }
      }),
    );
  });

  it('both designs grow the file (answer 0) when no run is long enough', () => {
    for (const t of FREELIST_TYPES) {
      const f = holding(t, [4, 6, 8]);
      expect(f.allocate(2)).toBe(0);
      expect(f.allocate(1)).toBe(4);
      expect(f.stats).toMatchObject({ allocations: 2, hits: 1 });
    }
  });

  it('the map design merges neighbours into one run, as bbolt mergeWithExistingSpan does', () => {
    const f = holding('map', [5, 7, 6, 9]);
    expect(f.runs()).toEqual([
      { start: 5, n: 3 },
      { start: 9, n: 1 },
    ]);
    expect(f.allocate(3)).toBe(5);
  });

  // The figure of source article 002: in a fragmented file, the array freelist scans every free
  // page for a run that is not there, the segregated hashmap looks at a few size classes.
  it('allocates measurably slower from a fragmented array freelist', () => {
    const checkerboard = range(0, 100_000).map((i) => 2 + 2 * i); // 100,000 single free pages
    const cost: Record<string, number> = {};
    for (const t of FREELIST_TYPES) {
      const f = holding(t, checkerboard);
      f.allocate(2); // no run of 2: the file grows
      cost[t] = f.stats.lastAllocateNs;
    }
    // array: 100,000 ids scanned at 1 ns; map: two size-class lookups at 40 ns.
    expect(cost.array).toBe(100_000);
    expect(cost.map).toBe(80);
    expect(cost.array! / cost.map!).toBeGreaterThan(1000);
  });
});
