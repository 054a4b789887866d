// The backend's file as bbolt lays it out, in pages: how big it is (etcd's Size, the high-water
// mark of pages ever used), how much of it is in use (SizeInUse: Size less the free pages), and
// which page holds what. It stores no data, only where the MVCC store's revisions would sit.
//
// The model, after bbolt (source article 002 draws it as a page map):
// - 4 KiB pages. Pages 0 and 1 are the meta pages; one page holds the root bucket's leaf (etcd's
//   small buckets, meta with its consistent index, written by every commit); the freelist is
//   written to its own page(s) at every commit, as bbolt 1.3 does without NoFreelistSync.
// - The "key" bucket holds every stored revision in revision order (etcd's keys are revisions),
//   in leaves filled to 90% (etcd's FillPercent for its sequential puts). An element costs 16
//   bytes of header, the 17-byte revision key and the marshalled KeyValue. A revision too big
//   for a leaf gets a leaf of its own spanning several contiguous pages (bbolt's overflow).
//   Above the leaves, branch pages of up to 111 children (16 + 17 bytes each, 90% of a page),
//   and one root branch over them when there is more than one.
// - Copy-on-write: a commit writes every leaf it changed, with the branches above it, to newly
//   allocated pages, and frees the pages they had; freed pages are pending until the next commit
//   starts (etcd closes its read transaction at every commit, so bbolt releases them then).
// - Allocation asks the freelist (./freelist.ts) for a run of contiguous pages; when it has none
//   the file grows at its end. Leaves emptied by compaction go; leaves under a quarter full are
//   merged into their left neighbour when both fit (bbolt's rebalance).
// - Defragmentation (etcd's Defrag: copy every key into a new file at 90% fill) and restoring a
//   snapshot lay everything out again contiguously, with nothing free.
// - An aged file (./aged.ts) starts with a long history: a region of cold pages (data this run
//   never touches, a count, no bytes) with free runs between them. The run's own pages are
//   allocated among them; defragmentation packs the cold pages together like any other data.
//
// Deterministic: it depends only on the calls made, in order.
import { agedLayout, type AgedFileSpec } from './aged';
import { newFreelist, convertFreelist, type Freelist, type FreelistType } from './freelist';

export const PAGE_SIZE = 4096;
const PAGE_HEADER = 16;
const ELEMENT_HEADER = 16;
/** etcd's revision key: 8 bytes main, '_', 8 bytes sub (a tombstone adds a 't'). */
const REVISION_KEY = 17;
const FILL_BYTES = Math.floor(PAGE_SIZE * 0.9) - PAGE_HEADER;
const BRANCH_FANOUT = Math.floor(FILL_BYTES / (ELEMENT_HEADER + REVISION_KEY));
/** bbolt rebalances nodes under a quarter of a page. */
const MIN_FILL_BYTES = PAGE_SIZE / 4;
const META_PAGES = 2;

/** What the model needs of a stored revision. */
export interface PageRecord {
  readonly main: number;
  readonly sub: number;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly create: number;
  readonly version: number;
  readonly lease: number;
  readonly tombstone: boolean;
}

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

/** One element's bytes in a leaf: header, revision key, and the KeyValue as protobuf marshals it. */
export function recordBytes(r: PageRecord): number {
  const field = (n: number) => (n === 0 ? 0 : 1 + varintBytes(n));
  const bytesField = (len: number) => (len === 0 ? 0 : 1 + varintBytes(len) + len);
  const kv =
    bytesField(r.key.length) +
    field(r.create) +
    field(r.main) +
    field(r.version) +
    bytesField(r.value.length) +
    field(r.lease);
  return ELEMENT_HEADER + REVISION_KEY + (r.tombstone ? 1 : 0) + kv;
}

const pagesFor = (bytes: number): number =>
  Math.max(1, Math.ceil((PAGE_HEADER + bytes) / PAGE_SIZE));

function newLeaf(firstMain: number, firstSub: number, dirty: boolean): Leaf {
  return {
    pgid: 0,
    pages: 0,
    firstMain,
    firstSub,
    mains: [],
    subs: [],
    sizes: [],
    bytes: 0,
    dirty,
  };
}

/** A run of pages a node was written to (0 pages: not written yet). */
interface Extent {
  pgid: number;
  pages: number;
}

interface Leaf extends Extent {
  /** The revision the leaf began with: a lower bound of its elements even once that one is gone. */
  firstMain: number;
  firstSub: number;
  /** Each element's revision and size, in revision order. */
  mains: number[];
  subs: number[];
  sizes: number[];
  bytes: number;
  dirty: boolean;
}

