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
    for (const id of this.ids()) {
      const last = out[out.length - 1];
      if (last && last.start + last.n === id) last.n++;
      else out.push({ start: id, n: 1 });
    }
    return out;
  }

  /** Forgets every free and pending page (a defragmented file has none). */
  abstract clear(): void;
}

/** bbolt's array freelist (freelist.go: arrayAllocate, arrayMergeSpans). */
export class ArrayFreelist extends Freelist {
  readonly type = 'array' as const;
  private free_: number[] = [];

  get freeCount(): number {
    return this.free_.length;
  }

  ids(): number[] {
    return [...this.free_];
  }

  protected take(n: number): { pgid: number; ns: number } {
    const ids = this.free_;
    let initial = 0;
    let prev = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (prev === 0 || id - prev !== 1) initial = id;
      if (id - initial + 1 === n) {
        // bbolt re-slices when the run is at the front, else copies the tail down over it.
        const moved = i + 1 === n ? 0 : ids.length - i - 1;
        ids.splice(i - n + 1, n);
        return {
          pgid: initial,
          ns: (i + 1) * FREELIST_COST.scanIdNs + moved * FREELIST_COST.moveIdNs,
        };
      }
      prev = id;
    }
    return { pgid: 0, ns: ids.length * FREELIST_COST.scanIdNs };
  }

  protected merge(released: number[]): number {
    const k = released.length;
    const a = this.free_;
    const out: number[] = new Array<number>(a.length + k);
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < a.length && j < k) out[o++] = a[i]! < released[j]! ? a[i++]! : released[j++]!;
    while (i < a.length) out[o++] = a[i++]!;
    while (j < k) out[o++] = released[j++]!;
    this.free_ = out;
    // sort.Sort(ids) of what was released, then pgids.merge over both.
    return k * Math.log2(k + 1) * FREELIST_COST.sortCompareNs + o * FREELIST_COST.moveIdNs;
  }

  clear(): void {
    this.free_ = [];
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
    const starts = [...this.forward.keys()].sort((a, b) => a - b);
    const out: number[] = [];
    for (const s of starts) for (let i = 0; i < this.forward.get(s)!; i++) out.push(s + i);
    return out;
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
      ns += this.delSpan(start, before);
    }
    const after = this.forward.get(id + 1);
    if (after !== undefined) {
      n += after;
      ns += this.delSpan(id + 1, after);
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

  private delSpan(start: number, n: number): number {
    this.forward.delete(start);
    this.backward.delete(start + n - 1);
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
  const ids = from.ids();
  for (const id of ids) to.free(id, 1);
  to.release();
  for (const id of from.pendingIds()) to.free(id, 1);
  Object.assign(to.stats, from.stats);
  return to;
}
