// Property: what a watcher sees from revision r is exactly the store's history from r. The history
// is read through range() alone (the keys whose mod_revision is r, and the keys gone since r - 1),
// so the oracle shares no code with the watchable store. Watchers start at random places (now,
// an old revision, a future one), over a key or a range, with or without prev_kv; compaction,
// cancellation and a restore that hands the watchers to a new store happen in between.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MvccStore } from '../index';
import type { KeyValue, WatchResponse } from '../index';
import { b, kv, newStore, str } from './util';

type Op =
  | { t: 'put'; key: string; value: string }
  | { t: 'del'; key: string; end: string | undefined }
  | { t: 'txn'; keys: string[]; value: string }
  | { t: 'compact'; back: number }
  | { t: 'watch'; key: string; end: string | undefined; start: number; prevKv: boolean }
  | { t: 'cancel'; which: number }
  | { t: 'restore' };

const KEYS = ['a', 'b', 'c', 'd'];
const keyArb = fc.constantFrom(...KEYS);
const endArb = fc.constantFrom<string | undefined>(undefined, undefined, 'c', '\0');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('put' as const),
      key: keyArb,
      value: fc.constantFrom('1', '2', ''),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('del' as const), key: keyArb, end: endArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('txn' as const),
      keys: fc.uniqueArray(keyArb, { minLength: 1, maxLength: 3 }),
      value: fc.constantFrom('x', 'y'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('compact' as const), back: fc.nat(6) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('watch' as const),
      key: keyArb,
      end: endArb,
      // 0: from now on; 1..: that many revisions back; -1: a future revision
      start: fc.integer({ min: -1, max: 8 }),
      prevKv: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cancel' as const), which: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restore' as const) }) },
);

/** One change of the store's history, as read back through range(). */
interface Change {
  rev: number;
  key: string;
  kv: KeyValue | undefined;
  prev: KeyValue | undefined;
}

interface Watch {
  key: string;
  end: string | undefined;
  /** The first revision owed. */
  from: number;
  prevKv: boolean;
  /** The compacted revision when created (a watch below it is cancelled). */
  compactedAtStart: number;
  got: { resp: WatchResponse; compactRev: number }[];
  /** The last revision the watch may have seen: its cancel's, or the end. */
  until: number;
  cancel: () => void;
}

const inRange = (k: string, key: string, end: string | undefined): boolean =>
  end === undefined ? k === key : end === '\0' ? k >= key : k >= key && k < end;

function all(store: MvccStore): Map<string, KeyValue> {
  const kvs = store.range({ key: b('\0'), range_end: b('\0') }).kvs;
  return new Map(kvs.map((x) => [str(x.key), x]));
}

function run(ops: readonly Op[]): void {
  let { store } = newStore();
  const history: Change[] = [];
  let before = all(store);
  let lastRev = store.revision;
  /** Appends what the last operation changed, read back through range(). */
  const record = (): void => {
    const rev = store.revision;
    if (rev === lastRev) return;
    lastRev = rev;
    const now = all(store);
    const changed: Change[] = [];
    for (const [k, x] of now)
      if (x.mod_revision === rev) changed.push({ rev, key: k, kv: x, prev: before.get(k) });
    for (const [k, x] of before)
      if (!now.has(k)) changed.push({ rev, key: k, kv: undefined, prev: x });
    history.push(...changed.sort((p, q) => (p.key < q.key ? -1 : 1)));
    before = now;
  };
  const watches: Watch[] = [];
  for (const op of ops) {
    switch (op.t) {
      case 'put':
        store.put({ key: b(op.key), value: b(op.value) });
        break;
      case 'del':
        store.deleteRange(
          op.end === undefined ? { key: b(op.key) } : { key: b(op.key), range_end: b(op.end) },
        );
        break;
      case 'txn':
        store.txn({
          success: op.keys.map((k) => ({ request_put: { key: b(k), value: b(op.value) } })),
        });
        break;
      case 'compact': {
        const rev = store.revision - op.back;
        if (rev > store.compactRevision && rev >= 1) store.compact({ revision: rev });
        break;
      }
      case 'watch': {
        const cur = store.revision;
        const start = op.start === 0 ? 0 : op.start === -1 ? cur + 2 : Math.max(1, cur - op.start);
        const w: Watch = {
          key: op.key,
          end: op.end,
          from: start === 0 ? cur + 1 : start,
          prevKv: op.prevKv,
          compactedAtStart: store.compactRevision,
          got: [],
          until: Infinity,
          cancel: () => undefined,
        };
        const s = store;
        w.cancel = s.watch(
          {
            key: b(op.key),
            ...(op.end === undefined ? {} : { range_end: b(op.end) }),
            start_revision: start,
            prev_kv: op.prevKv,
          },
          (resp) => w.got.push({ resp, compactRev: s.compactRevision }),
        ).cancel;
        watches.push(w);
        break;
      }
      case 'cancel': {
        const w = watches[op.which % Math.max(1, watches.length)];
        if (w && w.until === Infinity) {
          w.cancel();
          w.until = store.revision;
        }
        break;
      }
      case 'restore': {
        // a member applying a snapshot: a new store from the bytes takes over every watcher
        const next = MvccStore.restore(store.snapshot());
        next.adoptWatchers(store);
        store = next;
        break;
      }
    }
    record();
  }
  for (const w of watches) check(w, history, store.revision);
}

