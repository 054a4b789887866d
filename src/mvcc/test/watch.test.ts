// Watches: catch-up, live events, filters, prev_kv, cancellation and compaction, as etcd 3.4.23
// streams them through its gateway (POST /v3/watch).
import { describe, expect, it } from 'vitest';
import type { WatchResponse } from '../index';
import { b, kv, newStore } from './util';

const del = (key: string, rev: number) => ({
  type: 'DELETE' as const,
  kv: { key: b(key), create_revision: 0, mod_revision: rev, version: 0, value: b(''), lease: 0 },
});

function collect() {
  const got: WatchResponse[] = [];
  return { got, on: (r: WatchResponse) => got.push(r) };
}

describe('watch', () => {
  it('delivers new events during the write, one response per revision', () => {
    const { store } = newStore();
    const w = collect();
    store.watch({ key: b('a') }, w.on);
    expect(w.got).toEqual([]);
    store.put({ key: b('a'), value: b('1') }); // 2
    expect(w.got).toEqual([
      { header: { revision: 2 }, events: [{ type: 'PUT', kv: kv('a', '1', 2, 2, 1) }] },
    ]);
    store.put({ key: b('b'), value: b('1') }); // 3: not watched
    store.deleteRange({ key: b('a'), range_end: b('c') }); // 4
    expect(w.got).toHaveLength(2);
    expect(w.got[1]).toEqual({ header: { revision: 4 }, events: [del('a', 4)] });
  });

  it('a txn is one response with its events in order', () => {
    const { store } = newStore();
    const w = collect();
    store.watch({ key: b('a'), range_end: b('\0') }, w.on);
    store.txn({
      success: [
        { request_put: { key: b('x'), value: b('1') } },
        { request_put: { key: b('b'), value: b('2') } },
        { request_delete_range: { key: b('nothing') } },
      ],
    });
    expect(w.got).toEqual([
      {
        header: { revision: 2 },
        events: [
          { type: 'PUT', kv: kv('x', '1', 2, 2, 1) },
          { type: 'PUT', kv: kv('b', '2', 2, 2, 1) },
        ],
      },
    ]);
  });

  it('catches up from history during watch(), header = current revision', () => {
    const { store } = newStore();
    store.put({ key: b('a'), value: b('1') }); // 2
    store.put({ key: b('b'), value: b('1') }); // 3
    store.put({ key: b('a'), value: b('2') }); // 4
    store.deleteRange({ key: b('a') }); // 5
    const w = collect();
    store.watch({ key: b('a'), start_revision: 3, prev_kv: true }, w.on);
    expect(w.got).toEqual([
      {
        header: { revision: 5 },
        events: [
          { type: 'PUT', kv: kv('a', '2', 2, 4, 2), prev_kv: kv('a', '1', 2, 2, 1) },
          { ...del('a', 5), prev_kv: kv('a', '2', 2, 4, 2) },
        ],
      },
    ]);
    store.put({ key: b('a'), value: b('3') }); // 6: a create, so no prev_kv
    expect(w.got[1]).toEqual({
      header: { revision: 6 },
      events: [{ type: 'PUT', kv: kv('a', '3', 6, 6, 1) }],
    });
    // nothing to catch up: no response
    const quiet = collect();
    store.watch({ key: b('zzz'), start_revision: 2 }, quiet.on);
    expect(quiet.got).toEqual([]);
  });

  it('a future start revision skips events before it', () => {
    const { store } = newStore();
    const w = collect();
    // etcd: watch a from 50 stays silent through revisions 14 and 15
    store.watch({ key: b('a'), start_revision: 4 }, w.on);
    store.put({ key: b('a'), value: b('1') }); // 2
    store.put({ key: b('a'), value: b('2') }); // 3
    store.put({ key: b('a'), value: b('3') }); // 4
    expect(w.got).toEqual([
      { header: { revision: 4 }, events: [{ type: 'PUT', kv: kv('a', '3', 2, 4, 3) }] },
    ]);
  });

  it('filters NOPUT and NODELETE; a response whose events are all filtered is not sent', () => {
    const { store } = newStore();
    const noPut = collect();
    const noDel = collect();
    store.watch({ key: b('a'), filters: ['NOPUT'] }, noPut.on);
    store.watch({ key: b('a'), filters: ['NODELETE'] }, noDel.on);
    store.put({ key: b('a'), value: b('1') }); // 2
    store.deleteRange({ key: b('a') }); // 3
    expect(noPut.got).toEqual([{ header: { revision: 3 }, events: [del('a', 3)] }]);
    expect(noDel.got).toEqual([
      { header: { revision: 2 }, events: [{ type: 'PUT', kv: kv('a', '1', 2, 2, 1) }] },
    ]);
    const both = collect();
    store.watch({ key: b('a'), start_revision: 2, filters: ['NOPUT', 'NODELETE'] }, both.on);
    store.put({ key: b('a'), value: b('1') });
    expect(both.got).toEqual([]);
  });

  it('cancel stops delivery', () => {
    const { store } = newStore();
    const w = collect();
    const h = store.watch({ key: b('a'), range_end: b('b') }, w.on);
    store.put({ key: b('a'), value: b('1') });
    h.cancel();
    h.cancel();
    store.put({ key: b('a'), value: b('2') });
    expect(w.got).toHaveLength(1);
  });

  it('a compacted start revision cancels the watch with compact_revision', () => {
    const { store } = newStore();
    store.put({ key: b('l1'), value: b('v') }); // 2
    store.put({ key: b('l2'), value: b('v') }); // 3
    store.put({ key: b('l2'), value: b('w') }); // 4
    store.deleteRange({ key: b('l1') }); // 5
    store.compact({ revision: 3 });
    const w = collect();
    // etcd 3.4.23: {"header":{...no revision...},"canceled":true,"compact_revision":"9"}
    store.watch({ key: b('l'), range_end: b('m'), start_revision: 2 }, w.on);
    expect(w.got).toEqual([
      { header: { revision: 0 }, canceled: true, compact_revision: 3, events: [] },
    ]);
    store.put({ key: b('l3'), value: b('v') });
    expect(w.got).toHaveLength(1);
    // from the compacted revision itself: allowed; the kept revision 3 comes first, and prev_kv
    // of events whose previous revision is compacted is left out
    const from = collect();
    store.watch({ key: b('l'), range_end: b('m'), start_revision: 3, prev_kv: true }, from.on);
    expect(from.got).toEqual([
      {
        header: { revision: 6 },
        events: [
          { type: 'PUT', kv: kv('l2', 'v', 3, 3, 1) },
          { type: 'PUT', kv: kv('l2', 'w', 3, 4, 2), prev_kv: kv('l2', 'v', 3, 3, 1) },
          { ...del('l1', 5), prev_kv: kv('l1', 'v', 2, 2, 1) },
          { type: 'PUT', kv: kv('l3', 'v', 6, 6, 1) },
        ],
      },
    ]);
  });

  it('splits a long catch-up into responses of at most 1000 revisions', () => {
    const { store } = newStore();
    for (let i = 0; i < 2500; i++) store.put({ key: b('k'), value: b(String(i)) });
    const w = collect();
    store.watch({ key: b('k'), start_revision: 1 }, w.on);
    expect(w.got.map((r) => r.events.length)).toEqual([1000, 1000, 500]);
    expect(w.got.every((r) => r.header.revision === 2501)).toBe(true);
    expect(w.got[1]?.events[0]?.kv.mod_revision).toBe(1002);
  });

  it('keeps revision order when a callback writes', () => {
    const { store } = newStore();
    const seen: [string, number][] = [];
    store.watch({ key: b('a'), range_end: b('\0') }, (r) => {
      seen.push(['first', r.header.revision]);
      if (r.header.revision === 2) store.put({ key: b('b'), value: b('from callback') });
    });
    store.watch({ key: b('a'), range_end: b('\0') }, (r) =>
      seen.push(['second', r.header.revision]),
    );
    store.put({ key: b('a'), value: b('1') });
    expect(seen).toEqual([
      ['first', 2],
      ['second', 2],
      ['first', 3],
      ['second', 3],
    ]);
  });
});

