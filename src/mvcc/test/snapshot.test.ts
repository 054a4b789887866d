// snapshot() / MvccStore.restore(): a restored store is indistinguishable from the original
// (property test: random operations, snapshot at a random point, the same further operations
// on both, every answer and hashKV compared), the bytes are deterministic, and damaged or
// truncated bytes raise a SnapshotError naming what is wrong.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Crc32c } from '../hash';
import { decodeSnapshot } from '../snapshot';
import type { MvccStore } from '../index';
import { MvccStore as Store, SnapshotError } from '../index';
import type { OpWork } from '../cost';
import type { RequestOp, SortOrder, SortTarget, WatchResponse } from '../types';
import { b, kv, newStore } from './util';

type Step =
  | { t: 'put'; key: string; value: string; lease: number }
  | { t: 'del'; key: string; end: string | undefined }
  | { t: 'get'; key: string; end: string | undefined };

type Op =
  | {
      t: 'put';
      key: string;
      value: string;
      lease: number;
      prevKv: boolean;
      ignore: 0 | 1 | 2;
    }
  | { t: 'del'; key: string; end: string | undefined; prevKv: boolean }
  | {
      t: 'range';
      key: string;
      end: string | undefined;
      back: number;
      limit: number;
      order: SortOrder;
      target: SortTarget;
      countOnly: boolean;
      keysOnly: boolean;
      minMod: number;
    }
  | { t: 'txn'; key: string; version: number; then: Step[]; else: Step[]; nested: boolean }
  | { t: 'compact'; pct: number }
  | { t: 'grant'; id: number; ttl: number }
  | { t: 'revoke'; id: number }
  | { t: 'keepalive'; id: number }
  | { t: 'ttl'; id: number; keys: boolean }
  | { t: 'leases' }
  | { t: 'tick'; ms: number }
  | { t: 'expire' }
  | { t: 'hash'; pct: number };

