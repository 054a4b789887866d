// Sorted ranges list ties exactly as etcd 3.4.23 does: Go 1.19's sort.Sort (pdqsort) is not
// stable, so the order of equal elements is part of the answer. The expected orders below are
// etcd's, for the same 40 keys and writes on a fresh keyspace (POST /v3/kv/range with
// sort_target / sort_order); a stable sort gets all four wrong.
import { describe, expect, it } from 'vitest';
import { goSort } from '../gosort';
import type { SortOrder, SortTarget } from '../index';
import { b, newStore, str } from './util';

const ETCD: [SortTarget, SortOrder, number[]][] = [
  [
    'VERSION',
    'ASCEND',
    [
      0, 24, 36, 16, 4, 20, 32, 28, 8, 12, 35, 11, 31, 7, 27, 15, 3, 39, 23, 19, 10, 30, 22, 18, 38,
      2, 26, 14, 34, 6, 29, 9, 21, 33, 13, 5, 25, 37, 17, 1,
    ],
  ],
  [
    'VERSION',
    'DESCEND',
    [
      13, 1, 37, 33, 29, 5, 25, 21, 17, 9, 30, 6, 38, 10, 14, 2, 34, 26, 18, 22, 35, 15, 19, 23, 3,
      11, 31, 27, 39, 7, 0, 8, 32, 24, 16, 20, 36, 4, 12, 28,
    ],
  ],
  [
    'CREATE',
    'DESCEND',
    [
      36, 39, 38, 37, 32, 35, 34, 33, 31, 30, 29, 28, 24, 27, 26, 25, 20, 21, 22, 23, 16, 18, 19,
      17, 13, 12, 14, 15, 9, 11, 10, 8, 7, 6, 5, 4, 0, 3, 2, 1,
    ],
  ],
  [
    'VALUE',
    'ASCEND',
    [
      39, 25, 2, 3, 36, 26, 1, 24, 27, 38, 0, 37, 12, 13, 14, 15, 7, 17, 18, 19, 16, 31, 30, 29, 28,
      6, 5, 4, 10, 23, 22, 21, 32, 33, 34, 35, 20, 11, 9, 8,
    ],
  ],
];

describe('sorted ranges', () => {
  it('order ties as etcd 3.4.23 does', () => {
    const { store } = newStore();
    const key = (i: number) => b(`z${String(i).padStart(2, '0')}`);
    for (let i = 0; i < 40; i += 4) {
      store.txn({
        success: [0, 1, 2, 3].map((j) => ({
          request_put: { key: key(i + j), value: b(String((i + j) % 3)) },
        })),
      });
    }
    for (let i = 0; i < 40; i++) {
      for (let r = 0; r < (i * 7) % 4; r++)
        store.put({ key: key(i), value: b(String((i + r) % 3)) });
    }
    for (const [sort_target, sort_order, want] of ETCD) {
      const got = store
        .range({ key: b('z'), range_end: b('{'), sort_target, sort_order })
        .kvs.map((k) => Number(str(k.key).slice(1)));
      expect(got, `${sort_target} ${sort_order}`).toEqual(want);
    }
  });

  it('goSort sorts', () => {
    for (const n of [0, 1, 5, 13, 50, 51, 300, 2000]) {
      const xs = Array.from({ length: n }, (_, i) => (i * 7919) % 97);
      goSort(xs, (a, c) => a < c);
      expect(xs).toEqual([...xs].sort((a, c) => a - c));
      const down = Array.from({ length: n }, (_, i) => n - i);
      goSort(down, (a, c) => a < c);
      expect(down).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
  });
});
