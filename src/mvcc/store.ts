// The MVCC store: etcd 3.4's key-value semantics (server/mvcc kvstore*.go, watchable_store.go,
// lease/lessor.go and etcdserver/apply.go + api/v3rpc/key.go for what the server checks before
// applying). Pure and deterministic: the only time source is the injected clock (simulated ms).
//
// Revisions: the store starts at revision 1 (as a fresh etcd); every write transaction that
// changes something creates the next main revision, each change inside it the next sub
// revision. A write transaction that changes nothing (deleting a missing key, revoking a lease
// without keys) creates no revision.
//
// Atomicity: every error etcd reports before applying (the v3rpc checks, then the applier's
// checks along the txn's chosen path) is raised here before anything changes. The one case
// etcd cannot pre-check (a txn whose delete with range_end "\0" slips past the duplicate-key
// check and removes a key a later ignore_value put needs; etcd panics there) is rolled back and
// raised as "etcdserver: key not found", so an error never changes the store.
import type { KeyRange } from './bytes';
import { bytesToBinary, compareBytes, EMPTY_BYTES, toKeyRange } from './bytes';
import type { OpCostSink, OpWork, StoreOp } from './cost';
import type { Backend, TxnTiming } from './backend';
import { NO_COST_SINK, WorkMeter } from './cost';
import { etcdError } from './errors';
import { goSort } from './gosort';
import { Crc32c, marshalKeyValue, revisionBytes } from './hash';
import type { KeyIndex } from './key_index';
import { Lessor, MAX_LEASE_TTL } from './lessor';
import type { RevRecord } from './rev_store';
import { RevStore, tombstoneRecord } from './rev_store';
import { decodeSnapshot, encodeSnapshot } from './snapshot';
import { TreeIndex } from './tree_index';
import { WatchableStore } from './watchable_store';
import type {
  Compare,
  CompactionRequest,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  HashKVResponse,
  KeyValue,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseKeepAliveRequest,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeRequest,
  LeaseRevokeResponse,
  LeaseTimeToLiveRequest,
  LeaseTimeToLiveResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
  Watcher,
  WatchRequest,
  WatchResponse,
} from './types';

export interface MvccStoreOptions {
  /** Simulated milliseconds (leases only). Default: always 0. */
  clock?: () => number;
  /** Receives each operation's work (see cost.ts). Default: nothing. */
  costSink?: OpCostSink;
  /**
   * Minimum lease TTL in seconds. etcd's is ceil(1.5 × election timeout): 2 with the default
   * 100 ms heartbeat and 10 election ticks.
   */
  minLeaseTTL?: number;
  /** --max-txn-ops; default 128. */
  maxTxnOps?: number;
  /**
   * etcd's backend as a timing model (./backend): when given, every successful operation is
   * placed on it at the clock's time, and takeTiming() says when it was granted its locks and
   * when it completes, given the lock mode and the transactions in flight.
   */
  backend?: Backend;
}

/** A write transaction in progress (storeTxnWrite). */
interface WriteTx {
  readonly beginRev: number;
  readonly changes: RevRecord[];
  /** Inverse operations, newest last; null when the caller cannot fail after writing. */
  readonly undo: (() => void)[] | null;
}

/** A del interval of checkIntervals (adt.StringAffineInterval): [begin, end), end null = ∞. */
interface DelInterval {
  readonly begin: string;
  readonly end: string | null;
}

export function kvOf(r: RevRecord, keysOnly = false): KeyValue {
  return {
    key: r.key,
    create_revision: r.create,
    mod_revision: r.main,
    version: r.version,
    value: keysOnly ? EMPTY_BYTES : r.value,
    lease: r.lease,
  };
}

