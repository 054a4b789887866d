// Range, put and deleteRange, checked against etcd 3.4.23 (its JSON gateway answers quoted in
// comments; the gateway omits zero values, our objects carry them as described in types.ts).
import { describe, expect, it } from 'vitest';
import { EtcdError, prefixEnd } from '../index';
import { b, errorOf, kv, newStore } from './util';

function seeded() {
  const { store } = newStore();
  store.put({ key: b('a'), value: b('1') }); // rev 2
  store.put({ key: b('a'), value: b('2') }); // rev 3
  store.put({ key: b('b'), value: b('x') }); // rev 4
  return store;
}

describe('put', () => {
  it('starts at revision 1 and gives each put the next revision', () => {
    const { store } = newStore();
    // etcd 3.4.23, fresh: range "a" -> {"header":{"revision":"1"}}
    expect(store.range({ key: b('a') })).toEqual({
      header: { revision: 1 },
      kvs: [],
      more: false,
      count: 0,
    });
    expect(store.put({ key: b('a'), value: b('1') })).toEqual({ header: { revision: 2 } });
    // etcd: {"header":{"revision":"3"},"prev_kv":{"key":"a","create_revision":"2","mod_revision":"2","version":"1","value":"1"}}
    expect(store.put({ key: b('a'), value: b('2'), prev_kv: true })).toEqual({
      header: { revision: 3 },
      prev_kv: kv('a', '1', 2, 2, 1),
    });
    // prev_kv asked for on a new key: absent (etcd: {"header":{"revision":"4"}})
    const r = store.put({ key: b('b'), value: b('x'), prev_kv: true });
    expect(r).toEqual({ header: { revision: 4 } });
    expect('prev_kv' in r).toBe(false);
  });

  it('copies its input buffers', () => {
    const { store } = newStore();
    const key = b('k');
    const value = b('v1');
    store.put({ key, value });
    key[0] = 0x7a;
    value[1] = 0x39;
    expect(store.range({ key: b('k') }).kvs).toEqual([kv('k', 'v1', 2, 2, 1)]);
  });

  it('ignore_value keeps the value, ignore_lease keeps the lease', () => {
    const { store } = newStore();
    store.leaseGrant({ ID: 7, TTL: 60 });
    store.put({ key: b('k'), value: b('v'), lease: 7 });
    store.put({ key: b('k'), ignore_value: true });
    expect(store.range({ key: b('k') }).kvs).toEqual([kv('k', 'v', 2, 3, 2, 0)]);
    store.put({ key: b('k'), value: b('w'), lease: 7 });
    store.put({ key: b('k'), value: b('z'), ignore_lease: true });
    expect(store.range({ key: b('k') }).kvs).toEqual([kv('k', 'z', 2, 5, 4, 7)]);
  });

  it('rejects bad puts with etcd errors and changes nothing', () => {
    const store = seeded();
    // etcd 3.4.23 answers each of these exactly so
    expect(errorOf(() => store.put({ key: b(''), value: b('v') }))).toEqual({
      message: 'etcdserver: key is not provided',
      code: 3,
    });
    expect(errorOf(() => store.put({ key: b('a'), ignore_value: true, value: b('x') }))).toEqual({
      message: 'etcdserver: value is provided',
      code: 3,
    });
    expect(errorOf(() => store.put({ key: b('zz'), ignore_value: true }))).toEqual({
      message: 'etcdserver: key not found',
      code: 3,
    });
    expect(errorOf(() => store.put({ key: b('zz'), ignore_lease: true }))).toEqual({
      message: 'etcdserver: key not found',
      code: 3,
    });
    // lease lookup comes before the key-not-found check
    expect(errorOf(() => store.put({ key: b('zz'), ignore_value: true, lease: 5 }))).toEqual({
      message: 'etcdserver: requested lease not found',
      code: 5,
    });
    expect(errorOf(() => store.put({ key: b('a'), ignore_lease: true, lease: 5 }))).toEqual({
      message: 'etcdserver: lease is provided',
      code: 3,
    });
    // value is checked before lease
    expect(
      errorOf(() =>
        store.put({ key: b('a'), ignore_value: true, ignore_lease: true, value: b('x'), lease: 5 }),
      ),
    ).toEqual({ message: 'etcdserver: value is provided', code: 3 });
    expect(store.revision).toBe(4);
    expect(store.range({ key: b('a'), range_end: b('\0') }).count).toBe(2);
  });

  it('throws EtcdError instances', () => {
    const { store } = newStore();
    try {
      store.range({ key: b('') });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EtcdError);
      expect(e).toBeInstanceOf(Error);
      expect((e as EtcdError).code).toBe(3);
    }
  });
});

