// Watch coalescing with time in it: the proxy's calls to members and the members' answers travel
// FIFO channels that fast-check delivers in any interleaving, and members apply a shared log of
// writes each at its own pace (so a stream may be served by a member behind or ahead of another).
// What must hold whatever the timing: every watcher sees exactly the events of its range after
// its start, in order, none twice and none missed, across every hand-over; once quiet, each key
// range has one upstream stream, unless etcd's rule keeps more (each then has five watchers or
// more: maxCoalesceReceivers); and watchers that arrive one at a time, as a storm's clients come
// over time, always end on one stream per key range.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MvccStore } from '../mvcc';
import type { WatchRequest } from '../mvcc/types';
import type { ClientRequest, WatchStreamResponse } from '../server/requests';
import { WatchServer } from '../server/watch';
import { GrpcProxy, type ProxyOutput } from './grpc-proxy';
import { MAX_COALESCE_RECEIVERS } from './watch-broadcasts';

const utf8 = new TextEncoder();
const b = (s: string) => utf8.encode(s);
const MEMBERS = [1, 2, 3];
/** The watched key ranges: two single keys and a prefix. */
const RANGES: { key: string; end?: string }[] = [
  { key: 'a' },
  { key: 'b' },
  { key: 'c', end: 'd' },
];
/** What the writes touch: every range, and a key no one watches. */
const WRITE_KEYS = ['a', 'b', 'c1', 'c2', 'z'];

const inRange = (r: { key: string; end?: string }, k: string) =>
  r.end === undefined ? k === r.key : k >= r.key && k < r.end;

interface Watcher {
  clientId: number;
  range: number;
  /** 0: from now. */
  start: number;
}

interface Caller {
  clientId: number;
  requestId: number;
}

class Cluster {
  readonly proxy = new GrpcProxy(() => MEMBERS);
  readonly stores = new Map(MEMBERS.map((m) => [m, new MvccStore()]));
  readonly servers = new Map<number, WatchServer<Caller>>();
  /** The committed writes; entry i is revision i + 2 on every member (a store starts at 1). */
  readonly log: string[] = [];
  readonly applied = new Map(MEMBERS.map((m) => [m, 0]));
  /** FIFO channels, proxy to member and member to proxy. */
  readonly toMember = new Map<number, (() => void)[]>(MEMBERS.map((m) => [m, []]));
  readonly toProxy = new Map<number, (() => void)[]>(MEMBERS.map((m) => [m, []]));
  readonly watchers: Watcher[] = [];
  readonly got = new Map<number, WatchStreamResponse[]>();

  constructor() {
    for (const m of MEMBERS) {
      const server = new WatchServer<Caller>((c, body) =>
        this.toProxy
          .get(m)!
          .push(() =>
            this.absorb(
              this.proxy.upstreamResponse(c.requestId, { ok: true, method: 'watch', body }),
            ),
          ),
      );
      this.servers.set(m, server);
    }
  }

  watch(range: number, start: number): void {
    const clientId = 100 + this.watchers.length;
    this.watchers.push({ clientId, range, start });
    const r = RANGES[range]!;
    const body: WatchRequest = { key: b(r.key) };
    if (r.end) body.range_end = b(r.end);
    if (start > 0) body.start_revision = start;
    this.absorb(this.proxy.request(clientId, 1, { method: 'watch', body }));
  }

  write(key: string): void {
    this.log.push(key);
  }

  /** Member `m` applies its next committed write, if any (its watchers hear of it). */
  apply(m: number): void {
    const i = this.applied.get(m)!;
    if (i >= this.log.length) return;
    this.applied.set(m, i + 1);
    this.stores.get(m)!.put({ key: b(this.log[i]!), value: b(`v${i}`) });
  }

  /** Delivers the head of channel `c` (0-2: to members 1-3, 3-5: from them), if any. */
  deliver(c: number): void {
    const m = MEMBERS[c % 3]!;
    const q = (c < 3 ? this.toMember : this.toProxy).get(m)!;
    q.shift()?.();
  }

