// The sequential specification the checker holds histories against: etcd 3.4's KV semantics
// (range, put, deleteRange, txn with compares) over an in-memory multi-version map, written to
// answer exactly what src/mvcc's MvccStore answers (the same revisions, versions, prev_kv(s),
// nested txn headers, limit/sort/filter behaviour with Go's unstable sort) without its indexes,
// backend, leases or watchers.
//
// State is a revision counter and, per key, the list of its records (puts and tombstones) in
// revision order; keys are kept in byte order. Every change goes on a trail, so a checkpoint is
// O(1) (mark()) and going back is the length of what changed (undo()): the search backtracks
// without copying the store. hashKey() names the whole state (every record ever written and the
// revision) for memoization.
//
// Leases are outside the model: a put's lease is recorded as given (the lease is assumed to
// exist) and nothing expires. Compaction is not in histories.
import { MvccStore } from '../mvcc/index';
import { ErrorMessages } from '../mvcc/errors';
import type { KeyRange } from '../mvcc/bytes';
import { bytesToBinary, EMPTY_BYTES, toKeyRange } from '../mvcc/bytes';
import type { RevRecord } from '../mvcc/rev_store';
import { tombstoneRecord } from '../mvcc/rev_store';
import {
  compareHolds,
  finishRange,
  forEachOnPath,
  isTxnReadonly,
  kvOf,
  rangeFetchLimit,
} from '../mvcc/store';
import type {
  Compare,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from '../mvcc/types';
import type { KvRequest, KvResponse } from './history';

/** A JSON-able picture of the state for people: keys and values as text. */
export interface ModelSnapshot {
  revision: number;
  kvs: Record<
    string,
    { value: string; create_revision: number; mod_revision: number; version: number; lease: number }
  >;
}

/** An undo entry: a record appended to `skey` (new key when `fresh`), or the old revision. */
type TrailEntry = { skey: string; fresh: boolean; h1: number; h2: number } | { rev: number };

interface Tx {
  readonly beginRev: number;
  changes: number;
}

const text = new TextDecoder();

/** Bytes as text for people (invalid UTF-8 shows as U+FFFD). */
export function bytesText(b: Uint8Array): string {
  return text.decode(b);
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x01000193);
  return h ^ (h >>> 15);
}

function recHash(r: RevRecord, seed: number): number {
  let h = seed;
  for (let i = 0; i < r.skey.length; i++) h = mix(h, r.skey.charCodeAt(i));
  h = mix(h, 0x100 | (r.tombstone ? 1 : 0));
  for (let i = 0; i < r.value.length; i++) h = mix(h, r.value[i] as number);
  h = mix(h, r.create);
  h = mix(h, r.main);
  h = mix(h, r.version);
  return mix(h, r.lease) >>> 0;
}

/** Errors etcd raises from the request alone, whatever the store holds. */
const STATIC_ERRORS = new Set<string>([
  ErrorMessages.EmptyKey,
  ErrorMessages.ValueProvided,
  ErrorMessages.LeaseProvided,
  ErrorMessages.TooManyOps,
  ErrorMessages.DuplicateKey,
]);
const staticVerdicts = new WeakMap<object, boolean>();

/**
 * Whether etcd refuses this txn before looking at any key (too many ops, overlapping puts and
 * deletes, empty keys): such a txn never takes effect. Asked of the real store on an empty
 * instance, once per request object.
 */
function txnRejectedStatically(req: TxnRequest): boolean {
  const known = staticVerdicts.get(req);
  if (known !== undefined) return known;
  let rejected = false;
  try {
    new MvccStore().txn(req);
  } catch (e) {
    rejected = e instanceof Error && STATIC_ERRORS.has(e.message);
  }
  staticVerdicts.set(req, rejected);
  return rejected;
}

export class KvModel {
  private rev = 1;
  /** Every key ever written, in byte order. */
  private readonly keys: string[] = [];
  private readonly hist = new Map<string, RevRecord[]>();
  private readonly trail: TrailEntry[] = [];
  private h1 = 0x811c9dc5;
  private h2 = 0x2545f491;

