// A node's disk in IndexedDB: one database per node per cluster namespace, three object stores
// (meta: hard state and snapshot; wal: entries by index; backend: the MVCC backend's keys). One
// DiskWrite is one readwrite transaction with durability 'strict' — the browser's fsync — so a
// group commit is atomic and durable when the returned promise resolves.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import {
  applyWrite,
  checkWrite,
  decodeState,
  type DiskState,
  type DiskWrite,
  type NodeDisk,
  type RecordTx,
} from './disk';
import type { SealedRecord } from './record';

export const NODE_DB_VERSION = 1;

interface NodeDbSchema extends DBSchema {
  meta: { key: string; value: SealedRecord };
  wal: { key: number; value: SealedRecord };
  backend: { key: string; value: SealedRecord };
}

/** The database name of node `nodeId` in cluster namespace `namespace`. */
export function nodeDatabaseName(namespace: string, nodeId: number): string {
  if (!/^[\w.-]{1,64}$/.test(namespace)) {
    throw new Error(
      `cluster namespace must be 1-64 letters, digits, '.', '_' or '-', got "${namespace}"`,
    );
  }
  return `raftlab/${namespace}/n${nodeId}`;
}

export class IdbDisk implements NodeDisk {
  /**
   * An upper bound on the largest WAL key stored (Infinity: not known), so that appending past
   * the end skips the truncating range delete. Lowered only by a delete that committed.
   */
  private walMax = Infinity;

  private constructor(
    readonly name: string,
    private readonly db: IDBPDatabase<NodeDbSchema>,
  ) {}

  static async open(name: string): Promise<IdbDisk> {
    const db = await openDB<NodeDbSchema>(name, NODE_DB_VERSION, {
      upgrade(db) {
        db.createObjectStore('meta');
        db.createObjectStore('wal');
        db.createObjectStore('backend');
      },
    });
    return new IdbDisk(name, db);
  }

  async load(): Promise<DiskState> {
    const tx = this.db.transaction(['meta', 'wal', 'backend'], 'readonly');
    const [metaKeys, metaVals, walKeys, walVals, beKeys, beVals] = await Promise.all([
      tx.objectStore('meta').getAllKeys(),
      tx.objectStore('meta').getAll(),
      tx.objectStore('wal').getAllKeys(),
      tx.objectStore('wal').getAll(),
      tx.objectStore('backend').getAllKeys(),
      tx.objectStore('backend').getAll(),
    ]);
    await tx.done;
    this.walMax = walKeys.length > 0 ? walKeys[walKeys.length - 1]! : -Infinity;
    const zip = <K>(keys: K[], vals: unknown[]) => keys.map((k, i) => [k, vals[i]] as const);
    return decodeState(
      this.name,
      new Map(zip(metaKeys, metaVals)),
      zip(walKeys, walVals),
      zip(beKeys, beVals),
    );
  }

  write(w: DiskWrite): Promise<void> {
    return this.writeAll([w]);
  }

  /** The last write under way: writes run one after another (walMax is read at each start). */
  private writing: Promise<void> = Promise.resolve();

  writeAll(ws: readonly DiskWrite[]): Promise<void> {
    const run = this.writing.then(() => this.commit(ws));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async commit(ws: readonly DiskWrite[]): Promise<void> {
    for (const w of ws) checkWrite(w);
    const tx = this.db.transaction(['meta', 'wal', 'backend'], 'readwrite', {
      durability: 'strict',
    });
    // Requests are queued synchronously and run in order; only tx.done is awaited, so the
    // transaction can never auto-commit half-way.
    const failures: Promise<unknown>[] = [];
    const track = (p: Promise<unknown>) => failures.push(p);
    // A group rewrites the hard state with every write: only the last one is stored (meta keys
    // are no other record's business, and the transaction commits all or nothing).
    const meta = new Map<string, SealedRecord>();
    let walMax = this.walMax;
    const ops: RecordTx = {
      put: (store, key, record) => {
        if (store === 'meta') meta.set(String(key), record);
        else if (store === 'wal') {
          track(tx.objectStore('wal').put(record, Number(key)));
          walMax = Math.max(walMax, Number(key));
        } else track(tx.objectStore(store).put(record, String(key)));
      },
      delete: (store, key) => {
        if (store === 'meta') meta.delete(key);
        if (store === 'wal') track(tx.objectStore('wal').delete(Number(key)));
        else track(tx.objectStore(store).delete(key));
      },
      deleteWalFrom: (from) => {
        if (from > walMax) return; // an append past the end: nothing to truncate
        track(tx.objectStore('wal').delete(IDBKeyRange.lowerBound(from)));
        walMax = from - 1;
      },
      deleteWalUpTo: (to) => track(tx.objectStore('wal').delete(IDBKeyRange.upperBound(to))),
    };
    try {
      for (const w of ws) applyWrite(ops, w);
      for (const [key, record] of meta) track(tx.objectStore('meta').put(record, key));
    } catch (err) {
      tx.abort(); // an encoding failure half-way must not commit the half already queued
      // The queued requests and the transaction now reject with AbortError: expected, not news.
      for (const p of [...failures, tx.done]) p.catch(() => undefined);
      throw err;
    }
    try {
      await Promise.all([...failures, tx.done]);
    } catch (err) {
      this.walMax = Infinity; // what committed is not known
      throw err;
    }
    this.walMax = walMax;
  }

  close(): void {
    this.db.close();
  }
}