  /** Delivers every message in flight, members' applies left as they are. */
  flush(): void {
    for (let moved = true; moved;) {
      moved = false;
      for (let c = 0; c < 6; c++) {
        const q = (c < 3 ? this.toMember : this.toProxy).get(MEMBERS[c % 3]!)!;
        if (q.length > 0) {
          this.deliver(c);
          moved = true;
        }
      }
    }
  }

  /** Every member applies every write and every message arrives: quiet. */
  settle(): void {
    do {
      for (const m of MEMBERS) while (this.applied.get(m)! < this.log.length) this.apply(m);
      this.flush();
    } while ([...this.toProxy.values(), ...this.toMember.values()].some((q) => q.length > 0));
  }

  private absorb(out: ProxyOutput): void {
    for (const r of out.responses) {
      if (!r.response.ok || r.response.method !== 'watch') continue;
      this.got.set(r.clientId, [
        ...(this.got.get(r.clientId) ?? []),
        r.response.body as WatchStreamResponse,
      ]);
    }
    for (const call of out.upstream) this.toMember.get(call.to)!.push(() => this.serve(call));
  }

  private serve(call: { to: number; upId: number; request: ClientRequest }): void {
    const store = this.stores.get(call.to)!;
    const server = this.servers.get(call.to)!;
    const caller = { clientId: 900, requestId: call.upId };
    const header = { revision: store.revision };
    if (call.request.method === 'watch') server.open(caller, call.request.body, store, header);
    else if (call.request.method === 'watchCancel')
      server.cancel(caller, call.request.body.watch_id, header);
  }

  /** Each watcher's events, checked against the log: exactly those of its range after its start. */
  checkWatchers(): void {
    for (const w of this.watchers) {
      const rs = this.got.get(w.clientId) ?? [];
      expect(rs[0]?.created, `watcher ${w.clientId} was created first`).toBe(true);
      // from now: after the revision its created response names; else from its start revision
      const from = w.start > 0 ? w.start : rs[0]!.header.revision + 1;
      const want = this.log
        .map((key, i) => ({ key, rev: i + 2 }))
        .filter((e) => e.rev >= from && inRange(RANGES[w.range]!, e.key));
      const seen = rs.flatMap((r) =>
        r.events.map((e) => ({ key: new TextDecoder().decode(e.kv.key), rev: e.kv.mod_revision })),
      );
      expect(seen, `watcher ${w.clientId} on range ${w.range} from ${from}`).toEqual(want);
    }
  }

  /** Watched ranges, and upstream streams with their watchers grouped by range. */
  shape(): { ranges: number; streams: number[][] } {
    const by = new Map<string, number[]>();
    for (const s of this.proxy.watchStreams())
      by.set(s.range, [...(by.get(s.range) ?? []), s.watchers]);
    return { ranges: this.proxy.stats().watchRanges, streams: [...by.values()] };
  }

  /** A write on every range, then quiet: every stream has answered since the last arrival. */
  finish(): void {
    this.settle();
    for (const r of RANGES) this.write(r.end ? `${r.key}0` : r.key);
    this.settle();
  }
}

type Step =
  | { t: 'watch'; range: number; back: number; now: boolean }
  | { t: 'write'; key: number }
  | { t: 'apply'; member: number }
  | { t: 'deliver'; chan: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    t: fc.constant('watch' as const),
    range: fc.nat(RANGES.length - 1),
    back: fc.nat(4),
    now: fc.boolean(),
  }),
  fc.record({ t: fc.constant('write' as const), key: fc.nat(WRITE_KEYS.length - 1) }),
  fc.record({ t: fc.constant('apply' as const), member: fc.nat(2) }),
  fc.record({ t: fc.constant('deliver' as const), chan: fc.nat(5) }),
  fc.record({ t: fc.constant('deliver' as const), chan: fc.nat(5) }),
);

function run(c: Cluster, s: Step): void {
  switch (s.t) {
    case 'watch':
      // from now, or from a revision at most `back` before the next one committed
      return c.watch(s.range, s.now ? 0 : Math.max(1, c.log.length + 2 - s.back));
    case 'write':
      return c.write(WRITE_KEYS[s.key]!);
    case 'apply':
      return c.apply(MEMBERS[s.member]!);
    case 'deliver':
      return c.deliver(s.chan);
  }
}

