import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MvccStore } from '../mvcc/index';
import type { Compare, RequestOp, TxnRequest } from '../mvcc/types';
import { runOnStore } from './generate';
import type { KvRequest } from './history';
import { KvModel } from './kv-model';
import { answerDifference } from './responses';

const enc = new TextEncoder();
const key = fc.constantFrom('a', 'b', 'c', 'd', 'e').map((k) => enc.encode(k));
const end = fc.constantFrom(undefined, 'c', 'f', '\0').map((e) => (e ? enc.encode(e) : undefined));
const value = fc.constantFrom('', 'x', 'y', 'zz').map((v) => enc.encode(v));
const rev = fc.integer({ min: 0, max: 12 });

const range = fc.record(
  {
    key,
    range_end: end,
    limit: fc.integer({ min: 0, max: 3 }),
    revision: rev,
    sort_order: fc.constantFrom('NONE' as const, 'ASCEND' as const, 'DESCEND' as const),
    sort_target: fc.constantFrom(
      'KEY' as const,
      'VERSION' as const,
      'CREATE' as const,
      'MOD' as const,
      'VALUE' as const,
    ),
    keys_only: fc.boolean(),
    count_only: fc.boolean(),
    min_mod_revision: rev,
    max_create_revision: rev,
  },
  { requiredKeys: ['key'] },
);
const put = fc.record(
  { key, value, prev_kv: fc.boolean(), ignore_value: fc.boolean() },
  { requiredKeys: ['key'] },
);
const del = fc.record({ key, range_end: end, prev_kv: fc.boolean() }, { requiredKeys: ['key'] });
const compare: fc.Arbitrary<Compare> = fc.record(
  {
    key,
    range_end: end,
    target: fc.constantFrom(
      'VERSION' as const,
      'CREATE' as const,
      'MOD' as const,
      'VALUE' as const,
      'LEASE' as const,
    ),
    result: fc.constantFrom(
      'EQUAL' as const,
      'GREATER' as const,
      'LESS' as const,
      'NOT_EQUAL' as const,
    ),
    version: fc.integer({ min: 0, max: 3 }),
    create_revision: rev,
    mod_revision: rev,
    value,
  },
  { requiredKeys: ['key'] },
);
const txn: fc.Arbitrary<TxnRequest> = fc.letrec<{ txn: TxnRequest; op: RequestOp }>((tie) => ({
  op: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    range.map((r) => ({ request_range: r })),
    put.map((p) => ({ request_put: p })),
    del.map((d) => ({ request_delete_range: d })),
    tie('txn').map((t) => ({ request_txn: t as TxnRequest })),
  ),
  txn: fc.record({
    compare: fc.array(compare, { maxLength: 2 }),
    success: fc.array(tie('op') as fc.Arbitrary<RequestOp>, { maxLength: 3 }),
    failure: fc.array(tie('op') as fc.Arbitrary<RequestOp>, { maxLength: 3 }),
  }),
})).txn;

const request: fc.Arbitrary<KvRequest> = fc.oneof(
  range.map((body) => ({ method: 'range' as const, body })),
  put.map((body) => ({ method: 'put' as const, body })),
  put.map((body) => ({ method: 'put' as const, body: { ...body, ignore_value: false } })),
  del.map((body) => ({ method: 'deleteRange' as const, body })),
  txn.map((body) => ({ method: 'txn' as const, body })),
);

describe('KvModel', () => {
  it('answers every call exactly as MvccStore does', () => {
    fc.assert(
      fc.property(fc.array(request, { maxLength: 40 }), (reqs) => {
        const store = new MvccStore();
        const model = new KvModel();
        for (const req of reqs) {
          const want = runOnStore(store, req);
          const got = model.apply(req);
          if (want === undefined) expect(got).toBeUndefined();
          else expect(answerDifference(got, want)).toBeNull();
          expect(model.revision).toBe(store.revision);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('undo() goes back to the very state of its mark', () => {
    fc.assert(
      fc.property(
        fc.array(request, { maxLength: 15 }),
        fc.array(request, { maxLength: 15 }),
        (first, then) => {
          const model = new KvModel();
          for (const r of first) model.apply(r);
          const mark = model.mark();
          const hash = model.hashKey();
          const snap = model.snapshot();
          for (const r of then) model.apply(r);
          model.undo(mark);
          expect(model.hashKey()).toBe(hash);
          expect(model.snapshot()).toEqual(snap);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('snapshots are plain JSON, keys and values as text', () => {
    const model = new KvModel();
    model.apply({ method: 'put', body: { key: enc.encode('k'), value: enc.encode('v') } });
    const snap = model.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap).toEqual({
      revision: 2,
      kvs: { k: { value: 'v', create_revision: 2, mod_revision: 2, version: 1, lease: 0 } },
    });
  });
});
