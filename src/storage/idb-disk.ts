// A node's disk in IndexedDB: one database per node per cluster namespace, three object stores
// (meta: the snapshot; wal: one record per group commit, wal.ts; backend: the MVCC backend's
// keys). One group commit (writeAll; write is a group of one) is one readwrite transaction with
// durability 'strict' — the browser's fsync — so it is atomic and durable when its promise
// resolves.
import { openDB, unwrap, type DBSchema, type IDBPDatabase } from 'idb';
import {
  applyGroup,
  decodeState,
  type DiskState,
  type DiskWrite,
  type NodeDisk,
  type RecordTx,
} from './disk';
import type { SealedRecord } from './record';
import type { WalLog } from './wal';

/** 2: one WAL record per group commit (wal.ts); 1 had a record per entry. */
export const NODE_DB_VERSION = 2;

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
   * The WAL's bookkeeping as of the last load or committed write; undefined before the first load
   * (a write loads it first) and after a write that failed, when what committed is not known.
   */
  private wal: WalLog | undefined;

  private constructor(
    readonly name: string,
    private readonly db: IDBPDatabase<NodeDbSchema>,
  ) {}

  static async open(name: string): Promise<IdbDisk> {
    // Databases live for one cluster namespace, made fresh by each page; one written by an older
    // raftlab is refused (its upgrade aborted, the database left as it was) rather than misread.
    let older = 0;
    try {
      const db = await openDB<NodeDbSchema>(name, NODE_DB_VERSION, {
        upgrade(db, oldVersion, _newVersion, tx) {
          if (oldVersion !== 0) {
            older = oldVersion;
            tx.done.catch(() => undefined); // rejects with the abort: reported below instead
            tx.abort();
            return;
          }
          db.createObjectStore('meta');
          db.createObjectStore('wal');
          db.createObjectStore('backend');
        },
      });
      return new IdbDisk(name, db);
    } catch (err) {
      if (older === 0) throw err;
      throw new Error(
        `database ${name} holds format ${older}, not ${NODE_DB_VERSION}: delete it and start the cluster again`,
        { cause: err },
      );
    }
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
    const loaded = decodeState(
      this.name,
      new Map(zip(metaKeys, metaVals)),
      zip(walKeys, walVals),
      zip(beKeys, beVals),
    );
    this.wal = loaded.wal;
    return loaded.state;
  }

  write(w: DiskWrite): Promise<void> {
    return this.writeAll([w]);
  }

  /** The last write under way: writes run one after another, each planned when it starts. */
  private writing: Promise<void> = Promise.resolve();

  writeAll(ws: readonly DiskWrite[]): Promise<void> {
    const run = this.writing.then(() => this.commit(ws));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async commit(ws: readonly DiskWrite[]): Promise<void> {
    if (!this.wal) await this.load();
    const wal = this.wal!;
    const tx = this.db.transaction(['meta', 'wal', 'backend'], 'readwrite', {
      durability: 'strict',
    });
    // Raw requests, queued synchronously and run in order, not idb's promise per request: only
    // tx.done is awaited, so the transaction never auto-commits half-way, and a failed request
    // fails it (and tx.done with it).
    const raw = unwrap(tx);
    const ops: RecordTx = {
      put: (store, key, record) => raw.objectStore(store).put(record, key),
      delete: (store, key) => raw.objectStore(store).delete(key),
      deleteWalRange: (from, to) => raw.objectStore('wal').delete(IDBKeyRange.bound(from, to)),
    };
    try {
      applyGroup(ops, ws, wal);
    } catch (err) {
      tx.abort(); // an encoding failure half-way must not commit the half already queued
      tx.done.catch(() => undefined); // it now rejects with AbortError: expected, not news
      throw err;
    }
    try {
      await tx.done;
    } catch (err) {
      this.wal = undefined; // the plan was taken as done; the next write reloads what committed
      throw err;
    }
  }

  close(): void {
    this.db.close();
  }
}
