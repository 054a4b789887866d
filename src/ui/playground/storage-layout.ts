// Pure data for the Storage panel (issue 7, source article 004): each node's backend
// transactions rebuilt from the trace's lock events, as intervals of simulated time — when each
// read, write and batch commit asked for its locks, when it held all it needed, and when it let
// them go — with the lock mode in force and where it changed. StoragePanel.tsx draws them;
// nothing here touches the DOM.
//
// Lock events (src/mvcc/backend): for every (txnId, lock) one 'requested', one 'granted' and one
// 'released', in that order, per node in simulated-time order (`lockAtUs`). A read holds batchTx
// (coarse) or readTx (rwlock); a concurrent read holds readTx while it copies the read buffer,
// then concurrentReadTx in mode 'none' (no lock) to its end; a write holds batchTx; a commit asks
// for batchTx and readTx at once and works once it holds both.
import type { TraceRecord } from '../../sim/conductor';

export type TxnKind = 'read' | 'write' | 'commit';
export type LockMode = 'coarse' | 'rwlock' | 'concurrent';
export const TXN_KINDS: readonly TxnKind[] = ['read', 'write', 'commit'];

/** One backend transaction of one node. Times are simulated µs; absent: not happened (yet). */
export interface StorageTxn {
  readonly txnId: number;
  readonly kind: TxnKind;
  /** Its first lock request: it is blocked from here until grantedUs. */
  readonly requestedUs: number;
  /** When it held every lock it needed and started working. */
  grantedUs?: number;
  /** A concurrent read: when its buffer copy ended and it went on with no lock held. */
  lockFreeUs?: number;
  /** When it let go of its last lock: its end. */
  releasedUs?: number;
  /** The node crashed first: the transaction ends there, unfinished. */
  cutUs?: number;
  /** Its row within its kind's lane (overlapping transactions take different rows). */
  readonly row: number;
  /** Locks asked for and not yet released. */
  open: number;
}

/** The rows a lane of each kind has: reads overlap, writes serialise on batchTx, commits too. */
export const LANE_ROWS: Readonly<Record<TxnKind, number>> = { read: 4, write: 1, commit: 1 };

export interface ModeMark {
  atUs: number;
  mode: LockMode;
}

/** What a trace looks like to the scan: the Timeline's record access. */
export interface RecordSource {
  readonly length: number;
  record(i: number): TraceRecord | undefined;
}

/** One node's transactions, in the order they first asked for a lock (so by requestedUs). */
export class NodeStorage {
  readonly txns: StorageTxn[] = [];
  /** Transactions not yet ended, by txnId (ids restart when the node starts again). */
  private readonly open = new Map<number, StorageTxn>();
  /** The latest transaction of each id since the node started. */
  private readonly lastById = new Map<number, StorageTxn>();
  /** The longest any ended transaction took, request to end: bounds searches back in time. */
  maxSpanUs = 0;
  /** The lock mode from the start, then each change. */
  readonly modes: ModeMark[];
  /** Per kind, the transaction last placed in each row. */
  private readonly rowsLast: Record<TxnKind, (StorageTxn | undefined)[]> = {
    read: [],
    write: [],
    commit: [],
  };

  constructor(initialMode: LockMode) {
    this.modes = [{ atUs: 0, mode: initialMode }];
  }

  /** The mode in force at `atUs`. */
  modeAt(atUs: number): LockMode {
    let mode = this.modes[0]!.mode;
    for (const m of this.modes) {
      if (m.atUs > atUs) break;
      mode = m.mode;
    }
    return mode;
  }

  setMode(atUs: number, mode: LockMode): void {
    if (this.modes[this.modes.length - 1]!.mode !== mode) this.modes.push({ atUs, mode });
  }

