// Compaction and historical reads, checked against etcd 3.4.23.
import { describe, expect, it } from 'vitest';
import { b, errorOf, kv, newStore } from './util';

const COMPACTED = { message: 'etcdserver: mvcc: required revision has been compacted', code: 11 };
const FUTURE = { message: 'etcdserver: mvcc: required revision is a future revision', code: 11 };

describe('compact', () => {
  it('refuses future and already-compacted revisions; 0 is allowed once on a fresh store', () => {
    const { store } = newStore();
    store.put({ key: b('a'), value: b('1') }); // 2
    // etcd 3.4.23 (fresh, compactMainRev -1): compaction 0 -> ok; then -1 -> compacted; 100 -> future
    expect(errorOf(() => store.compact({ revision: 100 }))).toEqual(FUTURE);
    expect(store.compact({ revision: 0 })).toEqual({ header: { revision: 2 } });
    expect(errorOf(() => store.compact({ revision: -1 }))).toEqual(COMPACTED);
    expect(errorOf(() => store.compact({ revision: 0 }))).toEqual(COMPACTED);
    expect(store.compact({ revision: 2, physical: true })).toEqual({ header: { revision: 2 } });
    // etcd: compacting at the compacted revision again, or below it -> compacted
    expect(errorOf(() => store.compact({ revision: 2 }))).toEqual(COMPACTED);
    expect(errorOf(() => store.compact({ revision: 1 }))).toEqual(COMPACTED);
    expect(store.compactRevision).toBe(2);
  });

  it('keeps reads at and after the compacted revision, refuses older ones', () => {
    const { store } = newStore();
    store.put({ key: b('a'), value: b('1') }); // 2
    store.put({ key: b('a'), value: b('2') }); // 3
    store.put({ key: b('b'), value: b('x') }); // 4
    store.put({ key: b('a'), value: b('3') }); // 5
    store.compact({ revision: 3 });
    // etcd: range a at revision 3 after compacting at 3 -> a@3; at 2 -> compacted
    expect(store.range({ key: b('a'), revision: 3 }).kvs).toEqual([kv('a', '2', 2, 3, 2)]);
    expect(store.range({ key: b('a'), revision: 4 }).kvs).toEqual([kv('a', '2', 2, 3, 2)]);
    expect(store.range({ key: b('a'), revision: 5 }).kvs).toEqual([kv('a', '3', 2, 5, 3)]);
    expect(store.range({ key: b('b'), revision: 3 }).kvs).toEqual([]);
    expect(errorOf(() => store.range({ key: b('a'), revision: 2 }))).toEqual(COMPACTED);
    // versions continue across compaction
    store.put({ key: b('a'), value: b('4') }); // 6
    expect(store.range({ key: b('a') }).kvs).toEqual([kv('a', '4', 2, 6, 4)]);
    store.compact({ revision: 6 });
    expect(store.range({ key: b('a'), revision: 6 }).kvs).toEqual([kv('a', '4', 2, 6, 4)]);
    expect(errorOf(() => store.range({ key: b('a'), revision: 5 }))).toEqual(COMPACTED);
  });

  it('drops tombstoned generations and forgets deleted keys', () => {
    const { store } = newStore();
    store.put({ key: b('a'), value: b('1') }); // 2
    store.deleteRange({ key: b('a') }); // 3
    store.put({ key: b('a'), value: b('2') }); // 4
    store.deleteRange({ key: b('a') }); // 5
    store.put({ key: b('c'), value: b('c') }); // 6
    store.compact({ revision: 3 });
    expect(store.range({ key: b('a'), revision: 3 }).kvs).toEqual([]);
    expect(store.range({ key: b('a'), revision: 4 }).kvs).toEqual([kv('a', '2', 4, 4, 1)]);
    store.compact({ revision: 5 });
    expect(store.range({ key: b('a'), revision: 5 }).kvs).toEqual([]);
    // the key is gone from the index: recreating it starts a new history
    store.put({ key: b('a'), value: b('3') }); // 7
    expect(store.range({ key: b('a') }).kvs).toEqual([kv('a', '3', 7, 7, 1)]);
    expect(store.range({ key: b('\0'), range_end: b('\0'), revision: 6 }).kvs).toEqual([
      kv('c', 'c', 6, 6, 1),
    ]);
  });

  it('a txn reading a compacted revision fails, as etcd does', () => {
    const { store } = newStore();
    store.put({ key: b('a'), value: b('1') });
    store.put({ key: b('a'), value: b('2') });
    store.compact({ revision: 3 });
    expect(
      errorOf(() => store.txn({ success: [{ request_range: { key: b('a'), revision: 2 } }] })),
    ).toEqual(COMPACTED);
    expect(
      store.txn({ success: [{ request_range: { key: b('a'), revision: 3 } }] }).responses,
    ).toEqual([
      {
        response_range: {
          header: { revision: 3 },
          kvs: [kv('a', '2', 2, 3, 2)],
          more: false,
          count: 1,
        },
      },
    ]);
  });
});