describe('watch callbacks that throw', () => {
  it('do not cost other watchers their events; the write stands', () => {
    const { store } = newStore();
    const w = collect();
    store.watch({ key: b('a') }, () => {
      throw new Error('boom');
    });
    store.watch({ key: b('a') }, w.on);
    expect(() => store.put({ key: b('a'), value: b('1') })).toThrow('boom');
    expect(w.got).toHaveLength(1);
    expect(store.revision).toBe(2);
  });
});

describe('watch start revisions', () => {
  it('a negative start revision: no catch-up, then live events; canceled once compacted', () => {
    // etcd 3.4.23: start_revision -1 after one put -> only "created"; after compacting at 1 ->
    // {"canceled":true,"compact_revision":"1"} with no header revision
    const { store } = newStore();
    store.put({ key: b('a'), value: b('1') });
    const early = collect();
    store.watch({ key: b('a'), start_revision: -1 }, early.on);
    expect(early.got).toEqual([]);
    store.put({ key: b('a'), value: b('2') });
    expect(early.got.map((r) => r.header.revision)).toEqual([3]);
    store.compact({ revision: 1 });
    const late = collect();
    store.watch({ key: b('a'), start_revision: -1 }, late.on);
    expect(late.got).toEqual([
      { header: { revision: 0 }, canceled: true, compact_revision: 1, events: [] },
    ]);
  });
});