  get revision(): number {
    return this.rev;
  }

  /** A checkpoint for undo(). */
  mark(): number {
    return this.trail.length;
  }

  /** Back to the state at `mark`. */
  undo(mark: number): void {
    while (this.trail.length > mark) {
      const e = this.trail.pop() as TrailEntry;
      if ('rev' in e) {
        this.rev = e.rev;
        continue;
      }
      const list = this.hist.get(e.skey) as RevRecord[];
      list.pop();
      this.h1 ^= e.h1;
      this.h2 ^= e.h2;
      if (e.fresh) {
        this.hist.delete(e.skey);
        this.keys.splice(this.lowerBound(e.skey), 1);
      }
    }
  }

  /**
   * Names the state: equal states give equal keys (the revision plus 64 bits of hash over every
   * record ever written, so histories that differ only in the past differ too).
   */
  hashKey(): string {
    return `${this.h1 >>> 0}.${this.h2 >>> 0}.${this.rev}`;
  }

  /**
   * A write the history does not contain, for the core search only (core.ts): the next revision,
   * leaving exactly `kvs` (their create_revision, version, value and lease as given, whatever
   * came before), or, with none, touching no key the history looks at.
   */
  writeFree(kvs: readonly KeyValue[]): void {
    const rev = this.rev + 1;
    const tx: Tx = { beginRev: this.rev, changes: 0 };
    for (const kv of kvs) {
      this.append(
        {
          main: rev,
          sub: tx.changes,
          key: kv.key,
          skey: bytesToBinary(kv.key),
          value: kv.value,
          create: kv.create_revision,
          version: kv.version,
          lease: kv.lease,
          tombstone: false,
        },
        tx,
      );
    }
    this.setRev(rev);
  }

