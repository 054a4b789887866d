// The proxy's rules against members made of real MVCC stores and etcd's watch server (no Raft,
// no time: each call is answered at once, in order). Writes go to every member alike, as if
// applied, so any member can serve any watch.
import { describe, expect, it } from 'vitest';
import { MvccStore } from '../mvcc';
import type { RangeResponse } from '../mvcc/types';
import type { ClientRequest, ClientResponse, WatchStreamResponse } from '../server/requests';
import { WatchServer } from '../server/watch';
import { GrpcProxy, type ProxyOutput } from './grpc-proxy';

const b = (s: string) => new TextEncoder().encode(s);

interface Caller {
  clientId: number;
  requestId: number;
  member: number;
}

/** Members sharing one history, each with its own watch server; calls answered in FIFO order. */
class Harness {
  readonly stores = new Map<number, MvccStore>();
  readonly servers = new Map<number, WatchServer<Caller>>();
  readonly proxy: GrpcProxy;
  /** Every call the proxy made, by member and method. */
  readonly calls: { to: number; method: string }[] = [];
  /** What each client got, by `clientId/requestId`. */
  readonly got = new Map<string, ClientResponse[]>();
  readonly down = new Set<number>();
  private readonly queue: (() => ProxyOutput)[] = [];

  constructor(members: number[]) {
    for (const m of members) {
      this.stores.set(m, new MvccStore());
      this.servers.set(
        m,
        new WatchServer<Caller>((c, body) =>
          this.queue.push(() =>
            this.proxy.upstreamResponse(c.requestId, { ok: true, method: 'watch', body }),
          ),
        ),
      );
    }
    this.proxy = new GrpcProxy(() => members);
  }

  client(clientId: number, requestId: number, request: ClientRequest): void {
    this.run(this.proxy.request(clientId, requestId, request));
  }

  responses(clientId: number, requestId: number): ClientResponse[] {
    return this.got.get(`${clientId}/${requestId}`) ?? [];
  }

  events(clientId: number, requestId: number): number[] {
    return this.responses(clientId, requestId).flatMap((r) =>
      bodyOf<WatchStreamResponse>(r).events.map((e) => e.kv.mod_revision),
    );
  }

  /** A write applied on every member (their watchers hear it), as a committed entry is. */
  applyEverywhere(key: string, value: string): void {
    for (const m of this.stores.keys()) this.applyOn(m, key, value);
  }

  /** A write applied on one member only (the others lag behind it, for now). */
  applyOn(member: number, key: string, value: string): void {
    this.stores.get(member)!.put({ key: b(key), value: b(value) });
    this.drain();
  }

  run(out: ProxyOutput): void {
    for (const r of out.responses) {
      const k = `${r.clientId}/${r.requestId}`;
      this.got.set(k, [...(this.got.get(k) ?? []), r.response]);
    }
    for (const c of out.upstream) {
      this.calls.push({ to: c.to, method: c.request.method });
      this.queue.push(() => this.serve(c.to, c.upId, c.request));
    }
    this.drain();
  }

  private draining = false;
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    while (this.queue.length > 0) this.run(this.queue.shift()!());
    this.draining = false;
  }

  private serve(member: number, upId: number, req: ClientRequest): ProxyOutput {
    if (this.down.has(member)) {
      return this.proxy.upstreamLost(upId, {
        ok: false,
        method: req.method,
        error: { message: `n${member} is down: connection refused`, code: 14 },
      });
    }
    const store = this.stores.get(member)!;
    const caller = { clientId: 900, requestId: upId, member };
    const header = { revision: store.revision };
    const ok = (method: ClientRequest['method'], body: unknown): ProxyOutput =>
      this.proxy.upstreamResponse(upId, { ok: true, method, body } as ClientResponse);
    switch (req.method) {
      case 'range':
        return ok('range', store.range(req.body));
      case 'put':
        this.applyEverywhere(bytes(req.body.key), bytes(req.body.value!));
        return ok('put', { header: { revision: store.revision } });
      case 'watch':
        this.servers.get(member)!.open(caller, req.body, store, header);
        return { upstream: [], responses: [], trace: [] };
      case 'watchCancel':
        this.servers.get(member)!.cancel(caller, req.body.watch_id, header);
        return { upstream: [], responses: [], trace: [] };
      default:
        throw new Error(`the harness does not serve ${req.method}`);
    }
  }
}

const bytes = (u: Uint8Array) => new TextDecoder().decode(u);
/** The body of a successful answer (the test fails on an error). */
function bodyOf<T>(r: ClientResponse): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.body as T;
}
const watchAll = (start_revision?: number): ClientRequest => ({
  method: 'watch',
  body: { key: b('k'), range_end: b('l'), ...(start_revision ? { start_revision } : {}) },
});
const sget = (key: string): ClientRequest => ({
  method: 'range',
  body: { key: b(key), serializable: true },
});