describe('watch coalescing, with the timing drawn by fast-check', () => {
  it('no watcher misses or repeats an event; a range keeps two streams only as etcd would', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        const c = new Cluster();
        for (const s of steps) run(c, s);
        c.finish();
        c.checkWatchers();
        const { ranges, streams } = c.shape();
        expect(streams.length).toBe(ranges);
        for (const list of streams) {
          // more than one stream on a range: none of them may be moved (maxCoalesceReceivers)
          if (list.length > 1)
            for (const n of list) expect(n).toBeGreaterThanOrEqual(MAX_COALESCE_RECEIVERS);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('watchers arriving one at a time, among writes and lagging members, share one stream per range', () => {
    const arrivals = fc.array(
      fc.record({
        range: fc.nat(RANGES.length - 1),
        // what happens before the watcher comes: writes, and members applying them unevenly
        before: fc.array(fc.oneof(step.filter((s) => s.t !== 'watch')), { maxLength: 6 }),
      }),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(arrivals, (list) => {
        const c = new Cluster();
        for (const a of list) {
          for (const s of a.before) run(c, s);
          c.flush(); // no stream is still being created when a watcher comes
          c.watch(a.range, 0);
        }
        c.finish();
        c.checkWatchers();
        const { ranges, streams } = c.shape();
        expect(ranges).toBe(new Set(list.map((a) => a.range)).size);
        expect(streams.map((l) => l.length)).toEqual(streams.map(() => 1));
        expect(c.proxy.stats()).toMatchObject({ watchers: list.length, upstreamWatches: ranges });
      }),
      { numRuns: 200 },
    );
  });

  it('40 watchers on three key ranges, coming one by one among writes, end on three streams', () => {
    const c = new Cluster();
    for (let k = 0; k < 40; k++) {
      c.write(WRITE_KEYS[k % WRITE_KEYS.length]!);
      c.apply(MEMBERS[k % 3]!); // members apply unevenly: some streams open on a lagging member
      c.flush();
      c.watch(k % RANGES.length, 0);
    }
    c.finish();
    c.checkWatchers();
    expect(c.proxy.stats()).toMatchObject({ watchers: 40, watchRanges: 3, upstreamWatches: 3 });
  });

  it('five watchers coming while each of two streams is created keep both (etcd too)', () => {
    const c = new Cluster();
    const burst = () => {
      for (let k = 0; k < MAX_COALESCE_RECEIVERS; k++) c.watch(0, 0); // all join one new stream
      c.flush(); // ...which is created
    };
    burst();
    burst(); // from now, they may not join the first stream: a second one, as big
    c.finish();
    c.checkWatchers();
    expect(c.shape().streams).toEqual([[MAX_COALESCE_RECEIVERS, MAX_COALESCE_RECEIVERS]]);
    // one more, later, is handed over to one of them: still two, never more
    c.watch(0, 0);
    c.finish();
    c.checkWatchers();
    expect(c.proxy.stats()).toMatchObject({ watchers: 11, upstreamWatches: 2 });
  });

  it('a watcher joining a stream before its catch-up drops the events before its own start', () => {
    // fast-check's find: a second watcher from a later revision joins a stream not yet answered
    const c = new Cluster();
    c.watch(1, 2);
    c.write('b'); // revision 2
    c.watch(1, 3);
    c.write('a'); // revision 3
    c.finish();
    c.checkWatchers();
    const revs = (id: number) =>
      c.got.get(id)!.flatMap((r) => r.events.map((e) => e.kv.mod_revision));
    expect(revs(100)).toEqual([2, 5]); // 5: finish's write to "b"
    expect(revs(101)).toEqual([5]); // not 2: the shared catch-up's event before its start
    expect(c.proxy.stats()).toMatchObject({ watchers: 2, upstreamWatches: 1 });
  });

  it('a small burst is handed over whole: one stream', () => {
    const c = new Cluster();
    c.watch(0, 0);
    c.flush();
    for (let k = 0; k < MAX_COALESCE_RECEIVERS - 1; k++) c.watch(0, 0);
    c.finish();
    c.checkWatchers();
    expect(c.shape().streams).toEqual([[MAX_COALESCE_RECEIVERS]]);
  });
});