  lockEvent(r: TraceRecord): void {
    const atUs = r.lockAtUs as number;
    const id = r.txnId as number;
    const mode = r.mode as string;
    let t = this.open.get(id);
    switch (r.phase) {
      case 'requested':
        if (mode === 'none' && !t) {
          // A concurrent read going on with no lock once its buffer copy released readTx: the
          // same transaction, which that release seemed to end.
          t = this.lastById.get(id);
          if (t) {
            delete t.releasedUs;
            this.open.set(id, t);
          }
        }
        if (!t) {
          const kind = r.txn as TxnKind;
          t = { txnId: id, kind, requestedUs: atUs, row: this.rowFor(kind, atUs), open: 0 };
          this.rowsLast[kind][t.row] = t;
          this.open.set(id, t);
          this.lastById.set(id, t);
          this.txns.push(t);
        }
        t.open++;
        return;
      case 'granted':
        if (!t) return;
        if (mode === 'none') t.lockFreeUs = atUs;
        else t.grantedUs = Math.max(t.grantedUs ?? atUs, atUs);
        return;
      case 'released':
        if (!t) return;
        t.releasedUs = atUs;
        if (--t.open === 0) this.end(t, atUs);
        return;
    }
  }

  /** The node went down: what it had in flight ends here, unfinished. */
  crash(atUs: number): void {
    for (const t of this.open.values()) {
      t.cutUs = atUs;
      this.maxSpanUs = Math.max(this.maxSpanUs, atUs - t.requestedUs);
    }
    this.open.clear();
    this.lastById.clear();
  }

  private end(t: StorageTxn, atUs: number): void {
    this.open.delete(t.txnId);
    this.maxSpanUs = Math.max(this.maxSpanUs, atUs - t.requestedUs);
  }

  /** The first row of the kind's lane free at `atUs` (the last row takes the overflow). */
  private rowFor(kind: TxnKind, atUs: number): number {
    const rows = this.rowsLast[kind];
    const n = LANE_ROWS[kind];
    let row = n - 1;
    for (let i = 0; i < n; i++) {
      const last = rows[i];
      const lastEnd = last && (last.open === 0 ? last.releasedUs : last.cutUs);
      if (!last || (lastEnd !== undefined && lastEnd <= atUs)) {
        row = i;
        break;
      }
    }
    return row;
  }

  /**
   * The transactions that overlap [fromUs, toUs], as seen from `viewUs` (≥ toUs): any that asked
   * by then, in request order. A transaction's later times are to be clipped with `asOf`.
   */
  within(fromUs: number, toUs: number): StorageTxn[] {
    const txns = this.txns;
    // Binary search for the first transaction that may still run at fromUs.
    let lo = 0;
    let hi = txns.length;
    const earliest = fromUs - this.maxSpanUs;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (txns[mid]!.requestedUs < earliest) lo = mid + 1;
      else hi = mid;
    }
    const out: StorageTxn[] = [];
    for (const t of this.open.values()) if (t.requestedUs < earliest) out.push(t);
    for (let i = lo; i < txns.length; i++) {
      const t = txns[i]!;
      if (t.requestedUs > toUs) break;
      const end = t.open === 0 ? t.releasedUs : t.cutUs;
      if (end !== undefined && end < fromUs) continue;
      out.push(t);
    }
    return out;
  }
}

/** A transaction as it stood at `viewUs`: what had not happened by then is taken away. */
export interface TxnView {
  txn: StorageTxn;
  kind: TxnKind;
  row: number;
  requestedUs: number;
  /** Granted by viewUs; else it is still blocked at viewUs. */
  grantedUs?: number;
  lockFreeUs?: number;
  /** Its end, or viewUs while it is still going (then `going` is true). */
  endUs: number;
  going: boolean;
  cut: boolean;
}

export function asOf(t: StorageTxn, viewUs: number): TxnView | null {
  if (t.requestedUs > viewUs) return null;
  const granted = t.grantedUs !== undefined && t.grantedUs <= viewUs ? t.grantedUs : undefined;
  const lockFree =
    t.lockFreeUs !== undefined && t.lockFreeUs <= viewUs && granted !== undefined
      ? t.lockFreeUs
      : undefined;
  const end = t.open === 0 ? t.releasedUs : t.cutUs;
  const ended = end !== undefined && end <= viewUs;
  return {
    txn: t,
    kind: t.kind,
    row: t.row,
    requestedUs: t.requestedUs,
    ...(granted !== undefined ? { grantedUs: granted } : {}),
    ...(lockFree !== undefined ? { lockFreeUs: lockFree } : {}),
    endUs: ended ? end : viewUs,
    going: !ended,
    cut: ended && t.cutUs !== undefined,
  };
}

