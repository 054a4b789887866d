// A node's disk in memory: the same records, CRCs and write semantics as the IndexedDB disk, so
// in-process runs and tests exercise the same paths. A crash is modelled by the host simply not
// issuing writes that were not yet durable; what was written here stays.
import {
  applyGroup,
  decodeState,
  EMPTY_HARD_STATE,
  type DiskState,
  type DiskWrite,
  type NodeDisk,
  type RecordTx,
  type StoreName,
} from './disk';
import type { SealedRecord } from './record';
import { WalLog } from './wal';

export class MemoryDisk implements NodeDisk {
  private readonly stores: Record<StoreName, Map<string | number, SealedRecord>> = {
    meta: new Map(),
    wal: new Map(),
    backend: new Map(),
  };

  constructor(readonly name: string) {}

  /** The WAL's bookkeeping, as of the last load or write. */
  private wal = new WalLog({ ...EMPTY_HARD_STATE });

  async load(): Promise<DiskState> {
    const wal = [...this.stores.wal.entries()]
      .map(([k, v]) => [Number(k), v] as const)
      .sort((a, b) => a[0] - b[0]);
    const backend = [...this.stores.backend.entries()]
      .map(([k, v]) => [String(k), v] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const meta = new Map([...this.stores.meta.entries()].map(([k, v]) => [String(k), v]));
    const loaded = decodeState(this.name, meta, wal, backend);
    this.wal = loaded.wal;
    return loaded.state;
  }

  async writeAll(ws: readonly DiskWrite[]): Promise<void> {
    for (const w of ws) await this.write(w);
  }

  async write(w: DiskWrite): Promise<void> {
    // Record the operations and perform them only once the whole write has been encoded, so a
    // failure half-way leaves the disk as it was. (Copying every map per write, as this once
    // did, made long runs quadratic.)
    const ops: (() => void)[] = [];
    const s = this.stores;
    const tx: RecordTx = {
      put: (store, key, record) => ops.push(() => s[store].set(key, record)),
      delete: (store, key) => ops.push(() => s[store].delete(key)),
      deleteWalRange: (from, to) =>
        ops.push(() => {
          // A compaction's range starts at 1: walk whichever is shorter, the range or the map.
          if (to - from < s.wal.size) for (let k = from; k <= to; k++) s.wal.delete(k);
          else
            for (const k of s.wal.keys()) if (Number(k) >= from && Number(k) <= to) s.wal.delete(k);
        }),
    };
    applyGroup(tx, [w], this.wal);
    for (const op of ops) op();
  }

  close(): void {}

  /** Test hook: the sequence numbers of the WAL records held, in order. */
  walKeys(): number[] {
    return [...this.stores.wal.keys()].map(Number).sort((a, b) => a - b);
  }

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