describe('range', () => {
  it('reads one key, a range, a prefix and everything from a key', () => {
    const store = seeded();
    // etcd: {"header":{"revision":"4"},"kvs":[{"key":"a",...,"version":"2","value":"2"},{"key":"b",...}],"count":"2"}
    expect(store.range({ key: b('a'), range_end: b('c') })).toEqual({
      header: { revision: 4 },
      kvs: [kv('a', '2', 2, 3, 2), kv('b', 'x', 4, 4, 1)],
      more: false,
      count: 2,
    });
    expect(store.range({ key: b('a') }).kvs).toEqual([kv('a', '2', 2, 3, 2)]);
    expect(store.range({ key: b('a'), range_end: b('\0') }).count).toBe(2);
    expect(store.range({ key: b('b'), range_end: b('\0') }).count).toBe(1);
    expect(store.range({ key: b('\0'), range_end: b('\0') }).count).toBe(2);
    expect(store.range({ key: b('a'), range_end: prefixEnd(b('a')) }).count).toBe(1);
    // range_end <= key: nothing
    expect(store.range({ key: b('b'), range_end: b('a') }).count).toBe(0);
    expect(store.range({ key: b('zz') }).kvs).toEqual([]);
  });

  it('limit gives more and the full count; count_only and keys_only', () => {
    const store = seeded();
    // etcd: limit 1 -> kvs [a], "more":true,"count":"2"
    expect(store.range({ key: b('a'), range_end: b('c'), limit: 1 })).toEqual({
      header: { revision: 4 },
      kvs: [kv('a', '2', 2, 3, 2)],
      more: true,
      count: 2,
    });
    expect(store.range({ key: b('a'), range_end: b('c'), limit: 2 }).more).toBe(false);
    // etcd: count_only -> {"header":{"revision":"4"},"count":"2"}
    expect(store.range({ key: b('a'), range_end: b('c'), count_only: true })).toEqual({
      header: { revision: 4 },
      kvs: [],
      more: false,
      count: 2,
    });
    // etcd: keys_only -> kvs without value
    expect(store.range({ key: b('a'), range_end: b('c'), keys_only: true }).kvs).toEqual([
      kv('a', '', 2, 3, 2),
      kv('b', '', 4, 4, 1),
    ]);
  });

  it('reads history at a revision', () => {
    const store = seeded();
    store.deleteRange({ key: b('a') }); // rev 5
    expect(store.range({ key: b('a'), revision: 2 }).kvs).toEqual([kv('a', '1', 2, 2, 1)]);
    expect(store.range({ key: b('a'), revision: 3 }).kvs).toEqual([kv('a', '2', 2, 3, 2)]);
    expect(store.range({ key: b('a'), revision: 4 }).kvs).toEqual([kv('a', '2', 2, 3, 2)]);
    expect(store.range({ key: b('a'), revision: 5 }).kvs).toEqual([]);
    expect(store.range({ key: b('a'), revision: 1 }).kvs).toEqual([]);
    // the header says the current revision, not the one read
    expect(store.range({ key: b('a'), revision: 2 }).header.revision).toBe(5);
    // a negative revision reads the current one (etcd 3.4.23: revision -5 -> header only)
    expect(store.range({ key: b('b'), revision: -5 }).count).toBe(1);
    // etcd: revision 100 -> "etcdserver: mvcc: required revision is a future revision", code 11
    expect(errorOf(() => store.range({ key: b('a'), revision: 100 }))).toEqual({
      message: 'etcdserver: mvcc: required revision is a future revision',
      code: 11,
    });
    // recreate: a new generation with version 1
    store.put({ key: b('a'), value: b('again') }); // rev 6
    expect(store.range({ key: b('a') }).kvs).toEqual([kv('a', 'again', 6, 6, 1)]);
  });

  it('sorts: a target other than KEY ascends by default; filters before limit', () => {
    const { store } = newStore();
    store.put({ key: b('a'), value: b('3') }); // 2
    store.put({ key: b('b'), value: b('1') }); // 3
    store.put({ key: b('c'), value: b('2') }); // 4
    store.put({ key: b('b'), value: b('1') }); // 5
    const keys = (r: { kvs: { key: Uint8Array }[] }) =>
      r.kvs.map((x) => String.fromCharCode(...x.key));
    const all = { key: b('a'), range_end: b('d') };
    expect(keys(store.range({ ...all, sort_target: 'MOD' }))).toEqual(['a', 'c', 'b']);
    expect(keys(store.range({ ...all, sort_target: 'VALUE' }))).toEqual(['b', 'c', 'a']);
    expect(keys(store.range({ ...all, sort_target: 'VALUE', sort_order: 'DESCEND' }))).toEqual([
      'a',
      'c',
      'b',
    ]);
    expect(keys(store.range({ ...all, sort_order: 'DESCEND' }))).toEqual(['c', 'b', 'a']);
    expect(keys(store.range({ ...all, sort_target: 'CREATE', sort_order: 'DESCEND' }))).toEqual([
      'c',
      'b',
      'a',
    ]);
    // ties keep key order, ascending or descending
    expect(keys(store.range({ ...all, sort_target: 'VERSION' }))).toEqual(['a', 'c', 'b']);
    expect(keys(store.range({ ...all, sort_target: 'VERSION', sort_order: 'DESCEND' }))).toEqual([
      'b',
      'a',
      'c',
    ]);
    const r = store.range({ ...all, sort_target: 'MOD', sort_order: 'DESCEND', limit: 1 });
    expect(keys(r)).toEqual(['b']);
    expect(r.more).toBe(true);
    expect(r.count).toBe(3);
    // filters (count stays the unfiltered count, as etcd's)
    expect(keys(store.range({ ...all, min_mod_revision: 4 }))).toEqual(['b', 'c']);
    expect(keys(store.range({ ...all, max_mod_revision: 4 }))).toEqual(['a', 'c']);
    expect(keys(store.range({ ...all, min_create_revision: 3 }))).toEqual(['b', 'c']);
    expect(keys(store.range({ ...all, max_create_revision: 3 }))).toEqual(['a', 'b']);
    const f = store.range({ ...all, min_mod_revision: 4, limit: 1 });
    expect(keys(f)).toEqual(['b']);
    expect(f.more).toBe(true);
    expect(f.count).toBe(3);
  });

  it('compares keys as unsigned bytes', () => {
    const { store } = newStore();
    for (const k of ['\xff', '\x80', 'a', '\x00', 'a\x00', '\x7f'])
      store.put({ key: b(k), value: b('') });
    const r = store.range({ key: b('\x00'), range_end: b('\0') });
    expect(r.kvs.map((x) => Array.from(x.key))).toEqual([
      [0],
      [0x61],
      [0x61, 0],
      [0x7f],
      [0x80],
      [0xff],
    ]);
    expect(store.range({ key: b('\x7f'), range_end: b('\xff') }).count).toBe(2);
    expect(store.range({ key: b('\xff\xff'), range_end: prefixEnd(b('\xff\xff')) }).count).toBe(0);
  });

  it('rejects an empty key', () => {
    const { store } = newStore();
    // etcd 3.4.23: key "" with range_end "\0" -> "etcdserver: key is not provided", code 3
    expect(errorOf(() => store.range({ key: b(''), range_end: b('\0') }))).toEqual({
      message: 'etcdserver: key is not provided',
      code: 3,
    });
  });
});