/** The kv of a DELETE event: the tombstone's KeyValue{key} with mod_revision patched in. */
function tombstoneKv(r: RevRecord): KeyValue {
  return {
    key: r.key,
    create_revision: 0,
    mod_revision: r.main,
    version: 0,
    value: EMPTY_BYTES,
    lease: 0,
  };
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** compareKV: the record (or the zero KeyValue for a missing key) against the compare. */
export function compareKV(c: Compare, r: RevRecord | undefined): boolean {
  let result: number;
  switch (c.target ?? 'VERSION') {
    case 'VALUE':
      result = compareBytes(r ? r.value : EMPTY_BYTES, c.value ?? EMPTY_BYTES);
      break;
    case 'CREATE':
      result = compareNumbers(r ? r.create : 0, c.create_revision ?? 0);
      break;
    case 'MOD':
      result = compareNumbers(r ? r.main : 0, c.mod_revision ?? 0);
      break;
    case 'VERSION':
      result = compareNumbers(r ? r.version : 0, c.version ?? 0);
      break;
    case 'LEASE':
      result = compareNumbers(r ? r.lease : 0, c.lease ?? 0);
      break;
  }
  switch (c.result ?? 'EQUAL') {
    case 'EQUAL':
      return result === 0;
    case 'NOT_EQUAL':
      return result !== 0;
    case 'GREATER':
      return result > 0;
    case 'LESS':
      return result < 0;
  }
}

/** One compare against the records alive in its range (applyCompare). */
export function compareHolds(c: Compare, recs: readonly RevRecord[]): boolean {
  if (recs.length === 0) {
    // comparing the value of a missing key always fails (nil == empty in gRPC); anything else
    // compares against the zero KeyValue
    return (c.target ?? 'VERSION') !== 'VALUE' && compareKV(c, undefined);
  }
  for (const r of recs) if (!compareKV(c, r)) return false;
  return true;
}

/**
 * checkRequests: f on every non-txn op along the chosen path (`path`: the compare outcomes of the
 * txn and its nested txns, pre-order), pre-order.
 */
export function forEachOnPath(
  rt: TxnRequest,
  path: readonly boolean[],
  pos: { i: number },
  f: (op: RequestOp) => void,
): void {
  const ok = path[pos.i++] ?? false;
  for (const op of (ok ? rt.success : rt.failure) ?? []) {
    if ('request_txn' in op) forEachOnPath(op.request_txn, path, pos, f);
    else f(op);
  }
}

/** isTxnReadonly (etcd 3.4): every op of both branches is a range; a nested txn is a write. */
export function isTxnReadonly(r: TxnRequest): boolean {
  for (const u of r.success ?? []) if (!('request_range' in u)) return false;
  for (const u of r.failure ?? []) if (!('request_range' in u)) return false;
  return true;
}

function delsIntersect(dels: readonly DelInterval[], k: string): boolean {
  for (const d of dels) if (d.begin <= k && (d.end === null || k < d.end)) return true;
  return false;
}

/**
 * checkIntervals (api/v3rpc/key.go): puts and deletes of one txn level (and the nested txns
 * under it) must not overlap; a put may appear in both branches of a nested txn. A delete's
 * interval is [key, range_end) taken literally, so range_end "\0" makes an interval that
 * overlaps nothing (etcd 3.4.23 accepts put "a" + delete ["0", "\0") in one txn).
 */
function checkIntervals(reqs: readonly RequestOp[]): { puts: Set<string>; dels: DelInterval[] } {
  const dels: DelInterval[] = [];
  for (const req of reqs) {
    if (!('request_delete_range' in req)) continue;
    const d = req.request_delete_range;
    const begin = bytesToBinary(d.key);
    if (d.range_end && d.range_end.length > 0) {
      dels.push({ begin, end: bytesToBinary(d.range_end) });
    } else {
      dels.push({ begin, end: begin + '\0' });
    }
  }
  const puts = new Set<string>();
  for (const req of reqs) {
    if (!('request_txn' in req)) continue;
    const then = checkIntervals(req.request_txn.success ?? []);
    const els = checkIntervals(req.request_txn.failure ?? []);
    for (const k of then.puts) {
      if (puts.has(k) || delsIntersect(dels, k)) throw etcdError('DuplicateKey');
      puts.add(k);
    }
    for (const k of els.puts) {
      // a key put by both branches is fine: only one of them runs
      if (puts.has(k) && !then.puts.has(k)) throw etcdError('DuplicateKey');
      if (delsIntersect(dels, k)) throw etcdError('DuplicateKey');
      puts.add(k);
    }
    for (const d of then.dels) dels.push(d);
    for (const d of els.dels) dels.push(d);
  }
  for (const req of reqs) {
    if (!('request_put' in req)) continue;
    const k = bytesToBinary(req.request_put.key);
    if (puts.has(k) || delsIntersect(dels, k)) throw etcdError('DuplicateKey');
    puts.add(k);
  }
  return { puts, dels };
}

/** checkPutRequest (api/v3rpc/key.go). */
function checkPutRequest(r: PutRequest): void {
  if (r.key.length === 0) throw etcdError('EmptyKey');
  if (r.ignore_value && r.value !== undefined && r.value.length !== 0) {
    throw etcdError('ValueProvided');
  }
  if (r.ignore_lease && (r.lease ?? 0) !== 0) throw etcdError('LeaseProvided');
}

/** checkTxnRequest / checkRequestOp (api/v3rpc/key.go), in etcd's order. */
function checkTxnRequest(r: TxnRequest, maxTxnOps: number): void {
  const compare = r.compare ?? [];
  const success = r.success ?? [];
  const failure = r.failure ?? [];
  const opc = Math.max(compare.length, success.length, failure.length);
  if (opc > maxTxnOps) throw etcdError('TooManyOps');
  for (const c of compare) if (c.key.length === 0) throw etcdError('EmptyKey');
  for (const u of success) checkRequestOp(u, maxTxnOps - opc);
  for (const u of failure) checkRequestOp(u, maxTxnOps - opc);
}

function checkRequestOp(u: RequestOp, maxTxnOps: number): void {
  if ('request_range' in u) {
    if (u.request_range.key.length === 0) throw etcdError('EmptyKey');
  } else if ('request_put' in u) {
    checkPutRequest(u.request_put);
  } else if ('request_delete_range' in u) {
    if (u.request_delete_range.key.length === 0) throw etcdError('EmptyKey');
  } else if ('request_txn' in u) {
    checkTxnRequest(u.request_txn, maxTxnOps);
  } else {
    // an empty RequestOp: etcd answers ErrGRPCKeyNotFound
    throw etcdError('KeyNotFound');
  }
}

export class MvccStore {
  private readonly index = new TreeIndex<RevRecord>();
  private readonly revs = new RevStore();
  private readonly lessor = new Lessor();
  private currentRev = 1;
  private compactMainRev = -1;
  private readonly clock: () => number;
  private readonly sink: OpCostSink;
  private timing: TxnTiming | undefined;
  /** Inside peek(): reads report no work, so looking never changes what happens. */
  private peeking = false;
  private readonly minLeaseTTL: number;
  private readonly maxTxnOps: number;
  private readonly meter = new WorkMeter();
  /** Watchers and their delivery (watchable_store.ts). */
  private readonly watchable: WatchableStore;
  /** The changes of the write that just ended, for watchers once the operation reports. */
  private ended: { changes: RevRecord[]; rev: number } | undefined;

  constructor(opts: MvccStoreOptions = {}) {
    this.clock = opts.clock ?? (() => 0);
    const { backend, costSink } = opts;
    if (backend) {
      const place = (work: OpWork) => {
        this.timing = backend.submit(Math.round(this.clock() * 1000), work);
      };
      this.sink = {
        read: (work) => (place(work), costSink?.read(work)),
        write: (work) => (place(work), costSink?.write(work)),
      };
    } else {
      this.sink = costSink ?? NO_COST_SINK;
    }
    this.minLeaseTTL = opts.minLeaseTTL ?? 2;
    this.maxTxnOps = opts.maxTxnOps ?? 128;
    this.watchable = new WatchableStore({
      currentRev: () => this.currentRev,
      compactRev: () => this.compactMainRev,
      scan: (from, to, fn) => this.revs.scan(from, to, fn),
      liveAt: (skey, rev) => this.liveAt(skey, rev),
      reportSync: (keysScanned, bytesRead) => {
        this.meter.reset();
        this.meter.keysScanned = keysScanned;
        this.meter.bytesRead = bytesRead;
        this.report('watchSync', 'read');
      },
      kvOf: (r) => kvOf(r),
      tombstoneKv,
    });
  }

  /**
   * The backend timing of the latest successful operation since the last call (undefined if
   * none, or without a backend), and forgets it: call it after each operation to learn when
   * that operation completes.
   */
  takeTiming(): TxnTiming | undefined {
    const t = this.timing;
    this.timing = undefined;
    return t;
  }

  /**
   * Runs read-only calls without reporting their work to the cost sink or the backend: for an
   * inspector looking at the store, which must not change the run it looks at. Writes are
   * refused inside.
   */
  peek<T>(read: (store: Pick<MvccStore, 'range' | 'leaseLeases' | 'leaseTimeToLive'>) => T): T {
    this.peeking = true;
    try {
      return read(this);
    } finally {
      this.peeking = false;
    }
  }

  /** The current revision (what a response header would say now). */
  get revision(): number {
    return this.currentRev;
  }

  /**
   * A fingerprint of every stored revision (rev_store.ts): members that applied the same entries
   * agree on it. raftlab's invariant checker compares it across members at each applied index;
   * it is not etcd's HashKV (which costs a scan), but covers the same fields.
   */
  get kvHash(): number {
    return this.revs.fingerprint;
  }

  /** The compacted revision (-1 before any compaction). */
  get compactRevision(): number {
    return this.compactMainRev;
  }

  // ---------------------------------------------------------------- snapshot

  /**
   * The whole store as bytes (snapshot.ts has the format): every stored revision, the key index,
   * the current and compacted revisions, leases with their expiry, attached keys and the lease ID
   * allocator. Not watchers. Deterministic: the same state gives the same bytes, whenever taken.
   * Reports no work to the cost sink or backend.
   */
  snapshot(): Uint8Array {
    return encodeSnapshot({
      currentRev: this.currentRev,
      compactRev: this.compactMainRev,
      keys: this.index.all(),
      forEachRecord: (fn) => this.revs.scan(0, Infinity, fn),
      recordCount: this.revs.size,
      leases: this.lessor.grantOrder(),
      nextLeaseId: this.lessor.nextIdHint,
    });
  }

  /**
   * A store rebuilt from snapshot() bytes, with `opts` (clock, sink, backend, limits) as for a new
   * store. Every read, hashKV, lease answer and later write behaves exactly as in the store the
   * snapshot was taken of. Throws SnapshotError naming what is wrong when the bytes are damaged,
   * truncated or of an unknown format version; nothing is built then.
   */
  static restore(bytes: Uint8Array, opts: MvccStoreOptions = {}): MvccStore {
    const snap = decodeSnapshot(bytes);
    const store = new MvccStore(opts);
    store.currentRev = snap.currentRev;
    store.compactMainRev = snap.compactRev;
    store.index.load(snap.keys);
    store.revs.load(snap.records);
    store.lessor.load(snap.leases, snap.nextLeaseId);
    return store;
  }

  // ---------------------------------------------------------------- KV

  range(req: RangeRequest): RangeResponse {
    this.meter.reset();
    if (req.key.length === 0) throw etcdError('EmptyKey');
    const resp = this.applyRange(req, null);
    this.report('range', 'read');
    return resp;
  }

  put(req: PutRequest): PutResponse {
    this.meter.reset();
    checkPutRequest(req);
    const lease = req.lease ?? 0;
    if (lease !== 0 && !this.lessor.has(lease)) throw etcdError('LeaseNotFound');
    return this.writeOnce('put', (tx) => this.applyPut(req, tx));
  }

  deleteRange(req: DeleteRangeRequest): DeleteRangeResponse {
    this.meter.reset();
    if (req.key.length === 0) throw etcdError('EmptyKey');
    return this.writeOnce('deleteRange', (tx) => this.applyDeleteRange(req, tx));
  }

  txn(req: TxnRequest): TxnResponse {
    this.meter.reset();
    checkTxnRequest(req, this.maxTxnOps);
    // forbidden put/delete overlaps, checked after the request (etcd's order)
    checkIntervals(req.success ?? []);
    checkIntervals(req.failure ?? []);
    const isWrite = !isTxnReadonly(req);
    const path = this.compareToPath(req);
    if (isWrite) forEachOnPath(req, path, { i: 0 }, (op) => this.checkPut(op));
    forEachOnPath(req, path, { i: 0 }, (op) => this.checkRange(op));
    if (!isWrite) {
      const resp = this.applyTxn(req, path, { i: 0 }, null);
      resp.header.revision = this.currentRev;
      this.report('txn', 'read');
      return resp;
    }
    const tx = this.beginWrite(true);
    let resp: TxnResponse;
    try {
      resp = this.applyTxn(req, path, { i: 0 }, tx);
    } catch (e) {
      this.rollback(tx);
      throw e;
    }
    resp.header.revision = tx.changes.length > 0 ? tx.beginRev + 1 : tx.beginRev;
    this.endWrite(tx);
    this.report('txn', 'write');
    return resp;
  }

  /**
   * Compacts at req.revision: afterwards reads below it fail with ErrCompacted and, per key, only
   * the latest revision at or below it remains (none if that is a tombstone). The work is done
   * before returning, so `physical` changes nothing.
   */
  compact(req: CompactionRequest): CompactionResponse {
    this.meter.reset();
    const rev = req.revision;
    if (rev <= this.compactMainRev) throw etcdError('Compacted');
    if (rev > this.currentRev) throw etcdError('FutureRev');
    this.compactMainRev = rev;
    this.meter.keysScanned += this.index.size;
    const keep = this.index.compact(rev);
    this.meter.keysWritten += this.revs.compact(rev, keep);
    this.report('compact', 'write');
    return { header: { revision: this.currentRev } };
  }

  // ---------------------------------------------------------------- leases

  leaseGrant(req: LeaseGrantRequest): LeaseGrantResponse {
    this.meter.reset();
    // lessor.Grant's order: TTL first, then existence (a chosen ID is never in use)
    if (req.TTL > MAX_LEASE_TTL) throw etcdError('LeaseTTLTooLarge');
    const id = req.ID === undefined || req.ID === 0 ? this.lessor.newId() : req.ID;
    if (this.lessor.has(id)) throw etcdError('LeaseExist');
    const ttl = Math.max(req.TTL, this.minLeaseTTL);
    this.lessor.grant(id, ttl, this.clock());
    this.meter.keysWritten++;
    this.report('leaseGrant', 'write');
    return { header: { revision: this.currentRev }, ID: id, TTL: ttl };
  }

  /** Revokes a lease: deletes every key attached to it in one revision, in key order. */
  leaseRevoke(req: LeaseRevokeRequest): LeaseRevokeResponse {
    this.meter.reset();
    if (!this.lessor.has(req.ID)) throw etcdError('LeaseNotFound');
    this.revoke(req.ID);
    this.report('leaseRevoke', 'write');
    return { header: { revision: this.currentRev } };
  }

  /**
   * Renews a lease to its full TTL. As etcd's keepalive stream, a lease that does not exist (or
   * has expired and awaits its revoke) answers TTL 0 rather than an error.
   */
  leaseKeepAlive(req: LeaseKeepAliveRequest): LeaseKeepAliveResponse {
    this.meter.reset();
    const l = this.lessor.lookup(req.ID);
    const now = this.clock();
    let ttl = 0;
    if (l && l.expiryMs > now) {
      l.expiryMs = now + l.ttl * 1000;
      ttl = l.ttl;
    }
    this.report('leaseKeepAlive', 'read');
    return { header: { revision: this.currentRev }, ID: req.ID, TTL: ttl };
  }

  /** Remaining TTL in whole seconds (truncated), or TTL -1 when the lease does not exist. */
  leaseTimeToLive(req: LeaseTimeToLiveRequest): LeaseTimeToLiveResponse {
    this.meter.reset();
    const l = this.lessor.lookup(req.ID);
    const header = { revision: this.currentRev };
    this.report('leaseTimeToLive', 'read');
    if (!l) return { header, ID: req.ID, TTL: -1, grantedTTL: 0 };
    const remaining = Math.trunc((l.expiryMs - this.clock()) / 1000) || 0;
    const resp: LeaseTimeToLiveResponse = { header, ID: l.id, TTL: remaining, grantedTTL: l.ttl };
    if (req.keys && l.keys.size > 0) {
      resp.keys = [...l.keys]
        .sort()
        .map((k) => (this.index.keyIndex(k) as KeyIndex<RevRecord>).key);
    }
    return resp;
  }

  /** Every lease, by expiry (etcd's order), ties by grant order. */
  leaseLeases(): LeaseLeasesResponse {
    this.meter.reset();
    const leases = this.lessor.all().map((l) => ({ ID: l.id }));
    this.report('leaseLeases', 'read');
    return { header: { revision: this.currentRev }, leases };
  }

  /**
   * Revokes every lease whose time is up at clock() (what the leader's revoke proposals do), in
   * expiry order, each in its own revision; returns their IDs.
   */
  /**
   * The IDs of leases whose time is up, without revoking them: what etcd's lessor hands its
   * leader (expiredC), which then proposes a LeaseRevoke through Raft so every member revokes at
   * the same revision.
   */
  expiredLeases(): number[] {
    return this.lessor.expired(this.clock()).map((l) => l.id);
  }

  expireLeases(): number[] {
    const ids: number[] = [];
    for (const l of this.lessor.expired(this.clock())) {
      this.meter.reset();
      this.revoke(l.id);
      this.report('leaseExpire', 'write');
      ids.push(l.id);
    }
    return ids;
  }

  /**
   * lessor.Promote: this node's lessor became the primary (its node became leader). Every lease
   * restarts its full TTL from now plus `extendMs` (etcd extends by the election timeout), since
   * a follower never saw the keepalives the old leader took. etcd 3.4 also spreads out leases
   * that would expire in a burst (leaseRevokeRate); this store does not.
   */
  promoteLeases(extendMs = 0): void {
    const now = this.clock();
    for (const l of this.lessor.all()) l.expiryMs = now + extendMs + l.ttl * 1000;
  }

  private revoke(id: number): void {
    const l = this.lessor.lookup(id);
    if (!l) return;
    const keys = [...l.keys].sort();
    const tx = this.beginWrite(false);
    for (const k of keys) this.deleteRangeKeys(tx, { key: k, end: undefined });
    this.lessor.remove(id);
    this.meter.keysWritten++;
    this.endWrite(tx);
  }

  // ---------------------------------------------------------------- watch

  /**
   * Watches key / range (watchable_store.ts). Events from start_revision up to now are delivered
   * before watch() returns (in responses of at most 1000 revisions, header = current revision);
   * later events during the write that makes them (one response per write, header = its
   * revision). A start revision below the compacted revision gets one canceled response with
   * compact_revision.
   */
  watch(req: WatchRequest, onResponse: (resp: WatchResponse) => void): Watcher {
    return this.watchable.watch(req, onResponse);
  }

  /**
   * Takes over the watchers of `old`, the store this one replaces (a member applying a Raft
   * snapshot): each is caught up here from the revision it was owed, or cancelled with
   * compact_revision if that is compacted here (etcd's watchableStore.Restore).
   */
  adoptWatchers(old: MvccStore): void {
    this.watchable.adopt(old.watchable);
  }

  /** How many watchers are active: [synced, unsynced] (tests; unsynced is 0 between calls). */
  get watcherCounts(): [number, number] {
    return this.watchable.counts;
  }

  /** The put record of key alive at rev, or undefined (also when rev is compacted). */
  private liveAt(skey: string, rev: number): RevRecord | undefined {
    if (rev < this.compactMainRev || rev <= 0) return undefined;
    return this.index.keyIndex(skey)?.getRev(rev);
  }

  // ---------------------------------------------------------------- hash

  /**
   * etcd's HashByRev: CRC-32C over the stored revisions up to `revision` (default: now), skipping
   * those below the compacted revision that compaction at `revision` would not keep.
   */
  hashKV(revision = 0): HashKVResponse {
    this.meter.reset();
    const compactRev = this.compactMainRev;
    if (revision > 0 && revision <= compactRev) throw etcdError('Compacted');
    if (revision > 0 && revision > this.currentRev) throw etcdError('FutureRev');
    const rev = revision === 0 ? this.currentRev : revision;
    const keep = this.index.keep(rev);
    const h = new Crc32c();
    h.write(new Uint8Array([0x6b, 0x65, 0x79])); // the bucket name, "key"
    this.revs.scan(0, rev + 1, (r) => {
      this.meter.keysScanned++;
      if (r.main <= compactRev && keep.size > 0 && !keep.has(r)) return;
      h.write(revisionBytes(r.main, r.sub, r.tombstone));
      h.write(
        r.tombstone
          ? marshalKeyValue({
              key: r.key,
              create_revision: 0,
              mod_revision: 0,
              version: 0,
              value: EMPTY_BYTES,
              lease: 0,
            })
          : marshalKeyValue(kvOf(r)),
      );
      this.meter.bytesRead += r.key.length + r.value.length;
    });
    this.report('hashKV', 'read');
    return { hash: h.sum32(), compact_revision: compactRev };
  }

  // ---------------------------------------------------------------- internals

  /** Reports the operation's work, then tells watchers of what its write changed. */
  private report(op: StoreOp, kind: 'read' | 'write'): void {
    if (!this.peeking) this.meter.report(this.sink, op, kind);
    const ended = this.ended;
    if (ended) {
      this.ended = undefined;
      this.watchable.notify(ended.changes, ended.rev);
    }
  }

  /** One standalone write (no error can follow its first change): apply, end, report. */
  private writeOnce<T>(op: StoreOp, apply: (tx: WriteTx) => T): T {
    const tx = this.beginWrite(false);
    const resp = apply(tx);
    this.endWrite(tx);
    this.report(op, 'write');
    return resp;
  }

  private beginWrite(withUndo: boolean): WriteTx {
    return { beginRev: this.currentRev, changes: [], undo: withUndo ? [] : null };
  }

  /**
   * Ends a write transaction: a new revision if anything changed. Watchers hear of it when the
   * operation reports its work (report()), so the cost sink sees the write before they do.
   */
  private endWrite(tx: WriteTx): void {
    if (tx.changes.length === 0) return;
    this.currentRev = tx.beginRev + 1;
    this.ended = { changes: tx.changes, rev: this.currentRev };
  }

  private rollback(tx: WriteTx): void {
    const undo = tx.undo as (() => void)[];
    for (let i = undo.length - 1; i >= 0; i--) (undo[i] as () => void)();
  }

  /** The revision reads see: inside a write transaction, its own changes too. */
  private readRev(tx: WriteTx | null): number {
    if (!tx) return this.currentRev;
    return tx.changes.length > 0 ? tx.beginRev + 1 : tx.beginRev;
  }

  /** mvcc rangeKeys: the records alive at `rev` in range, the first `limit` of them, and the count. */
  private rangeKeys(
    r: KeyRange,
    curRev: number,
    reqRev: number,
    limit: number,
    countOnly: boolean,
  ): { recs: RevRecord[]; count: number; rev: number } {
    let rev = reqRev;
    if (rev > curRev) throw etcdError('FutureRev');
    if (rev <= 0) rev = curRev;
    if (rev < this.compactMainRev) throw etcdError('Compacted');
    const recs: RevRecord[] = [];
    let count = 0;
    let bytes = 0;
    const scanned = this.index.visit(r, (ki) => {
      const rec = ki.getRev(rev);
      if (!rec) return;
      count++;
      if (!countOnly && (limit <= 0 || recs.length < limit)) {
        recs.push(rec);
        bytes += rec.key.length + rec.value.length;
      }
    });
    this.meter.keysScanned += scanned + recs.length;
    this.meter.bytesRead += bytes;
    return { recs, count, rev: curRev };
  }

  /** applierV3backend.Range: limit + 1 for `more`, filters, sort, truncation, keys_only. */
  private applyRange(req: RangeRequest, tx: WriteTx | null): RangeResponse {
    const rr = this.rangeKeys(
      toKeyRange(req.key, req.range_end),
      this.readRev(tx),
      req.revision ?? 0,
      rangeFetchLimit(req),
      req.count_only ?? false,
    );
    return finishRange(req, rr.recs, rr.count, rr.rev);
  }

  /** applierV3backend.Put inside a write transaction (lease existence already checked). */
  private applyPut(req: PutRequest, tx: WriteTx): PutResponse {
    const skey = bytesToBinary(req.key);
    let value = req.value && req.value.length > 0 ? new Uint8Array(req.value) : EMPTY_BYTES;
    let lease = req.lease ?? 0;
    let prev: RevRecord | undefined;
    if (req.ignore_value || req.ignore_lease || req.prev_kv) {
      prev = this.index.keyIndex(skey)?.getRev(this.readRev(tx));
      this.meter.keysScanned++;
    }
    if (req.ignore_value || req.ignore_lease) {
      // ignore_{lease,value} expect a previous key-value pair
      if (!prev) throw etcdError('KeyNotFound');
      if (req.ignore_value) value = prev.value;
      if (req.ignore_lease) lease = prev.lease;
    }
    const rev = this.putKey(tx, req.key, skey, value, lease);
    if (req.prev_kv && prev) return { header: { revision: rev }, prev_kv: kvOf(prev) };
    return { header: { revision: rev } };
  }

  /** applierV3backend.DeleteRange inside a write transaction. */
  private applyDeleteRange(req: DeleteRangeRequest, tx: WriteTx): DeleteRangeResponse {
    const r = toKeyRange(req.key, req.range_end);
    let prevKvs: KeyValue[] | undefined;
    if (req.prev_kv) {
      const rr = this.rangeKeys(r, this.readRev(tx), 0, 0, false);
      if (rr.recs.length > 0) prevKvs = rr.recs.map((rec) => kvOf(rec));
    }
    const deleted = this.deleteRangeKeys(tx, r);
    const revision = deleted !== 0 || tx.changes.length > 0 ? tx.beginRev + 1 : tx.beginRev;
    if (prevKvs) return { header: { revision }, deleted, prev_kvs: prevKvs };
    return { header: { revision }, deleted };
  }

  /** Pre-order compare results of the txn and of the nested txns on the chosen paths. */
  private compareToPath(rt: TxnRequest): boolean[] {
    const path: boolean[] = [];
    const walk = (t: TxnRequest): void => {
      const ok = this.applyCompares(t.compare ?? []);
      path.push(ok);
      for (const op of (ok ? t.success : t.failure) ?? []) {
        if ('request_txn' in op) walk(op.request_txn);
      }
    };
    walk(rt);
    return path;
  }

  private applyCompares(cmps: readonly Compare[]): boolean {
    for (const c of cmps) {
      const rr = this.rangeKeys(toKeyRange(c.key, c.range_end), this.currentRev, 0, 0, false);
      if (!compareHolds(c, rr.recs)) return false;
    }
    return true;
  }

  /** applierV3backend.checkPut, against the state before the txn. */
  private checkPut(op: RequestOp): void {
    if (!('request_put' in op)) return;
    const p = op.request_put;
    if (p.ignore_value || p.ignore_lease) {
      if (!this.index.keyIndex(bytesToBinary(p.key))?.getRev(this.currentRev)) {
        throw etcdError('KeyNotFound');
      }
    }
    const lease = p.lease ?? 0;
    if (lease !== 0 && !this.lessor.has(lease)) throw etcdError('LeaseNotFound');
  }

  /** applierV3backend.checkRange. */
  private checkRange(op: RequestOp): void {
    if (!('request_range' in op)) return;
    const rev = op.request_range.revision ?? 0;
    if (rev === 0) return;
    if (rev > this.currentRev) throw etcdError('FutureRev');
    if (rev < this.compactMainRev) throw etcdError('Compacted');
  }

  private applyTxn(
    rt: TxnRequest,
    path: readonly boolean[],
    pos: { i: number },
    tx: WriteTx | null,
  ): TxnResponse {
    const succeeded = path[pos.i++] ?? false;
    const responses: ResponseOp[] = [];
    for (const op of (succeeded ? rt.success : rt.failure) ?? []) {
      if ('request_range' in op) {
        responses.push({ response_range: this.applyRange(op.request_range, tx) });
      } else if ('request_put' in op) {
        responses.push({ response_put: this.applyPut(op.request_put, tx as WriteTx) });
      } else if ('request_delete_range' in op) {
        responses.push({
          response_delete_range: this.applyDeleteRange(op.request_delete_range, tx as WriteTx),
        });
      } else if ('request_txn' in op) {
        // a nested txn's header stays empty (etcd 3.4.23 answers "header": {})
        responses.push({ response_txn: this.applyTxn(op.request_txn, path, pos, tx) });
      }
    }
    return { header: { revision: 0 }, succeeded, responses };
  }

  /** storeTxnWrite.put: the next sub revision of this transaction. */
  private putKey(
    tx: WriteTx,
    key: Uint8Array,
    skey: string,
    value: Uint8Array,
    lease: number,
  ): number {
    const rev = tx.beginRev + 1;
    const { ki, fresh } = this.index.ensure(() => new Uint8Array(key), skey);
    const cur = ki.getRev(rev);
    let oldLease = 0;
    if (cur) oldLease = this.lessor.leaseOf(skey);
    const rec: RevRecord = {
      main: rev,
      sub: tx.changes.length,
      key: ki.key,
      skey,
      value,
      create: cur ? cur.create : rev,
      version: cur ? cur.version + 1 : 1,
      lease,
      tombstone: false,
    };
    const prevModified = ki.modified;
    ki.put(rec);
    this.revs.append(rec);
    tx.changes.push(rec);
    if (oldLease !== 0) this.lessor.detach(oldLease, skey);
    if (lease !== 0) this.lessor.attach(lease, skey);
    tx.undo?.push(() => {
      if (lease !== 0) this.lessor.detach(lease, skey);
      if (oldLease !== 0) this.lessor.attach(oldLease, skey);
      ki.unput(prevModified);
      this.revs.pop();
      if (fresh) this.index.remove(skey);
    });
    this.meter.keysWritten++;
    this.meter.bytesWritten += ki.key.length + value.length;
    return rev;
  }

  /** storeTxnWrite.deleteRange: tombstones every key alive in range; returns how many. */
  private deleteRangeKeys(tx: WriteTx, r: KeyRange): number {
    const rrev = this.readRev(tx);
    const alive: KeyIndex<RevRecord>[] = [];
    this.meter.keysScanned += this.index.visit(r, (ki) => {
      if (ki.getRev(rrev)) alive.push(ki);
    });
    for (const ki of alive) this.deleteKey(tx, ki);
    return alive.length;
  }

  private deleteKey(tx: WriteTx, ki: KeyIndex<RevRecord>): void {
    const rec = tombstoneRecord(tx.beginRev + 1, tx.changes.length, ki);
    const prevModified = ki.modified;
    if (!ki.tombstone(rec)) return;
    this.revs.append(rec);
    tx.changes.push(rec);
    const oldLease = this.lessor.leaseOf(ki.skey);
    if (oldLease !== 0) this.lessor.detach(oldLease, ki.skey);
    tx.undo?.push(() => {
      if (oldLease !== 0) this.lessor.attach(oldLease, ki.skey);
      ki.untombstone(prevModified);
      this.revs.pop();
    });
    this.meter.keysWritten++;
    this.meter.bytesWritten += ki.key.length;
  }
}

/**
 * How many records a range fetches (0: all): all when it sorts or filters (it truncates
 * afterwards), otherwise its limit plus one, to know whether there are `more`.
 */
export function rangeFetchLimit(req: RangeRequest): number {
  const limit = req.limit ?? 0;
  if (
    (req.sort_order ?? 'NONE') !== 'NONE' ||
    (req.min_mod_revision ?? 0) !== 0 ||
    (req.max_mod_revision ?? 0) !== 0 ||
    (req.min_create_revision ?? 0) !== 0 ||
    (req.max_create_revision ?? 0) !== 0
  ) {
    return 0;
  }
  return limit > 0 ? limit + 1 : limit;
}

/**
 * The rest of applierV3backend.Range over the records fetched (key order, as many as
 * rangeFetchLimit says): revision filters, sort, truncation to the limit, keys_only.
 */
export function finishRange(
  req: RangeRequest,
  fetched: RevRecord[],
  count: number,
  revision: number,
): RangeResponse {
  const sortTarget = req.sort_target ?? 'KEY';
  const minMod = req.min_mod_revision ?? 0;
  const maxMod = req.max_mod_revision ?? 0;
  const minCreate = req.min_create_revision ?? 0;
  const maxCreate = req.max_create_revision ?? 0;
  const reqLimit = req.limit ?? 0;
  let recs = fetched;
  if (maxMod !== 0) recs = recs.filter((r) => r.main <= maxMod);
  if (minMod !== 0) recs = recs.filter((r) => r.main >= minMod);
  if (maxCreate !== 0) recs = recs.filter((r) => r.create <= maxCreate);
  if (minCreate !== 0) recs = recs.filter((r) => r.create >= minCreate);
  let order = req.sort_order ?? 'NONE';
  // the index already returns key order; any other target sorts ascending by default
  if (sortTarget !== 'KEY' && order === 'NONE') order = 'ASCEND';
  if (order !== 'NONE') {
    const cmp = sortComparator(sortTarget);
    // Go's sort.Sort, as etcd: not stable, and the order it leaves ties in is etcd's answer
    recs = recs === fetched ? [...recs] : recs;
    if (order === 'DESCEND') goSort(recs, (a, b) => cmp(b, a) < 0);
    else goSort(recs, (a, b) => cmp(a, b) < 0);
  }
  let more = false;
  if (reqLimit > 0 && recs.length > reqLimit) {
    recs = recs.slice(0, reqLimit);
    more = true;
  }
  const keysOnly = req.keys_only ?? false;
  const kvs = recs.map((r) => kvOf(r, keysOnly));
  return { header: { revision }, kvs, more, count };
}

export function sortComparator(target: string): (a: RevRecord, b: RevRecord) => number {
  switch (target) {
    case 'VERSION':
      return (a, b) => a.version - b.version;
    case 'CREATE':
      return (a, b) => a.create - b.create;
    case 'MOD':
      return (a, b) => a.main - b.main;
    case 'VALUE':
      return (a, b) => compareBytes(a.value, b.value);
    default:
      return (a, b) => (a.skey < b.skey ? -1 : a.skey > b.skey ? 1 : 0);
  }
}