/**
 * What a page holds, for the page map. 'cold': data of an aged file's history (./aged.ts).
 * PAGE_USES[code] is the use of a page whose code (pageCodes) is `code`.
 */
export const PAGE_USES = [
  'free',
  'meta',
  'root',
  'freelist',
  'branch',
  'leaf',
  'pending',
  'cold',
] as const;
export type PageUse = (typeof PAGE_USES)[number];
const CODE: Record<PageUse, number> = Object.fromEntries(PAGE_USES.map((u, i) => [u, i])) as Record<
  PageUse,
  number
>;

export interface PageStats {
  /** Pages in the file (the high-water mark). */
  pages: number;
  freePages: number;
  pendingPages: number;
  leaves: number;
  branches: number;
  /** Free runs (contiguous free pages), a measure of fragmentation. */
  freeRuns: number;
  /** Pages of an aged file's cold data (./aged.ts); 0 in a file that started new. */
  coldPages: number;
  commits: number;
}

export class PageFile {
  private freelist: Freelist;
  /** The high-water mark: pages 0 .. hwm-1 exist. */
  private hwm = 0;
  private leaves: Leaf[] = [];
  private branches: Extent[] = [];
  private rootBranch: Extent = { pgid: 0, pages: 0 };
  private rootLeaf: Extent = { pgid: 0, pages: 0 };
  private freelistPage: Extent = { pgid: 0, pages: 0 };
  /** Pages of nodes gone since the last commit (emptied leaves), freed at the next one. */
  private orphans: Extent[] = [];
  /** The leaves changed shape (one went or was merged): every branch is rewritten. */
  private reshaped = false;
  private commits = 0;
  /** An aged file's cold pages, all within [coldFrom, coldTo) with free and new pages among them. */
  private coldPages = 0;
  private coldFrom = 0;
  private coldTo = 0;

  /** `aged`: start as a long-running file (./aged.ts) rather than a new one. */
  constructor(freelistType: FreelistType = 'array', aged?: AgedFileSpec) {
    this.freelist = newFreelist(freelistType);
    this.layOut();
    if (aged && aged.pages > 0) {
      // A new file holds no leaves: the aged region goes right after the freelist page.
      const layout = agedLayout(aged, this.hwm);
      this.coldFrom = this.hwm;
      this.hwm += aged.pages;
      this.coldTo = this.hwm;
      this.coldPages = layout.coldPages;
      this.freelist.adopt(layout.runs);
    }
  }

  /** etcd's Size(): bytes of the file up to its high-water mark, as of the last commit. */
  get dbSize(): number {
    return this.hwm * PAGE_SIZE;
  }

  /** etcd's SizeInUse(): Size less the free pages (pending ones still count as used). */
  get dbSizeInUse(): number {
    return (this.hwm - this.freelist.freeCount) * PAGE_SIZE;
  }

  get freelistType(): FreelistType {
    return this.freelist.type;
  }

  /** The freelist's counters: allocations and the simulated time they took. */
  get freelistStats() {
    return this.freelist.stats;
  }

  setFreelistType(type: FreelistType): void {
    this.freelist = convertFreelist(this.freelist, type);
  }

  get stats(): PageStats {
    return {
      pages: this.hwm,
      freePages: this.freelist.freeCount,
      pendingPages: this.freelist.pendingCount,
      leaves: this.leaves.length,
      branches: this.branches.length + (this.rootBranch.pages > 0 ? 1 : 0),
      freeRuns: this.freelist.runCount,
      coldPages: this.coldPages,
      commits: this.commits,
    };
  }

  // ---- the store's changes (applied in memory; written out by the next commit) ----

  /** A revision appended to the key bucket. */
  put(r: PageRecord): void {
    const size = recordBytes(r);
    let leaf = this.leaves[this.leaves.length - 1];
    if (!leaf || leaf.bytes + size > FILL_BYTES || leaf.bytes > FILL_BYTES) {
      leaf = newLeaf(r.main, r.sub, true);
      this.leaves.push(leaf);
      this.reshaped = true;
    }
    leaf.mains.push(r.main);
    leaf.subs.push(r.sub);
    leaf.sizes.push(size);
    leaf.bytes += size;
    leaf.dirty = true;
  }

  /** The last revision appended is taken back (a write transaction rolled back). */
  pop(): void {
    // The last leaf holding anything: a rollback may already have emptied the newest one.
    let i = this.leaves.length - 1;
    while (i >= 0 && this.leaves[i]!.sizes.length === 0) i--;
    const leaf = this.leaves[i];
    if (!leaf) return;
    leaf.mains.pop();
    leaf.subs.pop();
    leaf.bytes -= leaf.sizes.pop()!;
    leaf.dirty = true;
  }

