// hashKV against etcd 3.4.23: the same operations on a fresh etcd, then
// `etcdctl endpoint hashkv --rev=N -w json`, gave the hashes below.
import { describe, expect, it } from 'vitest';
import { Crc32c } from '../hash';
import { MvccStore } from '../store';
import { b, errorOf, newStore } from './util';

describe('hashKV', () => {
  it('matches etcd 3.4.23 byte for byte, before and after compaction', () => {
    const { store } = newStore();
    expect(store.hashKV()).toEqual({ hash: 1084519789, compact_revision: -1 });
    store.put({ key: b('foo'), value: b('bar') }); // 2
    store.put({ key: b('foo'), value: b('baz') }); // 3
    store.put({ key: b('k1'), value: b('v1') }); // 4
    store.leaseGrant({ ID: 42, TTL: 1000 });
    store.put({ key: b('k2'), value: b('v2'), lease: 42 }); // 5
    store.deleteRange({ key: b('foo') }); // 6
    store.put({ key: b('foo'), value: b('again') }); // 7
    store.txn({
      success: [
        { request_put: { key: b('t1'), value: b('x') } },
        { request_put: { key: b('t2'), value: b('y') } },
        { request_delete_range: { key: b('k1') } },
      ],
    }); // 8
    store.leaseGrant({ ID: -7, TTL: 1000 });
    store.put({ key: b('k3'), value: b(''), lease: -7 }); // 9: a negative lease is a 10-byte varint
    expect(store.hashKV()).toEqual({ hash: 42805193, compact_revision: -1 });
    expect(store.hashKV(5)).toEqual({ hash: 1742124855, compact_revision: -1 });
    store.compact({ revision: 6 });
    expect(store.hashKV()).toEqual({ hash: 563278824, compact_revision: 6 });
    expect(store.hashKV(7)).toEqual({ hash: 478080974, compact_revision: 6 });
    store.leaseRevoke({ ID: 42 }); // 10
    store.put({ key: b('foo'), value: b('last') }); // 11
    store.compact({ revision: 10 });
    expect(store.hashKV()).toEqual({ hash: 930832754, compact_revision: 10 });
  });

  it('refuses compacted and future revisions', () => {
    const { store } = newStore();
    store.put({ key: b('a'), value: b('1') });
    store.put({ key: b('a'), value: b('2') });
    store.compact({ revision: 2 });
    // etcdctl endpoint hashkv --rev=2 after compacting at 2: "required revision has been compacted"
    expect(errorOf(() => store.hashKV(2))).toEqual({
      message: 'etcdserver: mvcc: required revision has been compacted',
      code: 11,
    });
    expect(errorOf(() => store.hashKV(4))).toEqual({
      message: 'etcdserver: mvcc: required revision is a future revision',
      code: 11,
    });
    expect(store.hashKV(3).compact_revision).toBe(2);
  });

  it('is the same for two stores that applied the same operations', () => {
    const one = newStore().store;
    const two = newStore().store;
    for (const s of [one, two]) {
      s.put({ key: b('x'), value: b('1') });
      s.deleteRange({ key: b('x') });
      s.put({ key: b('y'), value: b('2') });
    }
    expect(one.hashKV()).toEqual(two.hashKV());
    two.put({ key: b('y'), value: b('3') });
    expect(one.hashKV().hash).not.toBe(two.hashKV().hash);
  });
});

describe('Crc32c', () => {
  /** The plain bytewise CRC-32C, to check the slicing-by-8 one against. */
  function reference(bytes: Uint8Array): number {
    let c = 0xffffffff;
    for (const x of bytes) {
      c ^= x;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
    return (c ^ 0xffffffff) >>> 0;
  }

  it('gives the standard check value and agrees with the bytewise CRC at every length', () => {
    const h = new Crc32c();
    h.write(b('123456789'));
    expect(h.sum32()).toBe(0xe3069283);
    const data = new Uint8Array(100).map((_, i) => (i * 131 + 7) & 0xff);
    for (let n = 0; n <= data.length; n++) {
      for (const cut of [0, 3, 8, n >> 1]) {
        if (cut > n) continue;
        const split = new Crc32c();
        split.write(data.subarray(0, cut));
        split.write(data.subarray(cut, n));
        expect(split.sum32(), `${n} bytes cut at ${cut}`).toBe(reference(data.subarray(0, n)));
      }
    }
  });
});

describe('kvHash (the invariant checker’s fingerprint)', () => {
  it('is equal for stores with the same records, however they got them, and follows every change', () => {
    const { store: a } = newStore();
    const { store: c } = newStore();
    const fresh = a.kvHash;
    a.put({ key: b('x'), value: b('1') });
    expect(a.kvHash).not.toBe(fresh);
    c.put({ key: b('x'), value: b('2') });
    expect(c.kvHash).not.toBe(a.kvHash); // a different value
    const { store: d } = newStore();
    d.put({ key: b('x'), value: b('1') });
    expect(d.kvHash).toBe(a.kvHash);
    // A txn whose compare fails, with nothing to do, leaves it as it was.
    const before = a.kvHash;
    a.txn({ compare: [{ key: b('x'), target: 'VALUE', result: 'EQUAL', value: b('no') }] });
    expect(a.kvHash).toBe(before);
    // A snapshot restores the same fingerprint; compaction changes it (records go).
    a.put({ key: b('x'), value: b('3') });
    a.deleteRange({ key: b('x') });
    const restored = MvccStore.restore(a.snapshot());
    expect(restored.kvHash).toBe(a.kvHash);
    const full = a.kvHash;
    a.compact({ revision: 3 });
    expect(a.kvHash).not.toBe(full);
    expect(MvccStore.restore(a.snapshot()).kvHash).toBe(a.kvHash);
  });
});
