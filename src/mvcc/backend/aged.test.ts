// An aged file: a deterministic, first-fit-shaped layout; the same free runs in both freelist
// designs; sizes as etcd reports them; defrag packs it; the array pays for its remnants.
import { describe, expect, it } from 'vitest';
import { MvccStore } from '../store';
import { MAX_AGED_PAGES, agedLayout } from './aged';
import { Backend } from './backend';
import { FREELIST_TYPES, newFreelist } from './freelist';
import { PAGE_SIZE, PAGE_USES, PageFile } from './pages';

const AGED = { pages: 200_000, seed: 7 };

describe('an aged file', () => {
  it('lays out free runs apart, inside the region, short low in the file, the same for a seed', () => {
    const from = 4;
    const l = agedLayout(AGED, from);
    expect(agedLayout(AGED, from)).toEqual(l);
    expect(agedLayout({ ...AGED, seed: 8 }, from)).not.toEqual(l);
    let prevEnd = from; // the page before the region's first run is cold
    for (const r of l.runs) {
      expect(r.start).toBeGreaterThan(prevEnd);
      prevEnd = r.start + r.n;
    }
    expect(prevEnd).toBeLessThan(from + AGED.pages); // the region's last page is cold
    expect(l.freePages).toBe(l.runs.reduce((s, r) => s + r.n, 0));
    expect(l.coldPages).toBe(AGED.pages - l.freePages);
    // First-fit's remnants: nothing longer than 3 pages in the older nine tenths.
    const youngFrom = from + 0.9 * AGED.pages;
    expect(Math.max(...l.runs.filter((r) => r.start < youngFrom - 3).map((r) => r.n))).toBe(3);
    expect(Math.max(...l.runs.filter((r) => r.start >= youngFrom).map((r) => r.n))).toBe(16);
    // Measured over this seed: ~29% free, in runs of 1.85 pages on average.
    expect(l.freePages / AGED.pages).toBeGreaterThan(0.25);
    expect(l.freePages / AGED.pages).toBeLessThan(0.35);
  });

  it('refuses a size it cannot hold, by name', () => {
    expect(() => agedLayout({ pages: -1, seed: 1 }, 4)).toThrow(/aged file pages must be/);
    expect(() => agedLayout({ pages: MAX_AGED_PAGES + 1, seed: 1 }, 4)).toThrow(RangeError);
    expect(agedLayout({ pages: 0, seed: 1 }, 4)).toEqual({ runs: [], freePages: 0, coldPages: 0 });
  });

  it('starts with the same pages in both designs, sized as etcd reports them', () => {
    const l = agedLayout(AGED, 4);
    for (const t of FREELIST_TYPES) {
      const f = new PageFile(t, AGED);
      expect(f.dbSize).toBe((4 + AGED.pages) * PAGE_SIZE);
      expect(f.dbSizeInUse).toBe(f.dbSize - l.freePages * PAGE_SIZE);
      expect(f.stats).toMatchObject({
        freePages: l.freePages,
        freeRuns: l.runs.length,
        coldPages: l.coldPages,
      });
      const codes = f.pageCodes();
      const count = (use: string) => codes.filter((c) => PAGE_USES[c] === use).length;
      expect(count('cold')).toBe(l.coldPages);
      expect(count('free')).toBe(l.freePages);
      expect(f.freeIds().slice(0, 3)).toEqual(
        l.runs.flatMap((r) => Array.from({ length: r.n }, (_, i) => r.start + i)).slice(0, 3),
      );
    }
  });

  it('makes the array scan every remnant for a run of 4; the hashmap looks it up', () => {
    const cost: Record<string, number> = {};
    const { runs } = agedLayout(AGED, 4);
    for (const t of FREELIST_TYPES) {
      const f = newFreelist(t);
      f.adopt(runs);
      expect(f.allocate(4)).toBeGreaterThan(0);
      cost[t] = f.stats.lastAllocateNs;
    }
    // The array scans the ~48,000 free pages of the older nine tenths (1 ns each); the
    // hashmap: a size-class lookup, the run's three map entries, four page-cache deletes.
    expect(cost.array).toBeGreaterThan(40_000);
    expect(cost.map).toBeLessThan(500);
  });

  it('keeps its cold data through a defrag, packed, with nothing free', () => {
    let nowMs = 0;
    const backend = new Backend({ aged: AGED });
    const store = new MvccStore({ clock: () => nowMs, backend });
    const utf8 = new TextEncoder();
    for (let i = 0; i < 40; i++) {
      store.put({ key: utf8.encode(`k${i % 10}`), value: new Uint8Array(9000) });
      nowMs += 1;
      backend.forceCommit(nowMs * 1000);
    }
    const cold = backend.pages.stats.coldPages;
    expect(backend.dbSize).toBeGreaterThanOrEqual((4 + AGED.pages) * PAGE_SIZE);
    backend.defrag(nowMs * 1000 + 1000);
    const s = backend.pages.stats;
    expect(s).toMatchObject({ freePages: 0, freeRuns: 0, coldPages: cold });
    expect(s.pages).toBeLessThan(4 + cold + 200);
    expect(backend.dbSizeInUse).toBe(backend.dbSize);
  });
});
