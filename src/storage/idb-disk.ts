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

  async writeAll(ws: readonly DiskWrite[]): Promise<void> {
    for (const w of ws) checkWrite(w);
    const tx = this.db.transaction(['meta', 'wal', 'backend'], 'readwrite', {
      durability: 'strict',
    });
    // Requests are queued synchronously and run in order; only tx.done is awaited, so the
    // transaction can never auto-commit half-way.
    const failures: Promise<unknown>[] = [];
    const track = (p: Promise<unknown>) => failures.push(p);
    const ops: RecordTx = {
      put: (store, key, record) => {
        if (store === 'wal') track(tx.objectStore('wal').put(record, Number(key)));
        else track(tx.objectStore(store).put(record, String(key)));
      },
      delete: (store, key) => {
        if (store === 'wal') track(tx.objectStore('wal').delete(Number(key)));
        else track(tx.objectStore(store).delete(key));
      },
      deleteWalFrom: (from) => track(tx.objectStore('wal').delete(IDBKeyRange.lowerBound(from))),
      deleteWalUpTo: (to) => track(tx.objectStore('wal').delete(IDBKeyRange.upperBound(to))),
    };
    try {
      for (const w of ws) applyWrite(ops, w);
    } catch (err) {
      tx.abort(); // an encoding failure half-way must not commit the half already queued
      // The queued requests and the transaction now reject with AbortError: expected, not news.
      for (const p of [...failures, tx.done]) p.catch(() => undefined);
      throw err;
    }
    await Promise.all([...failures, tx.done]);
  }

  close(): void {
    this.db.close();
  }
}
