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

  async write(w: DiskWrite): Promise<void> {
    checkWrite(w);
    // Stage into copies and swap, so a failure half-way leaves the disk as it was.
    const staged = {
      meta: new Map(this.stores.meta),
      wal: new Map(this.stores.wal),
      backend: new Map(this.stores.backend),
    };
    const tx: RecordTx = {
      put: (store, key, record) => void staged[store].set(key, record),
      delete: (store, key) => void staged[store].delete(key),
      deleteWalFrom: (from) => {
        for (const k of staged.wal.keys()) if (Number(k) >= from) staged.wal.delete(k);
      },
      deleteWalUpTo: (to) => {
        for (const k of staged.wal.keys()) if (Number(k) <= to) staged.wal.delete(k);
      },
    };
    applyWrite(tx, w);
    Object.assign(this.stores, staged);
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
