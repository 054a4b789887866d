// An aged file: the pages a long-running etcd's bbolt file has before this run starts, so the
// freelist can be watched at the scale source article 002 is about (hundreds of thousands of
// pages, tens of thousands of free runs) without keeping gigabytes of values in a tab.
//
// Only the file's history is synthetic. Its used pages are "cold" data: leaves of keys written
// long ago that this run never reads or rewrites, held as a count, not as keys or values. Its free
// pages go on the freelist as runs. Everything the run itself writes is the store's real data,
// allocated from that freelist like any other page.
//
// The layout is what years of first-fit allocation leave behind (bbolt's array freelist always
// takes the lowest run long enough): from the start of the file, cold extents of 1-8 pages
// alternate with short free remnants of 1-3 pages, since any longer run low in the file was
// carved up long ago; only the youngest tenth of the file, near its end, still has runs of 1-16
// pages. An allocation of a run longer than 3 pages therefore passes every short remnant first.
//
// Deterministic: the layout depends only on `pages` and `seed`.
import { seededRandom } from './experiment';
import type { FreeRun } from './freelist';

/** A page count and a seed; the scenario setting agedFilePages with the scenario's seed. */
export interface AgedFileSpec {
  /** Pages of history the file starts with, after bbolt's own four (0: a new file). */
  readonly pages: number;
  readonly seed: number;
}

/** The largest aged file (8 GiB of 4 KiB pages: etcd's suggested maximum quota). */
export const MAX_AGED_PAGES = 2 * 1024 * 1024;

export interface AgedLayout {
  /** Free runs, ascending, each apart from the next, all within [from, from + pages). */
  runs: FreeRun[];
  freePages: number;
  /** Pages holding cold data: pages less freePages. */
  coldPages: number;
}

/** Where the young tail of the file starts, as a share of it. */
const OLD_SHARE = 0.9;

/** The aged region of `spec.pages` pages starting at page `from`. */
export function agedLayout(spec: AgedFileSpec, from: number): AgedLayout {
  const { pages } = spec;
  if (!(Number.isInteger(pages) && pages >= 0 && pages <= MAX_AGED_PAGES)) {
    throw new RangeError(`backend: aged file pages must be an integer in [0, ${MAX_AGED_PAGES}]`);
  }
  const random = seededRandom(spec.seed);
  const pick = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const runs: FreeRun[] = [];
  const end = from + pages;
  const youngFrom = from + Math.floor(pages * OLD_SHARE);
  let freePages = 0;
  // Cold first, so no run touches the pages before the region (the meta, root and freelist pages).
  let at = from + pick(1, 8);
  while (at < end) {
    const old = at < youngFrom;
    // Old remnants: 1 page 60%, 2 pages 30%, 3 pages 10%.
    const r = random();
    const want = old ? (r < 0.6 ? 1 : r < 0.9 ? 2 : 3) : pick(1, 16);
    // A run ends at least one page before the region does: the last page is cold, so nothing
    // the file later grows by merges with the region's free pages.
    const n = Math.min(want, end - 1 - at);
    if (n <= 0) break;
    runs.push({ start: at, n });
    freePages += n;
    at += n + pick(1, 8);
  }
  return { runs, freePages, coldPages: pages - freePages };
}
