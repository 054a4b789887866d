// A node's disk in memory: the same records, CRCs and write semantics as the IndexedDB disk, so
// in-process runs and tests exercise the same paths. A crash is modelled by the host simply not
// issuing writes that were not yet durable; what was written here stays.
import {
  applyWrite,
  checkWrite,
  decodeState,
  type DiskState,
  type DiskWrite,
  type NodeDisk,
  type RecordTx,
  type StoreName,
} from './disk';
import type { SealedRecord } from './record';

export class MemoryDisk implements NodeDisk {
  private readonly stores: Record<StoreName, Map<string | number, SealedRecord>> = {
    meta: new Map(),
    wal: new Map(),
    backend: new Map(),
  };

  constructor(readonly name: string) {}

  async load(): Promise<DiskState> {
    const wal = [...this.stores.wal.entries()]
      .map(([k, v]) => [Number(k), v] as const)
      .sort((a, b) => a[0] - b[0]);
    const backend = [...this.stores.backend.entries()]
      .map(([k, v]) => [String(k), v] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const meta = new Map([...this.stores.meta.entries()].map(([k, v]) => [String(k), v]));
    return decodeState(this.name, meta, wal, backend);
  }

  /** An upper bound on the largest WAL key, so truncating the tail costs what it deletes. */
  private walMax = -Infinity;

  async writeAll(ws: readonly DiskWrite[]): Promise<void> {
    for (const w of ws) await this.write(w);
  }

  async write(w: DiskWrite): Promise<void> {
    checkWrite(w);
    // Record the operations and perform them only once the whole write has been encoded, so a
    // failure half-way leaves the disk as it was. (Copying every map per write, as this once
    // did, made long runs quadratic.)
    const ops: (() => void)[] = [];
    const s = this.stores;
    const tx: RecordTx = {
      put: (store, key, record) =>
        ops.push(() => {
          s[store].set(key, record);
          if (store === 'wal' && typeof key === 'number' && key > this.walMax) this.walMax = key;
        }),
      delete: (store, key) => ops.push(() => s[store].delete(key)),
      deleteWalFrom: (from) => ops.push(() => this.deleteWalFrom(from)),
      deleteWalUpTo: (to) =>
        ops.push(() => {
          for (const k of s.wal.keys()) if (Number(k) <= to) s.wal.delete(k);
        }),
    };
    applyWrite(tx, w);
    for (const op of ops) op();
  }

  private deleteWalFrom(from: number): void {
    const wal = this.stores.wal;
    if (from > this.walMax) return;
    if (this.walMax - from < wal.size) {
      for (let i = from; i <= this.walMax; i++) wal.delete(i);
    } else {
      for (const k of wal.keys()) if (Number(k) >= from) wal.delete(k);
    }
    this.walMax = from - 1;
  }

  close(): void {}

  /** Test hook: flips a bit in a stored record's body, as a bad disk would. */
  corrupt(store: StoreName, key: string | number): void {
    const rec = this.stores[store].get(key);
    if (!rec) throw new Error(`memory disk ${this.name}: no record ${store}/${key} to corrupt`);
    const body = rec.body.slice();
    if (body.length === 0) {
      this.stores[store].set(key, { crc: rec.crc ^ 1, body });
      return;
    }
    body[0] = body[0]! ^ 0x01;
    this.stores[store].set(key, { crc: rec.crc, body });
  }
}
