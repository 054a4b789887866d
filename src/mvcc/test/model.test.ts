// Property test: random operation sequences against a plain reference model that keeps a full
// Map of the keyspace for every revision. Compares every response, every error, the history at
// every revision still readable, live watch events and a catch-up watch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyValue, RequestOp, WatchResponse } from '../index';
import { b, errorOf, newStore, str } from './util';

interface MKv {
  value: string;
  create: number;
  mod: number;
  version: number;
  lease: number;
}

type Snapshot = Map<string, MKv>;

type Op =
  | { t: 'put'; key: string; value: string; lease: number; prevKv: boolean }
  | { t: 'del'; key: string; end: string | undefined; prevKv: boolean }
  | { t: 'range'; key: string; end: string | undefined; rev: number; limit: number }
  | { t: 'txn'; key: string; version: number; then: TxnStep[]; else: TxnStep[] }
  | { t: 'compact'; rev: number }
  | { t: 'grant'; id: number }
  | { t: 'revoke'; id: number };

type TxnStep =
  { t: 'put'; key: string; value: string } | { t: 'del'; key: string } | { t: 'get'; key: string };

interface MEvent {
  type: 'PUT' | 'DELETE';
  key: string;
  kv: MKv | undefined;
  rev: number;
}

const KEYS = ['a', 'b', 'c', 'd'];
const keyArb = fc.constantFrom(...KEYS);
const endArb = fc.constantFrom<string | undefined>(undefined, undefined, 'c', 'e', '\0', 'a');
const stepArb: fc.Arbitrary<TxnStep> = fc.oneof(
  fc.record({ t: fc.constant('put' as const), key: keyArb, value: fc.constantFrom('x', 'y', '') }),
  fc.record({ t: fc.constant('del' as const), key: keyArb }),
  fc.record({ t: fc.constant('get' as const), key: keyArb }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('put' as const),
      key: keyArb,
      value: fc.constantFrom('1', '2', '3', ''),
      lease: fc.constantFrom(0, 0, 0, 1, 2),
      prevKv: fc.boolean(),
    }),
  },
  {
    weight: 2,
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
      rev: fc.integer({ min: -1, max: 40 }),
      limit: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('txn' as const),
      key: keyArb,
      version: fc.integer({ min: 0, max: 3 }),
      then: fc.array(stepArb, { maxLength: 3 }),
      else: fc.array(stepArb, { maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('compact' as const),
      rev: fc.integer({ min: -1, max: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('grant' as const), id: fc.constantFrom(1, 2) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('revoke' as const), id: fc.constantFrom(1, 2) }),
  },
);

const inRange = (k: string, key: string, end: string | undefined): boolean =>
  end === undefined ? k === key : end === '\0' ? k >= key : k >= key && k < end;

function toKv(key: string, m: MKv): KeyValue {
  return {
    key: b(key),
    create_revision: m.create,
    mod_revision: m.mod,
    version: m.version,
    value: b(m.value),
    lease: m.lease,
  };
}

class Model {
  rev = 1;
  compacted = -1;
  state: Snapshot = new Map();
  history = new Map<number, Snapshot>([[1, new Map()]]);
  leases = new Set<number>();
  events: MEvent[] = [];
  private pending: MEvent[] = [];

  /** Starts a write at rev + 1; commit() makes the revision if anything changed. */
  write(fn: (rev: number) => void): number {
    this.pending = [];
    fn(this.rev + 1);
    if (this.pending.length > 0) {
      this.rev++;
      this.history.set(this.rev, new Map(this.state));
      this.events.push(...this.pending);
    }
    return this.rev;
  }

  put(key: string, value: string, lease: number, rev: number): void {
    const cur = this.state.get(key);
    const kv = {
      value,
      create: cur ? cur.create : rev,
      mod: rev,
      version: cur ? cur.version + 1 : 1,
      lease,
    };
    this.state.set(key, kv);
    this.pending.push({ type: 'PUT', key, kv, rev });
  }

  del(key: string, end: string | undefined, rev: number): number {
    const keys = [...this.state.keys()].filter((k) => inRange(k, key, end)).sort();
    for (const k of keys) {
      this.state.delete(k);
      this.pending.push({ type: 'DELETE', key: k, kv: undefined, rev });
    }
    return keys.length;
  }

  rangeAt(key: string, end: string | undefined, rev: number): [string, MKv][] {
    const snap = this.history.get(rev) as Snapshot;
    return [...snap.entries()]
      .filter(([k]) => inRange(k, key, end))
      .sort(([x], [y]) => (x < y ? -1 : 1));
  }
}

function run(ops: readonly Op[]): void {
  const { store } = newStore();
  const m = new Model();
  const live: WatchResponse[] = [];
  store.watch({ key: b('\0'), range_end: b('\0'), prev_kv: true }, (r) => live.push(r));

  for (const op of ops) {
    switch (op.t) {
      case 'put': {
        if (op.lease !== 0 && !m.leases.has(op.lease)) {
          expect(
            errorOf(() => store.put({ key: b(op.key), value: b(op.value), lease: op.lease }))?.code,
          ).toBe(5);
          break;
        }
        const prev = m.state.get(op.key);
        const resp = store.put({
          key: b(op.key),
          value: b(op.value),
          lease: op.lease,
          prev_kv: op.prevKv,
        });
        const rev = m.write((r) => m.put(op.key, op.value, op.lease, r));
        expect(resp).toEqual(
          op.prevKv && prev
            ? { header: { revision: rev }, prev_kv: toKv(op.key, prev) }
            : { header: { revision: rev } },
        );
        break;
      }
      case 'del': {
        const prev = m.rangeAt(op.key, op.end, m.rev);
        const req = {
          key: b(op.key),
          prev_kv: op.prevKv,
          ...(op.end === undefined ? {} : { range_end: b(op.end) }),
        };
        const resp = store.deleteRange(req);
        let deleted = 0;
        const rev = m.write((r) => (deleted = m.del(op.key, op.end, r)));
        const want =
          op.prevKv && prev.length > 0
            ? { header: { revision: rev }, deleted, prev_kvs: prev.map(([k, v]) => toKv(k, v)) }
            : { header: { revision: rev }, deleted };
        expect(resp).toEqual(want);
        break;
      }
      case 'range': {
        const req = {
          key: b(op.key),
          revision: op.rev,
          limit: op.limit,
          ...(op.end === undefined ? {} : { range_end: b(op.end) }),
        };
        if (op.rev > m.rev) {
          expect(errorOf(() => store.range(req))?.message).toBe(
            'etcdserver: mvcc: required revision is a future revision',
          );
        } else if (op.rev > 0 && op.rev < m.compacted) {
          expect(errorOf(() => store.range(req))?.message).toBe(
            'etcdserver: mvcc: required revision has been compacted',
          );
        } else {
          const all = m.rangeAt(op.key, op.end, op.rev <= 0 ? m.rev : op.rev);
          const shown = op.limit > 0 ? all.slice(0, op.limit) : all;
          expect(store.range(req)).toEqual({
            header: { revision: m.rev },
            kvs: shown.map(([k, v]) => toKv(k, v)),
            more: shown.length < all.length,
            count: all.length,
          });
        }
        break;
      }
      case 'txn': {
        const toOp = (s: TxnStep): RequestOp =>
          s.t === 'put'
            ? { request_put: { key: b(s.key), value: b(s.value) } }
            : s.t === 'del'
              ? { request_delete_range: { key: b(s.key) } }
              : { request_range: { key: b(s.key) } };
        const req = {
          compare: [
            {
              key: b(op.key),
              target: 'VERSION' as const,
              result: 'EQUAL' as const,
              version: op.version,
            },
          ],
          success: op.then.map(toOp),
          failure: op.else.map(toOp),
        };
        const dup = (steps: TxnStep[]) => {
          const seen = new Set<string>();
          for (const s of steps) {
            if (s.t === 'get') continue;
            if (s.t === 'put' && seen.has(s.key)) return true;
            if (s.t === 'del' && steps.some((x) => x.t === 'put' && x.key === s.key)) return true;
            if (s.t === 'put') seen.add(s.key);
          }
          return false;
        };
        if (dup(op.then) || dup(op.else)) {
          expect(errorOf(() => store.txn(req))?.message).toBe(
            'etcdserver: duplicate key given in txn request',
          );
          break;
        }
        const ok = (m.state.get(op.key)?.version ?? 0) === op.version;
        const resp = store.txn(req);
        expect(resp.succeeded).toBe(ok);
        const gets: (KeyValue[] | undefined)[] = [];
        const rev = m.write((r) => {
          for (const s of ok ? op.then : op.else) {
            if (s.t === 'put') m.put(s.key, s.value, 0, r);
            else if (s.t === 'del') m.del(s.key, undefined, r);
            const cur = m.state.get(s.key);
            if (s.t === 'get') gets.push(cur ? [toKv(s.key, cur)] : []);
            else gets.push(undefined);
          }
        });
        expect(resp.header.revision).toBe(rev);
        resp.responses.forEach((r, i) => {
          if ('response_range' in r) expect(r.response_range.kvs).toEqual(gets[i]);
        });
        break;
      }
      case 'compact': {
        if (op.rev <= m.compacted) {
          expect(errorOf(() => store.compact({ revision: op.rev }))?.code).toBe(11);
        } else if (op.rev > m.rev) {
          expect(errorOf(() => store.compact({ revision: op.rev }))?.code).toBe(11);
        } else {
          expect(store.compact({ revision: op.rev })).toEqual({ header: { revision: m.rev } });
          m.compacted = op.rev;
        }
        break;
      }
      case 'grant': {
        if (m.leases.has(op.id)) {
          expect(errorOf(() => store.leaseGrant({ ID: op.id, TTL: 100 }))?.code).toBe(9);
        } else {
          store.leaseGrant({ ID: op.id, TTL: 100 });
          m.leases.add(op.id);
        }
        break;
      }
      case 'revoke': {
        if (!m.leases.has(op.id)) {
          expect(errorOf(() => store.leaseRevoke({ ID: op.id }))?.code).toBe(5);
          break;
        }
        const resp = store.leaseRevoke({ ID: op.id });
        m.leases.delete(op.id);
        // a revoke deletes its keys in key order, as etcd's lessor does
        const keys = [...m.state.entries()]
          .filter(([, v]) => v.lease === op.id)
          .map(([k]) => k)
          .sort();
        const rev = m.write((r) => keys.forEach((k) => m.del(k, undefined, r)));
        expect(resp).toEqual({ header: { revision: rev } });
        break;
      }
    }
    expect(store.revision).toBe(m.rev);
  }

  // every revision still readable gives the model's snapshot
  for (let r = Math.max(1, m.compacted); r <= m.rev; r++) {
    const got = store.range({ key: b('\0'), range_end: b('\0'), revision: r }).kvs;
    expect(got).toEqual(m.rangeAt('\0', '\0', r).map(([k, v]) => toKv(k, v)));
  }
  // live events: one response per revision, each event as the model made it
  const flat = live.flatMap((r) => r.events.map((e) => ({ rev: r.header.revision, e })));
  expect(flat.length).toBe(m.events.length);
  flat.forEach(({ rev, e }, i) => {
    const want = m.events[i] as MEvent;
    expect(rev).toBe(want.rev);
    expect(e.type).toBe(want.type);
    expect(str(e.kv.key)).toBe(want.key);
    expect(e.kv.mod_revision).toBe(want.rev);
    if (want.kv) expect(e.kv).toEqual(toKv(want.key, want.kv));
  });
  // a catch-up watch after the compacted revision sees the same events
  const start = m.compacted + 1;
  if (start >= 2 && start <= m.rev) {
    const catchUp: WatchResponse[] = [];
    store.watch({ key: b('\0'), range_end: b('\0'), start_revision: start }, (r) =>
      catchUp.push(r),
    );
    const evs = catchUp.flatMap((r) => r.events);
    const want = m.events.filter((e) => e.rev >= start);
    expect(evs.map((e) => [e.type, str(e.kv.key), e.kv.mod_revision])).toEqual(
      want.map((e) => [e.type, e.key, e.rev]),
    );
  }
}

describe('MvccStore against a reference model', () => {
  it('agrees on random operation sequences', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => run(ops)),
      { numRuns: 1000 },
    );
  });
});
