// A node disk's health check: proves, on a real IndexedDB, that a write made durable in one
// transaction reads back in the next, and counts how many times this disk has been opened (a
// boot counter that survives a reload or a worker restart). It is the smallest end-to-end use of
// the storage layer and the first thing a worker does when it starts.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const DISK_SCHEMA_VERSION = 1;

interface DiskCheckSchema extends DBSchema {
  meta: {
    key: string;
    value: { key: string; bootCount: number; lastProbe: string };
  };
}

export interface DiskCheckResult {
  database: string;
  /** How many times this database has been opened by a disk check, this one included. */
  bootCount: number;
  /** The probe value written, and what the next transaction read back. */
  wrote: string;
  readBack: string;
}

const META_KEY = 'disk-check';

export function openDiskCheckDb(name: string): Promise<IDBPDatabase<DiskCheckSchema>> {
  return openDB<DiskCheckSchema>(name, DISK_SCHEMA_VERSION, {
    upgrade(db) {
      db.createObjectStore('meta', { keyPath: 'key' });
    },
  });
}

/**
 * Writes a probe record in one read-write transaction (durability 'strict': the honest fsync),
 * then reads it back in a fresh read-only transaction. `probe` is supplied by the caller so this
 * layer stays free of clocks and randomness.
 */
export async function runDiskCheck(name: string, probe: string): Promise<DiskCheckResult> {
  if (name.length === 0) throw new Error('disk check: database name must not be empty');
  const db = await openDiskCheckDb(name);
  try {
    const write = db.transaction('meta', 'readwrite', { durability: 'strict' });
    const previous = await write.store.get(META_KEY);
    const bootCount = (previous?.bootCount ?? 0) + 1;
    await write.store.put({ key: META_KEY, bootCount, lastProbe: probe });
    await write.done;

    const record = await db.get('meta', META_KEY);
    if (!record)
      throw new Error(`disk check: record "${META_KEY}" missing from ${name} after commit`);
    return {
      database: name,
      bootCount: record.bootCount,
      wrote: probe,
      readBack: record.lastProbe,
    };
  } finally {
    db.close();
  }
}