  /** A revision removed (compaction). */
  remove(main: number, sub: number): void {
    const li = this.leafOf(main, sub);
    const leaf = this.leaves[li];
    if (!leaf) return;
    let i = 0;
    while (i < leaf.mains.length && (leaf.mains[i] !== main || leaf.subs[i] !== sub)) i++;
    if (i === leaf.mains.length) return;
    leaf.mains.splice(i, 1);
    leaf.subs.splice(i, 1);
    leaf.bytes -= leaf.sizes.splice(i, 1)[0]!;
    leaf.dirty = true;
  }

  /** The last leaf whose first revision is <= (main, sub). */
  private leafOf(main: number, sub: number): number {
    let lo = 0;
    let hi = this.leaves.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const l = this.leaves[mid]!;
      const before = l.firstMain < main || (l.firstMain === main && l.firstSub <= sub);
      if (before) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  // ---- commit, defragment, restore ----

  /**
   * One bbolt commit: release what the previous commit freed, rebalance, write every changed
   * node and the root leaf to new pages, then the freelist. Returns the simulated ns the
   * freelist work took (what the backend adds to the commit's duration).
   */
  commit(): number {
    this.commits++;
    let ns = this.freelist.release();
    this.rebalance();
    for (const o of this.orphans) this.freelist.free(o.pgid, o.pages);
    this.orphans = [];
    const dirtyBranches = new Set<number>();
    this.leaves.forEach((leaf, i) => {
      if (!leaf.dirty) return;
      leaf.dirty = false;
      ns += this.rewrite(leaf, pagesFor(leaf.bytes));
      dirtyBranches.add(Math.floor(i / BRANCH_FANOUT));
    });
    ns += this.rewriteBranches(dirtyBranches);
    ns += this.rewrite(this.rootLeaf, 1);
    this.freelist.free(this.freelistPage.pgid, this.freelistPage.pages);
    // The page(s) the freelist is written to hold every free and pending id, 8 bytes each.
    const ids = this.freelist.freeCount + this.freelist.pendingCount + 1;
    ns += this.place(this.freelistPage, pagesFor(ids * 8));
    return ns;
  }

  /**
   * etcd's Defrag: every revision copied into a new file, contiguous, nothing free. Returns the
   * bytes copied (an aged file's cold pages count as full: they are data too).
   */
  defrag(): number {
    const bytes = this.leaves.reduce((s, l) => s + l.bytes, 0) + this.coldPages * PAGE_SIZE;
    this.relayOut(this.collect());
    return bytes;
  }

  /** A store restored from a snapshot: its revisions laid out as a fresh, compact file. */
  load(records: Iterable<PageRecord>): void {
    const all: { main: number; sub: number; size: number }[] = [];
    for (const r of records) all.push({ main: r.main, sub: r.sub, size: recordBytes(r) });
    this.relayOut(all);
  }

  private collect(): { main: number; sub: number; size: number }[] {
    const all: { main: number; sub: number; size: number }[] = [];
    for (const l of this.leaves)
      for (let i = 0; i < l.mains.length; i++)
        all.push({ main: l.mains[i]!, sub: l.subs[i]!, size: l.sizes[i]! });
    return all;
  }

  private relayOut(records: { main: number; sub: number; size: number }[]): void {
    this.leaves = [];
    for (const r of records) {
      let leaf = this.leaves[this.leaves.length - 1];
      if (!leaf || leaf.bytes + r.size > FILL_BYTES) {
        leaf = newLeaf(r.main, r.sub, false);
        this.leaves.push(leaf);
      }
      leaf.mains.push(r.main);
      leaf.subs.push(r.sub);
      leaf.sizes.push(r.size);
      leaf.bytes += r.size;
    }
    this.layOut();
  }

  /** Writes meta, root leaf, freelist, leaves and branches contiguously from page 2. */
  private layOut(): void {
    this.freelist.clear();
    this.orphans = [];
    this.reshaped = false;
    this.hwm = META_PAGES;
    const next = (ext: Extent, pages: number) => {
      ext.pgid = this.hwm;
      ext.pages = pages;
      this.hwm += pages;
    };
    next(this.rootLeaf, 1);
    next(this.freelistPage, 1);
    // An aged file's cold data, packed together (nothing free among it any more).
    this.coldFrom = this.hwm;
    this.hwm += this.coldPages;
    this.coldTo = this.hwm;
    for (const l of this.leaves) {
      next(l, pagesFor(l.bytes));
      l.dirty = false;
    }
    const n = this.branchCount();
    this.branches = Array.from({ length: n }, () => ({ pgid: 0, pages: 0 }));
    for (const b of this.branches) next(b, 1);
    this.rootBranch = { pgid: 0, pages: 0 };
    if (n > 1) next(this.rootBranch, pagesFor(n * (ELEMENT_HEADER + REVISION_KEY)));
  }

  private branchCount(): number {
    return this.leaves.length > 1 ? Math.ceil(this.leaves.length / BRANCH_FANOUT) : 0;
  }

  /** Drops emptied leaves and merges underfilled ones into their left neighbour. */
  private rebalance(): void {
    if (!this.leaves.some((l) => l.dirty && l.bytes < MIN_FILL_BYTES)) return;
    const kept: Leaf[] = [];
    for (const leaf of this.leaves) {
      const left = kept[kept.length - 1];
      const under = leaf.dirty && leaf.bytes < MIN_FILL_BYTES;
      if (under && leaf.mains.length === 0) {
        if (leaf.pages > 0) this.orphans.push({ pgid: leaf.pgid, pages: leaf.pages });
        this.reshaped = true;
        continue;
      }
      if (under && left && left.bytes + leaf.bytes <= FILL_BYTES) {
        left.mains.push(...leaf.mains);
        left.subs.push(...leaf.subs);
        left.sizes.push(...leaf.sizes);
        left.bytes += leaf.bytes;
        left.dirty = true;
        if (leaf.pages > 0) this.orphans.push({ pgid: leaf.pgid, pages: leaf.pages });
        this.reshaped = true;
        continue;
      }
      kept.push(leaf);
    }
    this.leaves = kept;
  }

  private rewriteBranches(dirty: Set<number>): number {
    let ns = 0;
    const n = this.branchCount();
    if (n !== this.branches.length) this.reshaped = true;
    if (this.reshaped) {
      for (const b of this.branches) this.freelist.free(b.pgid, b.pages);
      this.branches = Array.from({ length: n }, () => ({ pgid: 0, pages: 0 }));
      for (let i = 0; i < n; i++) dirty.add(i);
    }
    this.reshaped = false;
    for (const i of dirty) {
      const b = this.branches[i];
      if (b) ns += this.rewrite(b, 1);
    }
    if (n > 1) {
      if (dirty.size > 0 || this.rootBranch.pages === 0)
        ns += this.rewrite(this.rootBranch, pagesFor(n * (ELEMENT_HEADER + REVISION_KEY)));
    } else if (this.rootBranch.pages > 0) {
      this.freelist.free(this.rootBranch.pgid, this.rootBranch.pages);
      this.rootBranch = { pgid: 0, pages: 0 };
    }
    return ns;
  }

  /** Copy-on-write: the node's old pages are freed (pending) and it gets new ones. */
  private rewrite(ext: Extent, pages: number): number {
    if (ext.pages > 0) this.freelist.free(ext.pgid, ext.pages);
    return this.place(ext, pages);
  }

  private place(ext: Extent, pages: number): number {
    let pgid = this.freelist.allocate(pages);
    const ns = this.freelist.stats.lastAllocateNs;
    if (pgid === 0) {
      pgid = this.hwm;
      this.hwm += pages;
    }
    ext.pgid = pgid;
    ext.pages = pages;
    return ns;
  }

  // ---- the page map ----

  /**
   * What every page of the file holds, by page id, as PAGE_USES codes: one byte a page, so an
   * aged file of a million pages costs a megabyte to look at, not a list of strings.
   */
  pageCodes(): Uint8Array {
    const map = new Uint8Array(this.hwm); // 0: free
    const mark = (ext: Extent, use: PageUse) => map.fill(CODE[use], ext.pgid, ext.pgid + ext.pages);
    // The aged region is cold but for what is free, pending or written by this run, marked next.
    map.fill(CODE.cold, this.coldFrom, this.coldTo);
    this.freelist.forEachRun((start, n) => map.fill(CODE.free, start, start + n));
    map[0] = CODE.meta;
    map[1] = CODE.meta;
    for (const l of this.leaves) mark(l, 'leaf');
    for (const b of this.branches) mark(b, 'branch');
    mark(this.rootBranch, 'branch');
    mark(this.rootLeaf, 'root');
    mark(this.freelistPage, 'freelist');
    for (const id of this.freelist.pendingIds()) map[id] = CODE.pending;
    for (const o of this.orphans) mark(o, 'pending');
    return map;
  }

  /** What every page of the file holds, by page id (length: the file's pages). */
  pageMap(): PageUse[] {
    return Array.from(this.pageCodes(), (c) => PAGE_USES[c]!);
  }

  /** Free page ids, ascending (the freelist as bbolt would write it). */
  freeIds(): number[] {
    return this.freelist.ids();
  }
}
