// bbolt's freelist: the pages of the file that hold nothing and can be handed out again, in the
// two designs source article 002 compares (bbolt freelist.go and freelist_hmap.go):
// - 'array' (bbolt's original, etcd 3.4's default): a sorted array of free page ids. Allocating a
//   run of n contiguous pages scans it from the start until n consecutive ids turn up, O(free
//   pages); releasing sorts the pages freed and merges them in, O(k log k + free pages).
// - 'map' (Alibaba's segregated hashmap, etcd 3.5's default): free runs indexed by their size,
//   their first page and their last page. Allocating takes a run of exactly n pages if there is
//   one, else splits the first larger run found, O(1) in the free pages; releasing merges each
//   page with its neighbours through the maps, O(1) per page.
//
// Pages freed by a transaction are pending until no reader can still see them; `release()` makes
// them free (bbolt releases at the next read-write transaction's start, see pages.ts).
//
// Each operation adds its cost to `stats` in nanoseconds, counted per step of bbolt's own loops
// (FREELIST_COST says what a step costs and why), so a fragmented array freelist costs simulated
// time in proportion to what bbolt would scan.
//
// Deviation: bbolt's hashmap picks among runs in Go's random map order; here, the first size class
// and run in insertion order (deterministic; the cost model counts the same number of steps).

/** etcd's --experimental-backend-bbolt-freelist-type (3.4) / --backend-bbolt-freelist-type. */
export type FreelistType = 'array' | 'map';

export const FREELIST_TYPES: readonly FreelistType[] = ['array', 'map'];

/**
 * What one step of each freelist loop costs, in ns: orders of magnitude for Go on one current
 * x86 core. A sequential scan over a []pgid compares one 8-byte id per ~1 ns; copy() moves ids at
 * memory bandwidth (~0.25 ns per id); sort.Sort through its interface costs ~3 ns per comparison
 * (k log2 k of them); one access to a Go map keyed by uint64 (lookup, insert or delete) ~40 ns.
 */
export const FREELIST_COST = Object.freeze({
  scanIdNs: 1,
  moveIdNs: 0.25,
  sortCompareNs: 3,
  mapOpNs: 40,
});

export interface FreelistStats {
  /** Allocations asked for (including those the freelist could not serve). */
  allocations: number;
  /** ...of which served from the freelist (the rest grew the file). */
  hits: number;
  /** Simulated ns spent allocating, all told. */
  allocateNs: number;
  /** Simulated ns spent releasing pending pages into the freelist, all told. */
  releaseNs: number;
  /** Simulated ns of the latest allocation. */
  lastAllocateNs: number;
}

/** A free run: `n` contiguous pages from `start`. */
export interface FreeRun {
  start: number;
  n: number;
}

export abstract class Freelist {
  abstract readonly type: FreelistType;
  readonly stats: FreelistStats = {
    allocations: 0,
    hits: 0,
    allocateNs: 0,
    releaseNs: 0,
    lastAllocateNs: 0,
  };
  /** Pages freed since the last release, in the order freed. */
  protected pending: number[] = [];

  /** Free pages (not counting pending ones). */
  abstract get freeCount(): number;
  /** Every free page id, ascending. */
  abstract ids(): number[];
  /** The first page of a run of n free pages, taken out of the freelist; 0 if there is none. */
  protected abstract take(n: number): { pgid: number; ns: number };
  /** Adds released pages (ascending, none already free) to the freelist; returns the cost. */
  protected abstract merge(ids: number[]): number;
  /** Calls `each` for every free run, ascending, without building a list of pages. */
  abstract forEachRun(each: (start: number, n: number) => void): void;
  /**
   * Takes in free runs (ascending, apart from each other and from every free page) at no
   * simulated cost: the file's history before the run (pages.ts, aged.ts), not work it does.
   */
  abstract adopt(runs: readonly FreeRun[]): void;

  get pendingCount(): number {
    return this.pending.length;
  }

  pendingIds(): readonly number[] {
    return this.pending;
  }