describe('deleteRange', () => {
  it('deletes one key or a range, with prev_kvs, in one revision', () => {
    const store = seeded();
    expect(store.deleteRange({ key: b('zz') })).toEqual({ header: { revision: 4 }, deleted: 0 });
    expect(store.deleteRange({ key: b('zz'), prev_kv: true })).toEqual({
      header: { revision: 4 },
      deleted: 0,
    });
    store.put({ key: b('c'), value: b('3') }); // 5
    expect(store.deleteRange({ key: b('a'), range_end: b('c'), prev_kv: true })).toEqual({
      header: { revision: 6 },
      deleted: 2,
      prev_kvs: [kv('a', '2', 2, 3, 2), kv('b', 'x', 4, 4, 1)],
    });
    expect(store.range({ key: b('a'), range_end: b('\0') }).kvs).toEqual([kv('c', '3', 5, 5, 1)]);
    expect(store.deleteRange({ key: b('a'), range_end: b('\0') })).toEqual({
      header: { revision: 7 },
      deleted: 1,
    });
    expect(errorOf(() => store.deleteRange({ key: b('') }))).toEqual({
      message: 'etcdserver: key is not provided',
      code: 3,
    });
  });
});

describe('inputs', () => {
  it('accepts Node Buffers and answers plain Uint8Array copies', () => {
    const { store } = newStore();
    const key = Buffer.from('buf');
    const value = Buffer.from('val');
    store.put({ key, value });
    key[0] = 0x7a;
    value[0] = 0x7a;
    const got = store.range({ key: Buffer.from('buf') }).kvs[0];
    expect(got?.key.constructor).toBe(Uint8Array);
    expect(got?.value.constructor).toBe(Uint8Array);
    expect(got).toEqual(kv('buf', 'val', 2, 2, 1));
  });
});
