// Txn semantics, each case replayed against etcd 3.4.23's JSON gateway first.
import { describe, expect, it } from 'vitest';
import type { RequestOp, TxnRequest } from '../index';
import { b, errorOf, kv, newStore } from './util';

const put = (key: string, value = 'v'): RequestOp => ({
  request_put: { key: b(key), value: b(value) },
});
const get = (key: string): RequestOp => ({ request_range: { key: b(key) } });
const del = (key: string, rangeEnd?: string): RequestOp => ({
  request_delete_range:
    rangeEnd === undefined ? { key: b(key) } : { key: b(key), range_end: b(rangeEnd) },
});
const sub = (t: TxnRequest): RequestOp => ({ request_txn: t });

const DUP = { message: 'etcdserver: duplicate key given in txn request', code: 3 };
const TOO_MANY = { message: 'etcdserver: too many operations in txn request', code: 3 };

function seeded() {
  const { store } = newStore();
  store.put({ key: b('a'), value: b('1') }); // 2
  store.put({ key: b('a'), value: b('2') }); // 3
  store.put({ key: b('b'), value: b('x') }); // 4
  return store;
}

describe('txn', () => {
  it('runs the success branch with inner headers as etcd gives them', () => {
    const store = seeded();
    // etcd 3.4.23 answered:
    // {"header":{"revision":"5"},"succeeded":true,"responses":[
    //  {"response_range":{"header":{"revision":"4"},"kvs":[a@3],"count":"1"}},
    //  {"response_put":{"header":{"revision":"5"}}},
    //  {"response_range":{"header":{"revision":"5"},"kvs":[c@5],"count":"1"}},
    //  {"response_delete_range":{"header":{"revision":"5"},"deleted":"1","prev_kvs":[b@4]}},
    //  {"response_txn":{"header":{},"succeeded":true,"responses":[{"response_put":{"header":{"revision":"5"}}}]}}]}
    const resp = store.txn({
      compare: [{ key: b('a'), target: 'VERSION', result: 'EQUAL', version: 2 }],
      success: [
        get('a'),
        put('c', '3'),
        get('c'),
        { request_delete_range: { key: b('b'), prev_kv: true } },
        sub({ success: [put('d', '4')] }),
      ],
    });
    expect(resp).toEqual({
      header: { revision: 5 },
      succeeded: true,
      responses: [
        {
          response_range: {
            header: { revision: 4 },
            kvs: [kv('a', '2', 2, 3, 2)],
            more: false,
            count: 1,
          },
        },
        { response_put: { header: { revision: 5 } } },
        {
          response_range: {
            header: { revision: 5 },
            kvs: [kv('c', '3', 5, 5, 1)],
            more: false,
            count: 1,
          },
        },
        {
          response_delete_range: {
            header: { revision: 5 },
            deleted: 1,
            prev_kvs: [kv('b', 'x', 4, 4, 1)],
          },
        },
        {
          response_txn: {
            header: { revision: 0 },
            succeeded: true,
            responses: [{ response_put: { header: { revision: 5 } } }],
          },
        },
      ],
    });
    // all changes in one revision, sub revisions in op order
    expect(store.range({ key: b('d') }).kvs).toEqual([kv('d', '4', 5, 5, 1)]);
    expect(store.revision).toBe(5);
  });

  it('a read-only txn and a txn that changes nothing keep the revision', () => {
    const store = seeded();
    expect(store.txn({ success: [get('a')] }).header.revision).toBe(4);
    // etcd: compare nokey version == 0 -> succeeded; delete of a missing key: header 4, no new revision
    expect(
      store.txn({
        compare: [{ key: b('nokey'), target: 'VERSION', result: 'EQUAL', version: 0 }],
        success: [del('nokey')],
      }),
    ).toEqual({
      header: { revision: 4 },
      succeeded: true,
      responses: [{ response_delete_range: { header: { revision: 4 }, deleted: 0 } }],
    });
    // an empty txn succeeds
    expect(store.txn({})).toEqual({ header: { revision: 4 }, succeeded: true, responses: [] });
  });

  it('compares on missing keys: VALUE always fails, the rest compare against zero', () => {
    const store = seeded();
    const ok = (c: TxnRequest['compare']) => store.txn({ compare: c }).succeeded;
    // etcd: value NOT_EQUAL "x" on a missing key -> failure branch
    expect(ok([{ key: b('nokey'), target: 'VALUE', result: 'NOT_EQUAL', value: b('x') }])).toBe(
      false,
    );
    expect(ok([{ key: b('nokey'), target: 'VALUE', result: 'EQUAL', value: b('') }])).toBe(false);
    expect(ok([{ key: b('nokey'), target: 'CREATE', result: 'EQUAL', create_revision: 0 }])).toBe(
      true,
    );
    expect(ok([{ key: b('nokey'), target: 'MOD', result: 'LESS', mod_revision: 1 }])).toBe(true);
    expect(ok([{ key: b('nokey'), target: 'LEASE', result: 'EQUAL', lease: 0 }])).toBe(true);
    expect(ok([{ key: b('nokey') }])).toBe(true); // defaults: VERSION EQUAL 0
    expect(ok([{ key: b('a'), target: 'MOD', result: 'GREATER', mod_revision: 0 }])).toBe(true);
    expect(ok([{ key: b('a'), target: 'VALUE', result: 'EQUAL', value: b('2') }])).toBe(true);
    expect(ok([{ key: b('a'), target: 'VALUE', result: 'GREATER', value: b('1') }])).toBe(true);
    expect(ok([{ key: b('a'), target: 'CREATE', result: 'EQUAL', create_revision: 2 }])).toBe(true);
    // the operand comes from the target's field only
    expect(ok([{ key: b('a'), target: 'MOD', result: 'EQUAL', version: 3 }])).toBe(false);
    // range compares: every key must satisfy it
    expect(
      ok([{ key: b('a'), range_end: b('c'), target: 'VERSION', result: 'GREATER', version: 0 }]),
    ).toBe(true);
    expect(
      ok([{ key: b('a'), range_end: b('c'), target: 'VERSION', result: 'EQUAL', version: 2 }]),
    ).toBe(false);
    expect(
      ok([{ key: b('a'), range_end: b('\0'), target: 'MOD', result: 'LESS', mod_revision: 5 }]),
    ).toBe(true);
    // all compares must hold
    expect(
      ok([
        { key: b('a'), version: 2 },
        { key: b('b'), version: 2 },
      ]),
    ).toBe(false);
  });

  it('evaluates nested compares against the state before the txn', () => {
    const { store } = newStore();
    // etcd 3.4.23: put nx, then a nested txn comparing nx version == 1 takes its failure branch
    const resp = store.txn({
      success: [
        put('nx', '1'),
        sub({
          compare: [{ key: b('nx'), target: 'VERSION', result: 'EQUAL', version: 1 }],
          success: [put('ny', 's')],
          failure: [put('ny', 'f')],
        }),
      ],
    });
    expect(resp).toEqual({
      header: { revision: 2 },
      succeeded: true,
      responses: [
        { response_put: { header: { revision: 2 } } },
        {
          response_txn: {
            header: { revision: 0 },
            succeeded: false,
            responses: [{ response_put: { header: { revision: 2 } } }],
          },
        },
      ],
    });
    expect(store.range({ key: b('ny') }).kvs).toEqual([kv('ny', 'f', 2, 2, 1)]);
  });

  it('runs nested txns in pre-order along the chosen paths', () => {
    const { store } = newStore();
    store.put({ key: b('x'), value: b('1') }); // 2
    const resp = store.txn({
      compare: [{ key: b('x'), version: 1 }],
      success: [
        sub({
          compare: [{ key: b('x'), version: 9 }],
          success: [put('s1')],
          failure: [put('f1'), sub({ success: [put('s11')] })],
        }),
        sub({ compare: [{ key: b('x'), version: 1 }], success: [put('s2')], failure: [put('f2')] }),
      ],
      failure: [put('never')],
    });
    expect(resp.succeeded).toBe(true);
    const keys = store
      .range({ key: b('\0'), range_end: b('\0') })
      .kvs.map((k) => String.fromCharCode(...k.key));
    expect(keys).toEqual(['f1', 's11', 's2', 'x']);
  });

  it('rejects duplicate keys as etcd 3.4 does', () => {
    const store = seeded();
    expect(errorOf(() => store.txn({ success: [put('a', '1'), put('a', '2')] }))).toEqual(DUP);
    expect(errorOf(() => store.txn({ success: [put('a'), del('a')] }))).toEqual(DUP);
    expect(errorOf(() => store.txn({ success: [del('0', 'z'), put('a')] }))).toEqual(DUP);
    expect(errorOf(() => store.txn({ success: [put('a'), sub({ success: [put('a')] })] }))).toEqual(
      DUP,
    );
    expect(errorOf(() => store.txn({ success: [del('a'), sub({ failure: [put('a')] })] }))).toEqual(
      DUP,
    );
    expect(errorOf(() => store.txn({ success: [sub({ success: [del('a')] }), put('a')] }))).toEqual(
      DUP,
    );
    expect(errorOf(() => store.txn({ failure: [put('q'), put('q')] }))).toEqual(DUP);
    // both branches of one nested txn may put the same key (etcd: accepted)
    expect(
      store.txn({ success: [sub({ success: [put('q')], failure: [put('q')] })] }).succeeded,
    ).toBe(true);
    // but not two nested txns
    expect(
      errorOf(() =>
        store.txn({ success: [sub({ success: [put('q')] }), sub({ failure: [put('q')] })] }),
      ),
    ).toEqual(DUP);
    // delete + delete of the same key is fine (etcd: two empty delete responses)
    const dd = store.txn({ success: [del('nope'), del('nope')] });
    expect(dd.responses).toHaveLength(2);
    // etcd 3.4.23 accepts a put with a delete whose range_end is "\0" (its interval is empty
    // in the duplicate check) and then deletes the key it just put
    const before = store.revision;
    const r = store.txn({ success: [put('a', '1'), del('0', '\0')] });
    expect(r.header.revision).toBe(before + 1);
    expect(r.responses[1]).toEqual({
      response_delete_range: { header: { revision: before + 1 }, deleted: 3 }, // a, b and q
    });
    expect(store.range({ key: b('\0'), range_end: b('\0') }).count).toBe(0);
  });

  it('counts operations per level: more than 128 fails, nested levels get what is left', () => {
    const { store } = newStore();
    const ranges = (n: number) => Array.from({ length: n }, (_, i) => get(`k${i}`));
    const compares = (n: number) => Array.from({ length: n }, (_, i) => ({ key: b(`k${i}`) }));
    expect(errorOf(() => store.txn({ success: ranges(129) }))).toEqual(TOO_MANY);
    expect(store.txn({ success: ranges(128) }).responses).toHaveLength(128);
    expect(errorOf(() => store.txn({ compare: compares(129) }))).toEqual(TOO_MANY);
    // etcd: 100 compares + a nested txn of 29 ops fails, of 28 passes
    expect(
      errorOf(() => store.txn({ compare: compares(100), success: [sub({ success: ranges(29) })] })),
    ).toEqual(TOO_MANY);
    expect(
      store.txn({ compare: compares(100), success: [sub({ success: ranges(28) })] }).succeeded,
    ).toBe(true);
    // too many is checked before an empty key inside the nested txn
    expect(
      errorOf(() =>
        store.txn({
          compare: compares(100),
          success: [sub({ success: Array.from({ length: 29 }, () => get('')) })],
        }),
      ),
    ).toEqual(TOO_MANY);
  });

  it('checks requests along the chosen path before changing anything', () => {
    const store = seeded();
    store.compact({ revision: 3 });
    const rev = store.revision;
    // etcd: lease not found for a put on the taken branch
    expect(
      errorOf(() =>
        store.txn({
          success: [put('nz'), { request_put: { key: b('nz2'), value: b('1'), lease: 12345 } }],
        }),
      ),
    ).toEqual({
      message: 'etcdserver: requested lease not found',
      code: 5,
    });
    // etcd: a compacted range revision in the taken branch
    expect(
      errorOf(() =>
        store.txn({ success: [put('p'), { request_range: { key: b('a'), revision: 2 } }] }),
      ),
    ).toEqual({
      message: 'etcdserver: mvcc: required revision has been compacted',
      code: 11,
    });
    expect(
      errorOf(() =>
        store.txn({ success: [put('p'), { request_range: { key: b('a'), revision: 100 } }] }),
      ),
    ).toEqual({
      message: 'etcdserver: mvcc: required revision is a future revision',
      code: 11,
    });
    expect(
      errorOf(() =>
        store.txn({ success: [{ request_put: { key: b('zz'), ignore_value: true } }] }),
      ),
    ).toEqual({
      message: 'etcdserver: key not found',
      code: 3,
    });
    // the untaken branch is not checked (etcd: compacted range in failure, success taken -> ok)
    expect(
      store.txn({ success: [put('p')], failure: [{ request_range: { key: b('a'), revision: 2 } }] })
        .succeeded,
    ).toBe(true);
    expect(store.revision).toBe(rev + 1);
    // request checks (v3rpc) cover both branches
    expect(errorOf(() => store.txn({ failure: [get('')] }))).toEqual({
      message: 'etcdserver: key is not provided',
      code: 3,
    });
    expect(errorOf(() => store.txn({ compare: [{ key: b('') }] }))).toEqual({
      message: 'etcdserver: key is not provided',
      code: 3,
    });
    expect(
      errorOf(() =>
        store.txn({
          failure: [{ request_put: { key: b('a'), value: b('1'), ignore_value: true } }],
        }),
      ),
    ).toEqual({
      message: 'etcdserver: value is provided',
      code: 3,
    });
    expect(errorOf(() => store.txn({ success: [{} as RequestOp] }))).toEqual({
      message: 'etcdserver: key not found',
      code: 3,
    });
    expect(store.revision).toBe(rev + 1);
  });

  it('rolls back a txn whose ignore_value put finds its key deleted earlier in the txn', () => {
    const { store } = newStore();
    store.leaseGrant({ ID: 1, TTL: 100 });
    store.put({ key: b('a'), value: b('1'), lease: 1 });
    const hash = store.hashKV().hash;
    // passes every pre-check (the delete's "\0" interval is empty), fails while applying;
    // etcd panics here, the store undoes the txn
    expect(
      errorOf(() =>
        store.txn({
          success: [put('b'), del('0', '\0'), { request_put: { key: b('a'), ignore_value: true } }],
        }),
      ),
    ).toEqual({ message: 'etcdserver: key not found', code: 3 });
    expect(store.revision).toBe(2);
    expect(store.hashKV().hash).toBe(hash);
    expect(store.range({ key: b('\0'), range_end: b('\0') }).kvs).toEqual([
      kv('a', '1', 2, 2, 1, 1),
    ]);
    expect(store.leaseTimeToLive({ ID: 1, keys: true }).keys).toEqual([b('a')]);
    store.put({ key: b('b'), value: b('2') });
    expect(store.range({ key: b('b') }).kvs).toEqual([kv('b', '2', 3, 3, 1)]);
  });
});