/** The time a transaction spent blocked (waiting for its locks) inside [fromUs, toUs]. */
export function blockedWithin(v: TxnView, fromUs: number, toUs: number): number {
  const waitEnd = v.grantedUs ?? v.endUs;
  return Math.max(0, Math.min(waitEnd, toUs) - Math.max(v.requestedUs, fromUs));
}

export interface BlockedSummary {
  /** Blocked time summed over transactions, µs, per kind and in all. */
  byKind: Record<TxnKind, number>;
  totalUs: number;
  /** Transactions that waited at all within the window. */
  waited: number;
}

/** Blocked time of a node's transactions within [fromUs, toUs], as seen at toUs. */
export function blockedSummary(node: NodeStorage, fromUs: number, toUs: number): BlockedSummary {
  const byKind: Record<TxnKind, number> = { read: 0, write: 0, commit: 0 };
  let waited = 0;
  // As blockedWithin(asOf(t, toUs), ...) without building the views: this runs every frame.
  for (const t of node.within(fromUs, toUs)) {
    let waitEnd = toUs;
    if (t.grantedUs !== undefined && t.grantedUs <= toUs) waitEnd = t.grantedUs;
    else {
      const end = t.open === 0 ? t.releasedUs : t.cutUs;
      if (end !== undefined && end < toUs) waitEnd = end;
    }
    const us = Math.min(waitEnd, toUs) - Math.max(t.requestedUs, fromUs);
    if (us > 0) {
      byKind[t.kind] += us;
      waited++;
    }
  }
  return { byKind, totalUs: byKind.read + byKind.write + byKind.commit, waited };
}

/**
 * Every node's backend transactions, from a growing trace, scanned once: each update reads only
 * the records added since the last (the timeline only grows, so this is cheap at every frame).
 */
export class StorageScan {
  private scanned = 0;
  private readonly nodes = new Map<number, NodeStorage>();

  constructor(
    private readonly source: RecordSource,
    /** The lock mode every node starts with: the scenario's setting. */
    private readonly initialMode: LockMode,
  ) {}

  /** Reads the records added since the last call. */
  update(): this {
    for (; this.scanned < this.source.length; this.scanned++) {
      const r = this.source.record(this.scanned);
      if (r) this.apply(r);
    }
    return this;
  }

  node(id: number): NodeStorage {
    let n = this.nodes.get(id);
    if (!n) this.nodes.set(id, (n = new NodeStorage(this.initialMode)));
    return n;
  }

  private apply(r: TraceRecord): void {
    if (typeof r.node !== 'number') return;
    switch (r.kind) {
      case 'lock':
        this.node(r.node).lockEvent(r);
        return;
      case 'configured': {
        const mode = (r.backend as { lockMode?: LockMode } | undefined)?.lockMode;
        if (mode) this.node(r.node).setMode(r.atUs, mode);
        return;
      }
      case 'crash':
        this.node(r.node).crash(r.atUs);
        return;
      case 'node-start':
        // A fresh backend: its transaction ids start again (anything open ended at the crash).
        this.node(r.node).crash(r.atUs);
        return;
    }
  }
}

/** A run of time a lane row is busy at the drawn scale: transactions merged when they touch. */
export interface Run {
  x0: number;
  x1: number;
  count: number;
}

/**
 * Merges intervals (in any order) that lie within `gapPx` of each other once scaled by `x`, so a
 * lane never draws more shapes than it has pixels; each run is at least `minPx` wide.
 */
export function mergeRuns(
  intervals: readonly (readonly [number, number])[],
  x: (us: number) => number,
  gapPx = 1,
  minPx = 1,
): Run[] {
  const scaled = intervals
    .map(([a, b]) => {
      const x0 = x(a);
      return [x0, Math.max(x(b), x0 + minPx)] as const;
    })
    .sort((p, q) => p[0] - q[0]);
  const out: Run[] = [];
  for (const [x0, x1] of scaled) {
    const last = out[out.length - 1];
    if (last && x0 <= last.x1 + gapPx) {
      last.x1 = Math.max(last.x1, x1);
      last.count++;
    } else out.push({ x0, x1, count: 1 });
  }
  return out;
}
