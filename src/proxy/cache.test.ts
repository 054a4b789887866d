// The range cache's rules, as etcd's grpcproxy/cache: keyed by the whole request, invalidated by
// overlapping writes, fixed-revision entries immune to writes but refused once compacted, LRU.
import { describe, expect, it } from 'vitest';
import type { RangeRequest, RangeResponse } from '../mvcc/types';
import { RangeCache, cacheKey, overlaps } from './cache';
import { toKeyRange } from '../mvcc/bytes';

const b = (s: string) => new TextEncoder().encode(s);
const resp = (revision: number, value = 'v'): RangeResponse => ({
  header: { revision },
  kvs: [
    {
      key: b('a'),
      value: b(value),
      create_revision: 1,
      mod_revision: revision,
      version: 1,
      lease: 0,
    },
  ],
  more: false,
  count: 1,
});
const get = (key: string, more: Partial<RangeRequest> = {}): RangeRequest => ({
  key: b(key),
  serializable: true,
  ...more,
});

describe('RangeCache', () => {
  it('answers the same request again, whatever its serializable flag', () => {
    const c = new RangeCache();
    c.add(get('a'), resp(5));
    expect(c.get(get('a'))).toEqual(resp(5));
    expect(c.get({ key: b('a') })).toEqual(resp(5));
    expect(c.get(get('a', { limit: 1 }))).toBeUndefined();
    expect(c.get(get('b'))).toBeUndefined();
  });

  it('a put invalidates the cached ranges it overlaps, and only those', () => {
    const c = new RangeCache();
    c.add(get('a'), resp(5));
    c.add(get('a', { range_end: b('c') }), resp(5));
    c.add(get('k', { range_end: new Uint8Array([0]) }), resp(5)); // every key from k on
    c.add(get('x'), resp(5));
    expect(c.invalidate(b('b'))).toBe(1); // [a, c) only
    expect(c.get(get('a'))).toBeDefined();
    expect(c.get(get('a', { range_end: b('c') }))).toBeUndefined();
    expect(c.invalidate(b('z'))).toBe(1); // [k, ∞)
    expect(c.get(get('x'))).toBeDefined();
    expect(c.invalidate(b('a'), b('y'))).toBe(2); // a and x
    expect(c.size).toBe(0);
  });

  it('entries at a fixed revision are history: writes leave them, compaction refuses them', () => {
    const c = new RangeCache();
    c.add(get('a', { revision: 3 }), resp(3));
    c.invalidate(b('a'));
    expect(c.get(get('a', { revision: 3 }))).toEqual(resp(3));
    c.compact(4);
    expect(() => c.get(get('a', { revision: 3 }))).toThrow(/required revision has been compacted/);
    // and a revision at or below the compacted one is not cached again
    c.add(get('a', { revision: 4 }), resp(4));
    expect(c.get(get('a', { revision: 4 }))).toBeUndefined();
    c.add(get('a', { revision: 6 }), resp(6));
    expect(c.get(get('a', { revision: 6 }))).toEqual(resp(6));
  });

  it('a cached answer is only ever for its own revision: a later revision asked is a miss', () => {
    const c = new RangeCache();
    c.add(get('a', { revision: 5 }), resp(5));
    expect(c.get(get('a', { revision: 7 }))).toBeUndefined();
    expect(c.get(get('a'))).toBeUndefined();
  });

  it('forgets the least recently used entry past its size', () => {
    const c = new RangeCache(2);
    c.add(get('a'), resp(1));
    c.add(get('b'), resp(1));
    c.get(get('a'));
    c.add(get('c'), resp(1));
    expect(c.get(get('b'))).toBeUndefined();
    expect(c.get(get('a'))).toBeDefined();
    expect(c.get(get('c'))).toBeDefined();
  });

  it('keys and overlaps', () => {
    expect(cacheKey(get('a'))).toBe(cacheKey({ key: b('a') }));
    expect(cacheKey(get('a'))).not.toBe(cacheKey(get('a', { keys_only: true })));
    const r = (k: string, e?: string) => toKeyRange(b(k), e === undefined ? undefined : b(e));
    expect(overlaps(r('a'), r('a'))).toBe(true);
    expect(overlaps(r('a'), r('b'))).toBe(false);
    expect(overlaps(r('a', 'b'), r('b'))).toBe(false); // the end is excluded
    expect(overlaps(r('a', 'b'), r('a\u0000'))).toBe(true);
  });
});