  allocate(n: number): number {
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`freelist: bad run length ${n}`);
    const { pgid, ns: takeNs } = this.take(n);
    // Both designs then drop the run's pages from bbolt's page cache map.
    const ns = takeNs + (pgid === 0 ? 0 : n * FREELIST_COST.mapOpNs);
    this.stats.allocations++;
    if (pgid !== 0) this.stats.hits++;
    this.stats.allocateNs += ns;
    this.stats.lastAllocateNs = ns;
    return pgid;
  }

  /** Frees `n` pages from `start`: pending until the next release. */
  free(start: number, n: number): void {
    for (let i = 0; i < n; i++) this.pending.push(start + i);
  }

  /** Makes every pending page free; returns the simulated ns it took. */
  release(): number {
    if (this.pending.length === 0) return 0;
    const ids = this.pending.sort((a, b) => a - b);
    this.pending = [];
    const ns = this.merge(ids);
    this.stats.releaseNs += ns;
    return ns;
  }

  /** Free runs, ascending. */
  runs(): FreeRun[] {
    const out: FreeRun[] = [];
    this.forEachRun((start, n) => out.push({ start, n }));
    return out;
  }

  /** How many free runs there are (a measure of fragmentation). */
  get runCount(): number {
    let runs = 0;
    this.forEachRun(() => runs++);
    return runs;
  }

  /** Forgets every free and pending page (a defragmented file has none). */
  abstract clear(): void;
}

/**
 * bbolt's array freelist (freelist.go: arrayAllocate, arrayMergeSpans). The ids live in an
 * Int32Array (`ids[0, len)`): an aged file's array holds hundreds of thousands of them, scanned
 * at every allocation, and a typed array scans several times faster than a JS array of numbers.
 */
export class ArrayFreelist extends Freelist {
  readonly type = 'array' as const;
  private buf = new Int32Array(64);
  private len = 0;

  get freeCount(): number {
    return this.len;
  }

  ids(): number[] {
    return Array.from(this.buf.subarray(0, this.len));
  }

  forEachRun(each: (start: number, n: number) => void): void {
    const ids = this.buf;
    let i = 0;
    while (i < this.len) {
      const start = ids[i]!;
      let n = 1;
      while (i + n < this.len && ids[i + n] === start + n) n++;
      each(start, n);
      i += n;
    }
  }

  adopt(runs: readonly FreeRun[]): void {
    const ids: number[] = [];
    for (const r of runs) for (let i = 0; i < r.n; i++) ids.push(r.start + i);
    // Already ascending and apart from the free pages: one merge, not a sort.
    this.merge(ids);
  }

  protected take(n: number): { pgid: number; ns: number } {
    const ids = this.buf;
    const len = this.len;
    // arrayAllocate's loop: `run` counts the contiguous ids ending at ids[i] (bbolt keeps the
    // run's first id instead; the same test, and page ids start at 2, so -2 never precedes one).
    let run = 0;
    let prev = -2;
    for (let i = 0; i < len; i++) {
      const id = ids[i]!;
      run = id === prev + 1 ? run + 1 : 1;
      if (run === n) {
        // bbolt re-slices when the run is at the front, else copies the tail down over it.
        const moved = i + 1 === n ? 0 : len - i - 1;
        ids.copyWithin(i - n + 1, i + 1, len);
        this.len = len - n;
        return {
          pgid: id - n + 1,
          ns: (i + 1) * FREELIST_COST.scanIdNs + moved * FREELIST_COST.moveIdNs,
        };
      }
      prev = id;
    }
    return { pgid: 0, ns: len * FREELIST_COST.scanIdNs };
  }

  protected merge(released: number[]): number {
    const k = released.length;
    const len = this.len;
    if (len + k > this.buf.length) {
      const grown = new Int32Array(Math.max(64, (len + k) * 2));
      grown.set(this.buf.subarray(0, len));
      this.buf = grown;
    }
    // Merged in place from the back: the ids below the lowest released one stay where they are.
    const a = this.buf;
    let i = len - 1;
    let j = k - 1;
    let o = len + k - 1;
    while (j >= 0) a[o--] = i >= 0 && a[i]! > released[j]! ? a[i--]! : released[j--]!;
    this.len = len + k;
    // sort.Sort(ids) of what was released, then pgids.merge over both (bbolt copies every id).
    return k * Math.log2(k + 1) * FREELIST_COST.sortCompareNs + (len + k) * FREELIST_COST.moveIdNs;
  }

  clear(): void {
    this.buf = new Int32Array(64);
    this.len = 0;
    this.pending = [];
  }
}

/** bbolt's segregated hashmap freelist (freelist_hmap.go). */
export class MapFreelist extends Freelist {
  readonly type = 'map' as const;
  /** First page -> run length. */
  private readonly forward = new Map<number, number>();
  /** Last page -> run length. */
  private readonly backward = new Map<number, number>();
  /** Run length -> first pages of the runs of that length. */
  private readonly bySize = new Map<number, Set<number>>();
  private count = 0;

