// A node's disk: the interface the server writes through, and the write semantics both
// implementations share. One DiskWrite is one group commit (one Ready's worth: entries, hard
// state, maybe a snapshot, maybe the backend's batch) and is atomic: after a crash either all of
// it is there or none of it.
import type { Entry, HardState, Snapshot } from '../raft/types';
import { decodeSnapshot, encodeSnapshot } from './codec';
import { seal, unseal, type SealedRecord } from './record';
import { WalLog } from './wal';

export interface DiskWrite {
  /** Replaces the stored hard state. */
  hardState?: HardState;
  /** Stored first: entries at or below its index are dropped. */
  snapshot?: Snapshot;
  /** Contiguous entries; any stored entry at or after the first one's index is replaced (a WAL
   *  truncated at a conflict). */
  entries?: readonly Entry[];
  /** Drops entries at or below this index (after the log was compacted into a snapshot). */
  compactTo?: number;
  /** The backend's batch: keys put and deleted in its own keyspace. */
  backend?: { put?: readonly (readonly [string, Uint8Array])[]; del?: readonly string[] };
}

export interface DiskState {
  hardState: HardState;
  snapshot?: Snapshot;
  /** Contiguous, in index order, all after the snapshot's index. */
  entries: Entry[];
  backend: Map<string, Uint8Array>;
}

export interface NodeDisk {
  /** The database name, used in every error message. */
  readonly name: string;
  /** Reads and checks everything; throws CorruptRecordError naming the first bad record. */
  load(): Promise<DiskState>;
  write(w: DiskWrite): Promise<void>;
  /**
   * Several writes in order, as a group commit: the same disk as writing them one by one, none
   * left half-done. IndexedDB makes the group one transaction (one flush to disk), so a failure
   * undoes all of it; the memory disk writes them one by one and stops at a failure.
   */
  writeAll(ws: readonly DiskWrite[]): Promise<void>;
  close(): void;
}

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: 0, commit: 0 };

/** Object stores (IndexedDB) or maps (memory) that make up a node's disk. */
export type StoreName = 'meta' | 'wal' | 'backend';

/** The operations one atomic group commit needs, over a transaction or over plain maps. */
export interface RecordTx {
  put(store: StoreName, key: string | number, record: SealedRecord): void;
  delete(store: StoreName, key: string): void;
  /** Deletes the WAL records with sequence numbers from..to (inclusive). */
  deleteWalRange(from: number, to: number): void;
}

export function checkWrite(w: DiskWrite): void {
  const es = w.entries ?? [];
  for (let i = 1; i < es.length; i++) {
    if (es[i]!.index !== es[i - 1]!.index + 1) {
      throw new RangeError(
        `disk write: entries not contiguous at index ${es[i - 1]!.index} -> ${es[i]!.index}`,
      );
    }
  }
}

/**
 * Issues one group commit's records: the group's WAL record (wal.ts) and the WAL records it makes
 * dead, then its last snapshot and each write's backend keys in order. Takes the WAL plan as done: the
 * caller writes all of it or none (and then stops using the disk).
 */
export function applyGroup(tx: RecordTx, ws: readonly DiskWrite[], wal: WalLog): void {
  for (const w of ws) checkWrite(w);
  // Encoded before anything is issued: an entry that cannot be encoded throws with nothing done.
  // Only the group's last snapshot is stored (each replaces the one before).
  const last = ws.findLast((w) => w.snapshot !== undefined)?.snapshot;
  const snapshot = last && seal(encodeSnapshot(last));
  const plan = wal.plan(ws);
  if (plan.put) tx.put('wal', plan.put.seq, plan.put.record);
  for (const [from, to] of plan.deletes) tx.deleteWalRange(from, to);
  if (snapshot) tx.put('meta', 'snapshot', snapshot);
  for (const w of ws) {
    for (const [k, v] of w.backend?.put ?? []) tx.put('backend', k, seal(v));
    for (const k of w.backend?.del ?? []) tx.delete('backend', k);
  }
}

/** Builds a DiskState (and its WAL's bookkeeping) from raw stored records; names the first bad one. */
export function decodeState(
  database: string,
  meta: ReadonlyMap<string, unknown>,
  wal: readonly (readonly [number, unknown])[],
  backendRecords: readonly (readonly [string, unknown])[],
): { state: DiskState; wal: WalLog } {
  const snapRaw = meta.get('snapshot');
  const snapshot =
    snapRaw === undefined ? undefined : unseal(snapRaw, database, 'meta/snapshot', decodeSnapshot);
  // A snapshot's write raised the WAL's floor past the entries it covers.
  const { entries, hardState, log } = WalLog.replay(database, wal, { ...EMPTY_HARD_STATE });
  const backend = new Map<string, Uint8Array>();
  for (const [key, raw] of backendRecords)
    backend.set(
      key,
      unseal(raw, database, `backend/${key}`, (b) => b),
    );
  const state: DiskState = snapshot
    ? { hardState, snapshot, entries, backend }
    : { hardState, entries, backend };
  return { state, wal: log };
}
