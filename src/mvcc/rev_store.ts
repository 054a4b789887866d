// Values stored by revision: the model of etcd's "key" bucket, whose bbolt keys are revisions
// and whose values are KeyValues. Revisions only ever grow, so the bucket is an array in
// (main, sub) order; compaction removes what the key index no longer keeps.
import { EMPTY_BYTES } from './bytes';
import type { Revision } from './revision';

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

export class RevStore {
  private recs: RevRecord[] = [];

  get size(): number {
    return this.recs.length;
  }

  append(r: RevRecord): void {
    this.recs.push(r);
  }

  /** Replaces every record (restore from a snapshot): `recs` in (main, sub) order. */
  load(recs: RevRecord[]): void {
    this.recs = recs;
  }

  /** Removes the last record (a write transaction's rollback). */
  pop(): void {
    this.recs.pop();
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
    }
    const removed = cut - kept.length;
    if (removed > 0) {
      for (let i = cut; i < this.recs.length; i++) kept.push(this.recs[i] as RevRecord);
      this.recs = kept;
    }
    return removed;
  }
}