  get freeCount(): number {
    return this.count;
  }

  ids(): number[] {
    const out: number[] = [];
    this.forEachRun((start, n) => {
      for (let i = 0; i < n; i++) out.push(start + i);
    });
    return out;
  }

  forEachRun(each: (start: number, n: number) => void): void {
    const starts = [...this.forward.keys()].sort((a, b) => a - b);
    for (const s of starts) each(s, this.forward.get(s)!);
  }

  override get runCount(): number {
    return this.forward.size;
  }

  adopt(runs: readonly FreeRun[]): void {
    // Runs apart from each other need no merging: straight into the three maps.
    for (const r of runs) this.addSpan(r.start, r.n);
  }

  protected take(n: number): { pgid: number; ns: number } {
    const op = FREELIST_COST.mapOpNs;
    let ns = op; // freemaps[n]
    const exact = this.bySize.get(n);
    if (exact && exact.size > 0) {
      const start = exact.values().next().value as number;
      ns += this.delSpan(start, n);
      return { pgid: start, ns };
    }
    for (const [size, starts] of this.bySize) {
      ns += op;
      if (size < n || starts.size === 0) continue;
      const start = starts.values().next().value as number;
      ns += this.delSpan(start, size);
      ns += this.addSpan(start + n, size - n);
      return { pgid: start, ns };
    }
    return { pgid: 0, ns };
  }

  protected merge(ids: number[]): number {
    let ns = 0;
    for (const id of ids) ns += this.mergeWithNeighbours(id);
    return ns;
  }

  /** mergeWithExistingSpan: joins page `id` with a run ending just before and one starting after. */
  private mergeWithNeighbours(id: number): number {
    const op = FREELIST_COST.mapOpNs;
    let ns = 2 * op; // backwardMap[id-1], forwardMap[id+1]
    let start = id;
    let n = 1;
    const before = this.backward.get(id - 1);
    if (before !== undefined) {
      start = id - before;
      n += before;
      ns += this.delSpan(start, before, 'keep-first');
    }
    const after = this.forward.get(id + 1);
    if (after !== undefined) {
      n += after;
      ns += this.delSpan(id + 1, after, 'keep-last');
    }
    return ns + this.addSpan(start, n);
  }

  private addSpan(start: number, n: number): number {
    if (n === 0) return 0;
    this.forward.set(start, n);
    this.backward.set(start + n - 1, n);
    let set = this.bySize.get(n);
    if (!set) this.bySize.set(n, (set = new Set()));
    set.add(start);
    this.count += n;
    return 3 * FREELIST_COST.mapOpNs;
  }

  /**
   * Takes a run out of the maps. `keep` leaves the entry of its first (or last) page in place
   * for the addSpan that follows to overwrite: V8 makes a Map delete leave a hole in the key's
   * bucket, so deleting and re-adding one key over and over (a released run growing page by
   * page) slows every later lookup of it, 32 µs apiece after a few hundred commits of an aged
   * file. The cost model counts bbolt's delete all the same.
   */
  private delSpan(start: number, n: number, keep?: 'keep-first' | 'keep-last'): number {
    if (keep !== 'keep-first') this.forward.delete(start);
    if (keep !== 'keep-last') this.backward.delete(start + n - 1);
    const set = this.bySize.get(n)!;
    set.delete(start);
    // bbolt deletes an emptied size class, so the scan over sizes stays short.
    if (set.size === 0) this.bySize.delete(n);
    this.count -= n;
    return 3 * FREELIST_COST.mapOpNs;
  }

  clear(): void {
    this.forward.clear();
    this.backward.clear();
    this.bySize.clear();
    this.count = 0;
    this.pending = [];
  }
}

export function newFreelist(type: FreelistType): Freelist {
  if (type === 'array') return new ArrayFreelist();
  if (type === 'map') return new MapFreelist();
  throw new RangeError(`backend: unknown freelist type ${String(type)} (array or map)`);
}

/** The same free and pending pages in a freelist of another design (a settings change). */
export function convertFreelist(from: Freelist, type: FreelistType): Freelist {
  if (from.type === type) return from;
  const to = newFreelist(type);
  to.adopt(from.runs());
  for (const id of from.pendingIds()) to.free(id, 1);
  Object.assign(to.stats, from.stats);
  return to;
}