const KEYS = ['a', 'b', 'c', 'd', 'a\0', '\xffz'];
const keyArb = fc.constantFrom(...KEYS);
const endArb = fc.constantFrom<string | undefined>(undefined, undefined, 'c', '\0', 'a\x01');
const leaseArb = fc.constantFrom(0, 0, 1, 2, 3);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    t: fc.constant('put' as const),
    key: keyArb,
    value: fc.constantFrom('x', 'y', ''),
    lease: leaseArb,
  }),
  fc.record({ t: fc.constant('del' as const), key: keyArb, end: endArb }),
  fc.record({ t: fc.constant('get' as const), key: keyArb, end: endArb }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('put' as const),
      key: keyArb,
      value: fc.constantFrom('1', '22', ''),
      lease: leaseArb,
      prevKv: fc.boolean(),
      ignore: fc.constantFrom<0 | 1 | 2>(0, 0, 0, 1, 2),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('del' as const),
      key: keyArb,
      end: endArb,
      prevKv: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('range' as const),
      key: keyArb,
      end: endArb,
      back: fc.integer({ min: -1, max: 12 }),
      limit: fc.integer({ min: 0, max: 3 }),
      order: fc.constantFrom<SortOrder>('NONE', 'ASCEND', 'DESCEND'),
      target: fc.constantFrom<SortTarget>('KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE'),
      countOnly: fc.boolean(),
      keysOnly: fc.boolean(),
      minMod: fc.constantFrom(0, 0, 3),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('txn' as const),
      key: keyArb,
      version: fc.integer({ min: 0, max: 2 }),
      then: fc.array(stepArb, { maxLength: 3 }),
      else: fc.array(stepArb, { maxLength: 3 }),
      nested: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('compact' as const),
      pct: fc.integer({ min: 0, max: 120 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('grant' as const),
      id: fc.constantFrom(0, 1, 2, 3),
      ttl: fc.integer({ min: 1, max: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('revoke' as const), id: fc.constantFrom(1, 2, 3, 4) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('keepalive' as const), id: fc.constantFrom(1, 2, 3) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('ttl' as const),
      id: fc.constantFrom(1, 2, 3, 4),
      keys: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'leases' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('tick' as const),
      ms: fc.integer({ min: 0, max: 4000 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'expire' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('hash' as const),
      pct: fc.integer({ min: 0, max: 110 }),
    }),
  },
);

const range = (key: string, end: string | undefined) =>
  end === undefined ? { key: b(key) } : { key: b(key), range_end: b(end) };

function toRequestOp(s: Step): RequestOp {
  switch (s.t) {
    case 'put':
      return { request_put: { key: b(s.key), value: b(s.value), lease: s.lease } };
    case 'del':
      return { request_delete_range: range(s.key, s.end) };
    case 'get':
      return { request_range: range(s.key, s.end) };
  }
}

/** A revision from the compacted one to a little past the current one, by percentage. */
function revAt(store: MvccStore, pct: number): number {
  const lo = Math.max(store.compactRevision, 0);
  return lo + Math.floor((pct / 100) * (store.revision - lo + 1));
}

/** Applies op to store; the answer, or the error's name, message and code. */
function apply(store: MvccStore, op: Op): unknown {
  try {
    return applyOp(store, op);
  } catch (e) {
    const err = e as { name: string; message: string; code?: number };
    if (err.name !== 'EtcdError') throw e;
    return { error: err.message, code: err.code };
  }
}

function applyOp(store: MvccStore, op: Op): unknown {
  switch (op.t) {
    case 'put':
      return store.put({
        key: b(op.key),
        ...(op.ignore === 1 ? { ignore_value: true } : { value: b(op.value) }),
        ...(op.ignore === 2 ? { ignore_lease: true } : { lease: op.lease }),
        prev_kv: op.prevKv,
      });
    case 'del':
      return store.deleteRange({ ...range(op.key, op.end), prev_kv: op.prevKv });
    case 'range':
      return store.range({
        ...range(op.key, op.end),
        revision: op.back < 0 ? 0 : store.revision - op.back,
        limit: op.limit,
        sort_order: op.order,
        sort_target: op.target,
        count_only: op.countOnly,
        keys_only: op.keysOnly,
        min_mod_revision: op.minMod,
      });
    case 'txn': {
      const success = op.then.map(toRequestOp);
      if (op.nested) {
        success.push({
          request_txn: {
            compare: [{ key: b('d'), target: 'CREATE', result: 'GREATER', create_revision: 0 }],
            success: [{ request_put: { key: b('nested'), value: b('n') } }],
            failure: [{ request_range: { key: b('a'), range_end: b('\0') } }],
          },
        });
      }
      return store.txn({
        compare: [{ key: b(op.key), target: 'VERSION', result: 'EQUAL', version: op.version }],
        success,
        failure: op.else.map(toRequestOp),
      });
    }
    case 'compact':
      return store.compact({ revision: revAt(store, op.pct) });
    case 'grant':
      return store.leaseGrant({ ID: op.id, TTL: op.ttl });
    case 'revoke':
      return store.leaseRevoke({ ID: op.id });
    case 'keepalive':
      return store.leaseKeepAlive({ ID: op.id });
    case 'ttl':
      return store.leaseTimeToLive({ ID: op.id, keys: op.keys });
    case 'leases':
      return store.leaseLeases();
    case 'expire':
      return store.expireLeases();
    case 'hash':
      return store.hashKV(revAt(store, op.pct));
    case 'tick':
      return undefined;
  }
}

/** Everything a reader can see of the whole history still kept, and a catch-up watch. */
function history(store: MvccStore): unknown {
  const revs = [];
  for (let r = Math.max(1, store.compactRevision); r <= store.revision; r++) {
    revs.push(store.range({ key: b('\0'), range_end: b('\0'), revision: r }));
  }
  const events: WatchResponse[] = [];
  const w = store.watch(
    {
      key: b('\0'),
      range_end: b('\0'),
      start_revision: Math.max(1, store.compactRevision),
      prev_kv: true,
    },
    (r) => events.push(r),
  );
  w.cancel();
  return { revs, events, hash: store.hashKV(), leases: store.leaseLeases() };
}

/** How often the property test met each shape of state at its snapshot point. */
const seen = { compacted: 0, compactedHead: 0, generations: 0, leaseKeys: 0, expired: 0 };

function tally(snap: Uint8Array, now: number): void {
  const st = decodeSnapshot(snap);
  if (st.compactRev > 0) seen.compacted++;
  const heads = st.keys.map((ki) => ki.generations[0]?.revs[0]);
  if (heads.some((h) => h && h.main !== h.create)) seen.compactedHead++;
  if (st.keys.some((ki) => ki.generations.length > 2)) seen.generations++;
  if (st.leases.some((l) => l.keys.length > 0)) seen.leaseKeys++;
  if (st.leases.some((l) => l.expiryMs <= now)) seen.expired++;
}

function run(before: readonly Op[], after: readonly Op[]): void {
  const { store: original, clock } = newStore();
  for (const op of before) {
    if (op.t === 'tick') clock.now += op.ms;
    else apply(original, op);
  }
  const snap = original.snapshot();
  tally(snap, clock.now);
  const restored = Store.restore(snap, { clock: () => clock.now });
  expect(restored.snapshot()).toEqual(snap);
  expect(history(restored)).toEqual(history(original));
  for (const op of after) {
    if (op.t === 'tick') {
      clock.now += op.ms;
      continue;
    }
    expect(apply(restored, op)).toEqual(apply(original, op));
    expect(restored.revision).toBe(original.revision);
    expect(restored.compactRevision).toBe(original.compactRevision);
    expect(restored.hashKV()).toEqual(original.hashKV());
  }
  expect(history(restored)).toEqual(history(original));
  expect(restored.snapshot()).toEqual(original.snapshot());
}

/** A store with tombstones, several generations, a compaction, leases and binary keys. */
function sample(): { store: MvccStore; clock: { now: number } } {
  const { store, clock } = newStore();
  store.leaseGrant({ ID: 7, TTL: 30 });
  clock.now = 1500;
  store.leaseGrant({ TTL: 10 }); // ID 1
  store.put({ key: b('foo'), value: b('bar') }); // 2
  store.put({ key: b('foo'), value: b('baz'), lease: 7 }); // 3
  store.deleteRange({ key: b('foo') }); // 4
  store.put({ key: b('foo'), value: b('again') }); // 5
  store.put({ key: b('k\xff\0'), value: b('\0\x01'), lease: 1 }); // 6
  store.txn({
    success: [
      { request_put: { key: b('t1'), value: b('x'), lease: 7 } },
      { request_put: { key: b('t2'), value: b('y') } },
    ],
  }); // 7
  store.put({ key: b('t2'), value: b('y2') }); // 8
  store.compact({ revision: 7 });
  store.put({ key: b('gone'), value: b('v') }); // 9
  store.deleteRange({ key: b('gone') }); // 10
  return { store, clock };
}

function errorOf(fn: () => unknown): { name: string; message: string } | undefined {
  try {
    fn();
  } catch (e) {
    const err = e as Error;
    return { name: err.name, message: err.message };
  }
  return undefined;
}

/** Re-frames a body with a correct length and checksum (to reach the checks past them). */
function reframe(snap: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(9 + body.length + 4);
  out.set(snap.subarray(0, 5));
  const view = new DataView(out.buffer);
  view.setUint32(5, body.length);
  out.set(body, 9);
  const h = new Crc32c();
  h.write(out.subarray(0, 9 + body.length));
  view.setUint32(9 + body.length, h.sum32());
  return out;
}

describe('snapshot and restore', () => {
  it('restores a store that answers and continues exactly as the original', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 80, size: 'max' }),
        fc.array(opArb, { maxLength: 40, size: 'max' }),
        (before, after) => run(before, after),
      ),
      { numRuns: 400 },
    );
    // the runs met the states that matter (of 400 runs)
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(20);
  });

  it('restores an empty store', () => {
    const { store } = newStore();
    const r = Store.restore(store.snapshot());
    expect(r.revision).toBe(1);
    expect(r.compactRevision).toBe(-1);
    expect(r.hashKV()).toEqual(store.hashKV());
    expect(r.put({ key: b('a'), value: b('1') })).toEqual({ header: { revision: 2 } });
    expect(r.leaseGrant({ TTL: 5 }).ID).toBe(1);
  });

  it('keeps history, versions, leases and the lease ID allocator', () => {
    const { store, clock } = sample();
    const r = Store.restore(store.snapshot(), { clock: () => clock.now });
    expect(r.revision).toBe(10);
    expect(r.compactRevision).toBe(7);
    expect(r.range({ key: b('foo'), revision: 7 }).kvs).toEqual([kv('foo', 'again', 5, 5, 1)]);
    expect(r.range({ key: b('t2') }).kvs).toEqual([kv('t2', 'y2', 7, 8, 2)]);
    expect(r.range({ key: b('gone'), revision: 9 }).kvs).toEqual([kv('gone', 'v', 9, 9, 1)]);
    expect(r.hashKV(8)).toEqual(store.hashKV(8));
    expect(r.leaseTimeToLive({ ID: 7, keys: true })).toEqual({
      header: { revision: 10 },
      ID: 7,
      TTL: 28,
      grantedTTL: 30,
      keys: [b('t1')],
    });
    expect(r.leaseLeases()).toEqual(store.leaseLeases());
    // the allocator goes on from where it was: 1 is taken, 2 is next
    expect(r.leaseGrant({ TTL: 5 }).ID).toBe(2);
    // it expires at the same simulated time as in the original
    const twin = Store.restore(store.snapshot(), { clock: () => clock.now });
    clock.now = 11_499;
    expect(twin.expireLeases()).toEqual([]);
    clock.now = 11_500;
    expect(twin.expireLeases()).toEqual(store.expireLeases());
    expect(twin.leaseTimeToLive({ ID: 1 }).TTL).toBe(-1);
    clock.now = 31_500;
    expect(twin.expireLeases()).toEqual([7]);
    expect(store.expireLeases()).toEqual([7]);
    expect(twin.snapshot()).toEqual(store.snapshot());
    // later writes: same revisions, versions and create revisions
    expect(r.put({ key: b('foo'), value: b('4'), prev_kv: true })).toEqual({
      header: { revision: 11 },
      prev_kv: kv('foo', 'again', 5, 5, 1),
    });
    expect(r.range({ key: b('foo') }).kvs).toEqual([kv('foo', '4', 5, 11, 2)]);
    // revoking a lease deletes its keys in the restored store too
    r.leaseRevoke({ ID: 1 });
    expect(r.range({ key: b('k\xff\0') }).kvs).toEqual([]);
  });

  it('is deterministic: the same state gives the same bytes, whenever taken', () => {
    const { store, clock } = sample();
    const first = store.snapshot();
    clock.now += 60_000;
    store.range({ key: b('a'), range_end: b('\0') });
    store.deleteRange({ key: b('nothing') }); // changes nothing
    store.leaseTimeToLive({ ID: 7 });
    expect(store.snapshot()).toEqual(first);
    const other = sample().store;
    expect(other.snapshot()).toEqual(first);
    // a restored store, snapshotted again, gives back the very bytes
    expect(Store.restore(first).snapshot()).toEqual(first);
  });

  it('gives the restored store the options it is given', () => {
    const { store } = sample();
    const works: OpWork[] = [];
    const r = Store.restore(store.snapshot(), {
      costSink: { read: (w) => works.push(w), write: (w) => works.push(w) },
      minLeaseTTL: 20,
      maxTxnOps: 1,
    });
    expect(r.leaseGrant({ TTL: 3 }).TTL).toBe(20);
    expect(works.map((w) => w.op)).toEqual(['leaseGrant']);
    expect(() =>
      r.txn({ success: [{ request_range: { key: b('a') } }, { request_range: { key: b('b') } }] }),
    ).toThrow('etcdserver: too many operations in txn request');
  });

  it('copies the bytes it reads: changing them later changes nothing', () => {
    const { store } = sample();
    const snap = store.snapshot();
    const r = Store.restore(snap);
    const hash = r.hashKV();
    snap.fill(0);
    expect(r.hashKV()).toEqual(hash);
  });

  it('rejects any flipped byte or truncation with a SnapshotError, never a store', () => {
    const snap = sample().store.snapshot();
    for (let i = 0; i < snap.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bad = new Uint8Array(snap);
        bad[i] = (bad[i] as number) ^ mask;
        const err = errorOf(() => Store.restore(bad));
        expect(err?.name, `byte ${i} ^ ${mask}`).toBe('SnapshotError');
        expect(err?.message).toMatch(/^mvcc snapshot: /);
      }
    }
    for (let n = 0; n < snap.length; n++) {
      const err = errorOf(() => Store.restore(snap.subarray(0, n)));
      expect(err?.name, `first ${n} bytes`).toBe('SnapshotError');
      expect(err?.message).toMatch(/^mvcc snapshot: truncated: /);
    }
  });

  it('names what is wrong', () => {
    const snap = sample().store.snapshot();
    const with_ = (i: number, v: number): Uint8Array => {
      const out = new Uint8Array(snap);
      out[i] = v;
      return out;
    };
    expect(() => Store.restore(with_(4, 2))).toThrow(
      'mvcc snapshot: unknown format version 2 (this build reads version 1)',
    );
    expect(() => Store.restore(with_(0, 0x4d))).toThrow(
      'mvcc snapshot: not an mvcc snapshot (bad magic bytes)',
    );
    expect(() => Store.restore(with_(20, (snap[20] as number) ^ 4))).toThrow(
      /^mvcc snapshot: checksum mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\): the bytes are damaged$/,
    );
    expect(() => Store.restore(snap.subarray(0, snap.length - 10))).toThrow(
      `mvcc snapshot: truncated: ${snap.length - 10} bytes, the header says ${snap.length}`,
    );
    const longer = new Uint8Array(snap.length + 1);
    longer.set(snap);
    expect(() => Store.restore(longer)).toThrow(
      'mvcc snapshot: 1 unexpected bytes after the snapshot',
    );
    expect(() => Store.restore(new Uint8Array(3))).toThrow('mvcc snapshot: truncated: 3 bytes');
    // past the checksum: a body that does not hold together
    const body = snap.subarray(9, snap.length - 4);
    expect(() => Store.restore(reframe(snap, body.subarray(0, 2)))).toThrow(
      'mvcc snapshot: truncated: needs 1 more bytes at offset 11, only 0 left',
    );
    const extra = new Uint8Array(body.length + 1);
    extra.set(body);
    expect(() => Store.restore(reframe(snap, extra))).toThrow(
      'mvcc snapshot: 1 unexpected bytes after the leases',
    );
    // a current revision of 5 while records go up to 10
    const early = new Uint8Array(body);
    early[0] = 5;
    expect(() => Store.restore(reframe(snap, early))).toThrow(
      /^mvcc snapshot: compacted revision 7 is after the current 5$/,
    );
    expect(SnapshotError.name).toBe('SnapshotError');
  });

  it('raises only SnapshotError for bodies damaged past the checksum', () => {
    const snap = sample().store.snapshot();
    const body = snap.subarray(9, snap.length - 4);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(body.length - 1), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 3,
        }),
        (flips) => {
          const bad = new Uint8Array(body);
          for (const [i, x] of flips) bad[i] = (bad[i] as number) ^ x;
          const err = errorOf(() => Store.restore(reframe(snap, bad)));
          if (err) expect(err.name, err.message).toBe('SnapshotError');
        },
      ),
      { numRuns: 2000 },
    );
  });
});