function check(w: Watch, history: readonly Change[], last: number): void {
  if (w.from < w.compactedAtStart) {
    expect(w.got.map((g) => g.resp)).toEqual([
      { header: { revision: 0 }, canceled: true, compact_revision: w.compactedAtStart, events: [] },
    ]);
    return;
  }
  const until = Math.min(w.until, last);
  const want = history.filter(
    (c) => c.rev >= w.from && c.rev <= until && inRange(c.key, w.key, w.end),
  );
  const seen = w.got.flatMap((g) =>
    g.resp.events.map((e) => ({ e, header: g.resp.header.revision, compactRev: g.compactRev })),
  );
  // events in revision order, each revision's as a set (a txn's order is its own)
  const norm = (xs: { rev: number; key: string; type: string }[]) =>
    xs.sort((p, q) => p.rev - q.rev || (p.key < q.key ? -1 : p.key > q.key ? 1 : 0));
  expect(
    norm(seen.map(({ e }) => ({ rev: e.kv.mod_revision, key: str(e.kv.key), type: e.type }))),
  ).toEqual(norm(want.map((c) => ({ rev: c.rev, key: c.key, type: c.kv ? 'PUT' : 'DELETE' }))));
  for (const { e, header, compactRev } of seen) {
    const c = want.find((x) => x.rev === e.kv.mod_revision && x.key === str(e.kv.key))!;
    expect(header).toBeGreaterThanOrEqual(c.rev);
    if (c.kv) expect(e.kv).toEqual(c.kv);
    else expect(e.kv).toEqual({ ...kv(c.key, '', 0, c.rev, 0) });
    // prev_kv: the key's kv before this revision, unless that revision was compacted by then
    const wantPrev = w.prevKv && c.prev && c.rev - 1 >= compactRev ? c.prev : undefined;
    expect(e.prev_kv).toEqual(wantPrev);
  }
}

describe('a watcher from revision r sees the store history from r', () => {
  it('holds for random writes, watches, compactions, cancels and restores', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => run(ops)),
      { numRuns: 500 },
    );
  });
});

describe('adopting watchers (a member applies a snapshot)', () => {
  it('catches each watcher up from the revision it was owed', () => {
    const { store: lagging } = newStore();
    const { store: leader } = newStore();
    const got: WatchResponse[] = [];
    lagging.watch({ key: b('k'), prev_kv: true }, (r) => got.push(r));
    for (const v of ['1', '2', '3']) leader.put({ key: b('k'), value: b(v) });
    const next = MvccStore.restore(leader.snapshot());
    next.adoptWatchers(lagging);
    expect(got).toEqual([
      {
        header: { revision: 4 },
        events: [
          { type: 'PUT', kv: kv('k', '1', 2, 2, 1) },
          { type: 'PUT', kv: kv('k', '2', 2, 3, 2), prev_kv: kv('k', '1', 2, 2, 1) },
          { type: 'PUT', kv: kv('k', '3', 2, 4, 3), prev_kv: kv('k', '2', 2, 3, 2) },
        ],
      },
    ]);
    expect(next.watcherCounts).toEqual([1, 0]);
    expect(lagging.watcherCounts).toEqual([0, 0]);
    next.put({ key: b('k'), value: b('4') });
    expect(got.map((r) => r.header.revision)).toEqual([4, 5]);
  });

  it('cancels a watcher owed a revision the snapshot has compacted', () => {
    const { store: lagging } = newStore();
    const { store: leader } = newStore();
    const got: WatchResponse[] = [];
    lagging.watch({ key: b('k') }, (r) => got.push(r));
    for (const v of ['1', '2', '3']) leader.put({ key: b('k'), value: b(v) });
    leader.compact({ revision: 3 });
    MvccStore.restore(leader.snapshot()).adoptWatchers(lagging);
    expect(got).toEqual([
      { header: { revision: 0 }, canceled: true, compact_revision: 3, events: [] },
    ]);
  });
});