  /** The record `skey` got at exactly revision `mod` (a put or a tombstone), if any. */
  recordAt(skey: string, mod: number): KeyValue | undefined {
    const list = this.hist.get(skey);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const r = list[i] as RevRecord;
      if (r.main === mod) return r.tombstone ? undefined : kvOf(r);
      if (r.main < mod) return undefined;
    }
    return undefined;
  }

  /** Whether `skey` got a record (a put or a tombstone) at exactly revision `rev`. */
  changedAt(skey: string, rev: number): boolean {
    const list = this.hist.get(skey);
    if (!list) return false;
    for (let i = list.length - 1; i >= 0; i--) {
      const main = (list[i] as RevRecord).main;
      if (main === rev) return true;
      if (main < rev) return false;
    }
    return false;
  }

  /** The create_revision and version of `skey` alive at `rev`, if it is. */
  aliveAt(skey: string, rev: number): { create: number; version: number } | undefined {
    return this.live(skey, rev);
  }

  /**
   * Applies one call as etcd would at this state: its answer, and the state changes when it
   * writes. undefined when etcd would answer an error (nothing changes then).
   */
  apply(req: KvRequest): KvResponse | undefined {
    switch (req.method) {
      case 'range':
        return this.rangeOp(req.body, null);
      case 'put':
        return this.top((tx) => this.putOp(req.body, tx));
      case 'deleteRange':
        if (req.body.key.length === 0) return undefined;
        return this.top((tx) => this.deleteOp(req.body, tx));
      case 'txn':
        return this.txnOp(req.body);
    }
  }

  snapshot(): ModelSnapshot {
    const kvs: ModelSnapshot['kvs'] = {};
    for (const skey of this.keys) {
      const r = this.live(skey, this.rev);
      if (!r) continue;
      kvs[bytesText(r.key)] = {
        value: bytesText(r.value),
        create_revision: r.create,
        mod_revision: r.main,
        version: r.version,
        lease: r.lease,
      };
    }
    return { revision: this.rev, kvs };
  }

  // ------------------------------------------------------------------ internals

  private setRev(rev: number): void {
    this.trail.push({ rev: this.rev });
    this.rev = rev;
  }

  private lowerBound(skey: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[mid] as string) < skey) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The put record of `skey` alive at `rev`, if any. */
  private live(skey: string, rev: number): RevRecord | undefined {
    const list = this.hist.get(skey);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const r = list[i] as RevRecord;
      if (r.main <= rev) return r.tombstone ? undefined : r;
    }
    return undefined;
  }

  private append(r: RevRecord, tx: Tx): void {
    let list = this.hist.get(r.skey);
    const fresh = list === undefined;
    if (!list) {
      list = [];
      this.hist.set(r.skey, list);
      this.keys.splice(this.lowerBound(r.skey), 0, r.skey);
    }
    list.push(r);
    const a = recHash(r, 0x9e3779b9);
    const b = recHash(r, 0x7f4a7c15);
    this.h1 ^= a;
    this.h2 ^= b;
    this.trail.push({ skey: r.skey, fresh, h1: a, h2: b });
    tx.changes++;
  }

  /** Every key of `r` alive at `rev`, in key order. */
  private visit(r: KeyRange, rev: number, fn: (rec: RevRecord) => void): void {
    if (r.end === undefined) {
      const rec = this.live(r.key, rev);
      if (rec) fn(rec);
      return;
    }
    for (let i = this.lowerBound(r.key); i < this.keys.length; i++) {
      const k = this.keys[i] as string;
      if (r.end !== '' && k >= r.end) break;
      const rec = this.live(k, rev);
      if (rec) fn(rec);
    }
  }

  private readRev(tx: Tx | null): number {
    if (!tx) return this.rev;
    return tx.changes > 0 ? tx.beginRev + 1 : tx.beginRev;
  }

  /** A standalone write: one transaction, a new revision if it changed anything. */
  private top<T extends KvResponse>(apply: (tx: Tx) => T | undefined): T | undefined {
    const mark = this.mark();
    const tx: Tx = { beginRev: this.rev, changes: 0 };
    const resp = apply(tx);
    if (!resp) {
      this.undo(mark);
      return undefined;
    }
    if (tx.changes > 0) this.setRev(tx.beginRev + 1);
    return resp;
  }

  /** applierV3backend.Range as src/mvcc's applyRange: limit + 1, filters, sort, keys_only. */
  private rangeOp(req: RangeRequest, tx: Tx | null): RangeResponse | undefined {
    if (req.key.length === 0) return undefined;
    const curRev = this.readRev(tx);
    let rev = req.revision ?? 0;
    if (rev > curRev) return undefined; // FutureRev
    if (rev <= 0) rev = curRev;
    const limit = rangeFetchLimit(req);
    const countOnly = req.count_only ?? false;
    const recs: RevRecord[] = [];
    let count = 0;
    this.visit(toKeyRange(req.key, req.range_end), rev, (r) => {
      count++;
      if (!countOnly && (limit <= 0 || recs.length < limit)) recs.push(r);
    });
    return finishRange(req, recs, count, curRev);
  }

  private putOp(req: PutRequest, tx: Tx): PutResponse | undefined {
    if (req.key.length === 0) return undefined;
    if (req.ignore_value && req.value !== undefined && req.value.length !== 0) return undefined;
    if (req.ignore_lease && (req.lease ?? 0) !== 0) return undefined;
    const skey = bytesToBinary(req.key);
    let value = req.value && req.value.length > 0 ? req.value : EMPTY_BYTES;
    let lease = req.lease ?? 0;
    let prev: RevRecord | undefined;
    if (req.ignore_value || req.ignore_lease || req.prev_kv)
      prev = this.live(skey, this.readRev(tx));
    if (req.ignore_value || req.ignore_lease) {
      if (!prev) return undefined; // KeyNotFound
      if (req.ignore_value) value = prev.value;
      if (req.ignore_lease) lease = prev.lease;
    }
    const rev = tx.beginRev + 1;
    const cur = this.live(skey, rev);
    this.append(
      {
        skey,
        key: cur ? cur.key : req.key,
        value,
        create: cur ? cur.create : rev,
        main: rev,
        sub: tx.changes,
        version: cur ? cur.version + 1 : 1,
        lease,
        tombstone: false,
      },
      tx,
    );
    if (req.prev_kv && prev) return { header: { revision: rev }, prev_kv: kvOf(prev) };
    return { header: { revision: rev } };
  }

  private deleteOp(req: DeleteRangeRequest, tx: Tx): DeleteRangeResponse {
    const r = toKeyRange(req.key, req.range_end);
    const alive: RevRecord[] = [];
    this.visit(r, this.readRev(tx), (rec) => alive.push(rec));
    const rev = tx.beginRev + 1;
    for (const a of alive) this.append(tombstoneRecord(rev, tx.changes, a), tx);
    const deleted = alive.length;
    const revision = deleted !== 0 || tx.changes > 0 ? rev : tx.beginRev;
    if (req.prev_kv && deleted > 0) {
      return { header: { revision }, deleted, prev_kvs: alive.map((a) => kvOf(a)) };
    }
    return { header: { revision }, deleted };
  }

  private comparesHold(cmps: readonly Compare[]): boolean {
    for (const c of cmps) {
      const recs: RevRecord[] = [];
      this.visit(toKeyRange(c.key, c.range_end), this.rev, (r) => recs.push(r));
      if (!compareHolds(c, recs)) return false;
    }
    return true;
  }

  /** The compare outcome of the txn and of every nested txn on the chosen path, pre-order. */
  private pathOf(t: TxnRequest, path: boolean[]): void {
    const ok = this.comparesHold(t.compare ?? []);
    path.push(ok);
    for (const op of (ok ? t.success : t.failure) ?? []) {
      if ('request_txn' in op) this.pathOf(op.request_txn, path);
    }
  }

  private txnOp(req: TxnRequest): TxnResponse | undefined {
    if (txnRejectedStatically(req)) return undefined;
    const isWrite = !isTxnReadonly(req);
    const path: boolean[] = [];
    this.pathOf(req, path);
    const putOk = (op: RequestOp): boolean => {
      if (!('request_put' in op)) return true;
      const p = op.request_put;
      return !(p.ignore_value || p.ignore_lease) || !!this.live(bytesToBinary(p.key), this.rev);
    };
    const rangeOk = (op: RequestOp): boolean =>
      !('request_range' in op) || (op.request_range.revision ?? 0) <= this.rev;
    const all = (ok: (op: RequestOp) => boolean): boolean => {
      let every = true;
      forEachOnPath(req, path, { i: 0 }, (op) => (every &&= ok(op)));
      return every;
    };
    if (isWrite && !all(putOk)) return undefined;
    if (!all(rangeOk)) return undefined;
    if (!isWrite) {
      const resp = this.applyTxn(req, path, { i: 0 }, null);
      if (resp) resp.header.revision = this.rev;
      return resp;
    }
    return this.top((tx) => {
      const resp = this.applyTxn(req, path, { i: 0 }, tx);
      if (resp) resp.header.revision = tx.changes > 0 ? tx.beginRev + 1 : tx.beginRev;
      return resp;
    });
  }

  private applyTxn(
    rt: TxnRequest,
    path: readonly boolean[],
    pos: { i: number },
    tx: Tx | null,
  ): TxnResponse | undefined {
    const succeeded = path[pos.i++] ?? false;
    const responses: ResponseOp[] = [];
    for (const op of (succeeded ? rt.success : rt.failure) ?? []) {
      if ('request_range' in op) {
        const r = this.rangeOp(op.request_range, tx);
        if (!r) return undefined;
        responses.push({ response_range: r });
      } else if ('request_put' in op) {
        const r = this.putOp(op.request_put, tx as Tx);
        if (!r) return undefined;
        responses.push({ response_put: r });
      } else if ('request_delete_range' in op) {
        responses.push({ response_delete_range: this.deleteOp(op.request_delete_range, tx as Tx) });
      } else if ('request_txn' in op) {
        const r = this.applyTxn(op.request_txn, path, pos, tx);
        if (!r) return undefined;
        responses.push({ response_txn: r });
      }
    }
    return { header: { revision: 0 }, succeeded, responses };
  }
}
