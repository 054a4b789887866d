// Values stored by revision: the model of etcd's "key" bucket, whose bbolt keys are revisions
// and whose values are KeyValues. Revisions only ever grow, so the bucket is an array in
// (main, sub) order; compaction removes what the key index no longer keeps.
import type { PageFile } from './backend/pages';
import { EMPTY_BYTES } from './bytes';
import type { Revision } from './revision';

/** Where the backend's page model (backend/pages.ts) hears of every record stored or removed. */
export type RecordPages = Pick<PageFile, 'put' | 'pop' | 'remove' | 'load'>;

/** One stored revision: a put's KeyValue, or a tombstone (etcd stores KeyValue{key} for it). */
export interface RevRecord extends Revision {
  readonly main: number;
  readonly sub: number;
  readonly key: Uint8Array;
  /** The key as a binary string (bytes.ts). */
  readonly skey: string;
  readonly value: Uint8Array;
  /** create_revision; 0 for a tombstone. */
  readonly create: number;
  /** version; 0 for a tombstone. */
  readonly version: number;
  /** lease; 0 for a tombstone. */
  readonly lease: number;
  readonly tombstone: boolean;
}

/** The tombstone record of `key` at main.sub (etcd stores KeyValue{key} for it). */
export function tombstoneRecord(
  main: number,
  sub: number,
  k: { readonly key: Uint8Array; readonly skey: string },
): RevRecord {
  return {
    main,
    sub,
    key: k.key,
    skey: k.skey,
    value: EMPTY_BYTES,
    create: 0,
    version: 0,
    lease: 0,
    tombstone: true,
  };
}

/**
 * A 32-bit hash of one record: every field that etcd's HashKV covers (the revision, the key, the
 * value, create revision, version, lease, tombstone). FNV-1a over the bytes, with the numbers
 * folded in first.
 */
export function recordHash(r: RevRecord): number {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    h = Math.imul(h ^ (x & 0xffff), 0x01000193);
    h = Math.imul(h ^ Math.floor(x / 0x10000), 0x01000193);
  };
  mix(r.main);
  mix(r.sub);
  mix(r.create);
  mix(r.version);
  mix(r.lease);
  mix(r.tombstone ? 1 : 0);
  mix(r.key.length);
  for (const b of r.key) h = Math.imul(h ^ b, 0x01000193);
  mix(r.value.length);
  for (const b of r.value) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

export class RevStore {
  private recs: RevRecord[] = [];
  /**
   * The sum (mod 2^32) of every stored record's hash: a fingerprint of the store's contents that
   * a write, a rollback or a compaction updates in proportion to what it changes. Two stores with
   * the same records have the same fingerprint, in whatever order they got them (a snapshot).
   */
  private sum = 0;

  constructor(private readonly pages?: RecordPages) {}

  get size(): number {
    return this.recs.length;
  }

  get fingerprint(): number {
    return this.sum;
  }

  append(r: RevRecord): void {
    this.recs.push(r);
    this.sum = (this.sum + recordHash(r)) >>> 0;
    this.pages?.put(r);
  }

  /** Replaces every record (restore from a snapshot): `recs` in (main, sub) order. */
  load(recs: RevRecord[]): void {
    this.recs = recs;
    this.sum = 0;
    for (const r of recs) this.sum = (this.sum + recordHash(r)) >>> 0;
    this.pages?.load(recs);
  }

  /** Removes the last record (a write transaction's rollback). */
  pop(): void {
    const r = this.recs.pop();
    if (r) this.sum = (this.sum - recordHash(r)) >>> 0;
    if (r) this.pages?.pop();
  }

  /** Index of the first record with main >= rev. */
  private firstFrom(rev: number): number {
    const recs = this.recs;
    let lo = 0;
    let hi = recs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((recs[mid] as RevRecord).main < rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Calls fn for every record with from <= main < to, in revision order; false stops. */
  scan(from: number, to: number, fn: (r: RevRecord) => boolean | void): void {
    const recs = this.recs;
    for (let i = this.firstFrom(from); i < recs.length; i++) {
      const r = recs[i] as RevRecord;
      if (r.main >= to) return;
      if (fn(r) === false) return;
    }
  }

  /**
   * Removes every record with main <= atRev that is not in `keep` (scheduleCompaction).
   * Returns how many were removed.
   */
  compact(atRev: number, keep: ReadonlySet<RevRecord>): number {
    const cut = this.firstFrom(atRev + 1);
    const kept: RevRecord[] = [];
    for (let i = 0; i < cut; i++) {
      const r = this.recs[i] as RevRecord;
      if (keep.has(r)) kept.push(r);
      else {
        this.sum = (this.sum - recordHash(r)) >>> 0;
        this.pages?.remove(r.main, r.sub);
      }
    }
    const removed = cut - kept.length;
    if (removed > 0) {
      for (let i = cut; i < this.recs.length; i++) kept.push(this.recs[i] as RevRecord);
      this.recs = kept;
    }
    return removed;
  }
}
