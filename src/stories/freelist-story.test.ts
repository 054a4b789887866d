// Story 15 shows its point, measured by running both designs on the same aged file: the array
// freelist's scans make every commit, and the puts queued behind commits, slower; the hashmap's
// do not. In a new, small file the array is the cheaper one. The aged file is replayed exactly.
import { beforeAll, describe, expect, it } from 'vitest';
import { FREELIST_AGED_PAGES, freelistScenario } from './freelist-story';
import { measureFreelist } from './measure';
import type { RunFigures } from './figures';

const num = (f: RunFigures, k: string) => f[k] as number;

describe('the freelist story, in the aged file', () => {
  let array: RunFigures;
  let map: RunFigures;
  beforeAll(async () => {
    array = await measureFreelist(freelistScenario('array'));
    map = await measureFreelist(freelistScenario('map'));
  }, 120_000);

  it('starts from the same big, fragmented file in both designs', () => {
    for (const f of [array, map]) {
      expect(num(f, 'pages')).toBeGreaterThan(FREELIST_AGED_PAGES);
      expect(num(f, 'free_pages')).toBeGreaterThan(250_000);
      expect(num(f, 'free_runs')).toBeGreaterThan(100_000);
    }
    // The same history and the same writes: the two files differ only in where runs were taken.
    expect(Math.abs(num(array, 'pages') - num(map, 'pages'))).toBeLessThan(1000);
  });

  // Measured (scripts/freelist-story.ts): 3,692 against 227 µs of freelist work a commit;
  // commits 8.9 against 5.5 ms (median); 14 KiB puts 14.4 against 11.2 ms (p99).
  it("costs the array's commits milliseconds the hashmap's do not", () => {
    expect(num(array, 'freelist_us_per_commit')).toBeGreaterThan(
      10 * num(map, 'freelist_us_per_commit'),
    );
    expect(num(array, 'freelist_us_per_commit')).toBeGreaterThan(2000);
    expect(num(array, 'ns_per_allocation')).toBeGreaterThan(50 * num(map, 'ns_per_allocation'));
    expect(num(array, 'commits')).toBeGreaterThan(80);
    expect(num(array, 'commit_p50_ms')).toBeGreaterThan(1.4 * num(map, 'commit_p50_ms'));
    expect(num(array, 'commit_p99_ms')).toBeGreaterThan(num(map, 'commit_p99_ms') + 2);
    expect(num(array, 'put_14k_p99_ms')).toBeGreaterThan(1.15 * num(map, 'put_14k_p99_ms'));
  });

  it('replays exactly: the same seed gives the same trace', async () => {
    const again = await measureFreelist(freelistScenario('array'));
    expect(again).toEqual(array);
    const other = freelistScenario('array');
    const reseeded = await measureFreelist({ ...other, seed: other.seed + 1 });
    expect(reseeded.trace_hash).not.toBe(array.trace_hash);
  }, 120_000);
});

describe('the freelist story, in a new file', () => {
  it('fragments a small file, where the array scans cheaply and the hashmap pays map operations', async () => {
    const array = await measureFreelist(freelistScenario('array', 0));
    const map = await measureFreelist(freelistScenario('map', 0));
    for (const f of [array, map]) {
      expect(num(f, 'free_runs')).toBeGreaterThan(20);
      expect(num(f, 'free_pages')).toBeGreaterThan(0.3 * num(f, 'pages'));
    }
    expect(Math.abs(num(array, 'pages') - num(map, 'pages'))).toBeLessThan(10);
    // Measured: 91 against 274 ns an allocation.
    expect(num(array, 'ns_per_allocation')).toBeLessThan(num(map, 'ns_per_allocation'));
    expect(num(array, 'commit_p50_ms')).toBeLessThan(1.05 * num(map, 'commit_p50_ms'));
  }, 60_000);
});
