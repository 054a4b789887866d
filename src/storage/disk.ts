// A node's disk: the interface the server writes through, and the write semantics both
// implementations share. One DiskWrite is one group commit (one Ready's worth: entries, hard
// state, maybe a snapshot, maybe the backend's batch) and is atomic: after a crash either all of
// it is there or none of it.
import type { Entry, HardState, Snapshot } from '../raft/types';
import {
  decodeEntry,
  decodeHardState,
  decodeSnapshot,
  encodeEntry,
  encodeHardState,
  encodeSnapshot,
} from './codec';
import { seal, unseal, type SealedRecord } from './record';

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

/** The operations one atomic write needs, implemented over a transaction or over plain maps. */
export interface RecordTx {
  put(store: StoreName, key: string | number, record: SealedRecord): void;
  delete(store: StoreName, key: string): void;
  /** Deletes WAL records with index >= from. */
  deleteWalFrom(from: number): void;
  /** Deletes WAL records with index <= to. */
  deleteWalUpTo(to: number): void;
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

/** Applies one write's records in the order the semantics need. */
export function applyWrite(tx: RecordTx, w: DiskWrite): void {
  if (w.snapshot) {
    tx.put('meta', 'snapshot', seal(encodeSnapshot(w.snapshot)));
    tx.deleteWalUpTo(w.snapshot.metadata.index);
  }
  const es = w.entries ?? [];
  const first = es[0];
  if (first) {
    tx.deleteWalFrom(first.index);
    for (const e of es) tx.put('wal', e.index, seal(encodeEntry(e)));
  }
  if (w.compactTo !== undefined) tx.deleteWalUpTo(w.compactTo);
  if (w.hardState) tx.put('meta', 'hardState', seal(encodeHardState(w.hardState)));
  for (const [k, v] of w.backend?.put ?? []) tx.put('backend', k, seal(v));
  for (const k of w.backend?.del ?? []) tx.delete('backend', k);
}

/** Builds a DiskState from raw stored records, checking each; names the first bad one. */
export function decodeState(
  database: string,
  meta: ReadonlyMap<string, unknown>,
  wal: readonly (readonly [number, unknown])[],
  backendRecords: readonly (readonly [string, unknown])[],
): DiskState {
  const hsRaw = meta.get('hardState');
  const hardState =
    hsRaw === undefined
      ? { ...EMPTY_HARD_STATE }
      : unseal(hsRaw, database, 'meta/hardState', decodeHardState);
  const snapRaw = meta.get('snapshot');
  const snapshot =
    snapRaw === undefined ? undefined : unseal(snapRaw, database, 'meta/snapshot', decodeSnapshot);
  const entries: Entry[] = [];
  for (const [key, raw] of wal) {
    const e = unseal(raw, database, `wal/${key}`, decodeEntry);
    if (e.index !== key) {
      throw new Error(`corrupt record wal/${key} in database ${database}: holds entry ${e.index}`);
    }
    const prev = entries[entries.length - 1];
    if (prev && e.index !== prev.index + 1) {
      throw new Error(
        `database ${database}: WAL has a gap between entries ${prev.index} and ${e.index}`,
      );
    }
    entries.push(e);
  }
  const backend = new Map<string, Uint8Array>();
  for (const [key, raw] of backendRecords)
    backend.set(
      key,
      unseal(raw, database, `backend/${key}`, (b) => b),
    );
  return snapshot ? { hardState, snapshot, entries, backend } : { hardState, entries, backend };
}