describe('GrpcProxy: the range cache', () => {
  it('serves repeated serializable gets from its cache; a put through it invalidates', () => {
    const h = new Harness([1, 2, 3]);
    h.client(1, 1, { method: 'put', body: { key: b('a'), value: b('1') } });
    for (let i = 2; i <= 5; i++) h.client(1, i, sget('a'));
    expect(h.proxy.stats()).toMatchObject({ hits: 3, misses: 1 });
    expect(h.calls.filter((c) => c.method === 'range')).toHaveLength(1);
    h.client(1, 6, { method: 'put', body: { key: b('a'), value: b('2') } });
    h.client(1, 7, sget('a'));
    const r = h.responses(1, 7)[0]!;
    expect(bytes(bodyOf<RangeResponse>(r).kvs[0]!.value)).toBe('2');
    expect(h.proxy.stats()).toMatchObject({ hits: 3, misses: 2 });
  });

  it('forwards linearizable gets every time, caching their answer for serializable ones', () => {
    const h = new Harness([1, 2, 3]);
    h.client(1, 1, { method: 'put', body: { key: b('a'), value: b('1') } });
    h.client(1, 2, { method: 'range', body: { key: b('a') } });
    h.client(1, 3, { method: 'range', body: { key: b('a') } });
    h.client(1, 4, sget('a'));
    expect(h.calls.filter((c) => c.method === 'range')).toHaveLength(2);
    expect(h.proxy.stats()).toMatchObject({ hits: 1, misses: 0 });
  });

  it('spreads forwarded calls over the members, and skips a member that refuses', () => {
    const h = new Harness([1, 2, 3]);
    h.down.add(2);
    for (let i = 1; i <= 4; i++) h.client(1, i, { method: 'range', body: { key: b('x') } });
    const ranges = h.calls.filter((c) => c.method === 'range').map((c) => c.to);
    expect(ranges).toEqual([1, 2, 3, 1, 2, 3]);
    for (let i = 1; i <= 4; i++) expect(h.responses(1, i)[0]!.ok).toBe(true);
  });
});

describe('GrpcProxy: watch coalescing', () => {
  it('N watchers on one range end up on one upstream watch, and each sees every event', () => {
    const h = new Harness([1, 2, 3]);
    h.applyEverywhere('k0', 'x');
    for (let c = 1; c <= 8; c++) h.client(100 + c, 1, watchAll());
    expect(h.proxy.stats()).toMatchObject({ watchers: 8, upstreamWatches: 1 });
    for (let i = 1; i <= 5; i++) h.applyEverywhere(`k${i}`, 'v');
    for (let c = 1; c <= 8; c++) {
      expect(h.responses(100 + c, 1)[0]).toMatchObject({ body: { created: true, watch_id: 0 } });
      expect(h.events(100 + c, 1)).toEqual([3, 4, 5, 6, 7]);
    }
    // the members sent each event once, on one stream, however many watchers
    expect(h.calls.filter((c) => c.method === 'watch').length).toBe(8);
    expect(h.calls.filter((c) => c.method === 'watchCancel').length).toBe(7);
  });

  it('a late joiner from an old revision gets its own catch-up, then shares the stream', () => {
    const h = new Harness([1, 2]);
    h.client(1, 1, watchAll());
    for (let i = 1; i <= 4; i++) h.applyEverywhere(`k${i}`, 'v'); // revisions 2..5
    h.client(2, 1, watchAll(3));
    expect(h.events(2, 1)).toEqual([3, 4, 5]); // the catch-up, from its own upstream watch
    expect(h.proxy.stats()).toMatchObject({ watchers: 2, upstreamWatches: 1 }); // coalesced
    h.applyEverywhere('k9', 'v');
    expect(h.events(1, 1)).toEqual([2, 3, 4, 5, 6]);
    expect(h.events(2, 1)).toEqual([3, 4, 5, 6]); // no event twice, none missed
  });

  it('a watcher handed over to a broadcast that lags behind sees no event twice', () => {
    const h = new Harness([1, 2]);
    h.client(1, 1, watchAll()); // served by member 1
    h.applyEverywhere('k1', 'v'); // revision 2
    h.applyOn(2, 'k2', 'v'); // revision 3, on member 2 only: member 1 lags
    h.client(2, 1, watchAll(2)); // its own upstream watch, on member 2: catch-up 2..3
    expect(h.events(2, 1)).toEqual([2, 3]);
    // caught up past the shared broadcast (next revision 3): handed over to it
    expect(h.proxy.stats()).toMatchObject({ watchers: 2, upstreamWatches: 1 });
    h.applyOn(1, 'k2', 'v'); // member 1 catches up: revision 3 reaches the shared broadcast
    h.applyEverywhere('k3', 'v'); // revision 4
    expect(h.events(1, 1)).toEqual([2, 3, 4]);
    expect(h.events(2, 1)).toEqual([2, 3, 4]);
  });

  it('cancelling the last watcher cancels the upstream watch; others keep theirs', () => {
    const h = new Harness([1]);
    h.client(1, 1, watchAll());
    h.client(2, 1, watchAll());
    h.client(1, 2, { method: 'watchCancel', body: { watch_id: 0 } });
    expect(h.responses(1, 1).at(-1)).toMatchObject({ body: { canceled: true } });
    expect(h.responses(1, 2)[0]).toMatchObject({ method: 'watchCancel', body: { canceled: true } });
    const cancels = () => h.calls.filter((c) => c.method === 'watchCancel').length;
    const before = cancels();
    expect(h.proxy.stats()).toMatchObject({ watchers: 1, upstreamWatches: 1 });
    h.client(2, 2, { method: 'watchCancel', body: { watch_id: 0 } });
    expect(cancels()).toBe(before + 1);
    expect(h.proxy.stats()).toMatchObject({ watchers: 0, upstreamWatches: 0 });
    expect(h.servers.get(1)!.size).toBe(0); // the member serves no watch any more
  });

  it('a member going down moves its watch stream to another member from where it was', () => {
    const h = new Harness([1, 2]);
    h.client(1, 1, watchAll());
    h.applyEverywhere('k1', 'v');
    const first = h.calls.find((c) => c.method === 'watch')!.to;
    h.down.add(first);
    h.run(h.proxy.memberDown(first));
    h.applyEverywhere('k2', 'v');
    expect(h.events(1, 1)).toEqual([2, 3]);
    // one created response only: the move is the proxy's business
    expect(h.responses(1, 1).filter((r) => bodyOf<WatchStreamResponse>(r).created)).toHaveLength(1);
  });
});
