// The proxy itself (etcd's grpcproxy: kv.go, watch.go), as a pure reactive object like a member:
// it is handed a client's call or a member's answer and says what to send where. It caches
// serializable ranges (cache.ts), coalesces watches (watch-broadcasts.ts) and forwards everything
// else to a member, round robin, moving to the next member when one refuses the connection (as
// clientv3's balancer does). No clock and no network here: src/sim/proxy-node.ts runs it inside
// the simulation.
import { EtcdError } from '../mvcc/errors';
import type {
  DeleteRangeRequest,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  WatchRequest,
} from '../mvcc/types';
import type { ClientRequest, ClientResponse, WatchStreamResponse } from '../server/requests';
import { traceKey } from '../server/requests';
import { RangeCache } from './cache';
import { WatchBroadcasts, type ClientWatcher } from './watch-broadcasts';

/** A call the proxy makes to a member, answered by `upstreamResponse` with the same `upId`. */
export interface UpstreamCall {
  to: number;
  upId: number;
  request: ClientRequest;
}

export interface ProxyOutput {
  upstream: UpstreamCall[];
  responses: { clientId: number; requestId: number; response: ClientResponse }[];
  trace: Record<string, unknown>[];
}

export interface ProxyStats {
  /** Serializable ranges answered from the cache (or refused as compacted, as etcd counts). */
  hits: number;
  misses: number;
  cacheEntries: number;
  /** Client watchers, the distinct key ranges they watch, and the upstream streams serving them. */
  watchers: number;
  watchRanges: number;
  upstreamWatches: number;
}

interface Forwarded {
  clientId: number;
  requestId: number;
  request: ClientRequest;
  to: number;
  /** Members tried so far, this one included. */
  tries: number;
}

export class GrpcProxy {
  private readonly cache = new RangeCache();
  private readonly watches: WatchBroadcasts;
  private readonly calls = new Map<number, Forwarded>();
  /** Upstream watch calls, by upId (their answers go to the broadcasts). */
  private readonly watchCalls = new Set<number>();
  /** Which member each upstream call went to (a member going down fails them). */
  private readonly callMember = new Map<number, number>();
  private readonly nextWatchId = new Map<number, number>();
  private nextUpId = 1;
  private rr = 0;
  private hits = 0;
  private misses = 0;
  private out: ProxyOutput = emptyOutput();
  /** The watcher counts last put in the trace. */
  private shown = { watchers: 0, ranges: 0, upstream: 0 };

  /** `endpoints` are the members the proxy may call, in order (its --endpoints). */
  constructor(private readonly endpoints: () => readonly number[]) {
    this.watches = new WatchBroadcasts({
      openUpstream: (request, avoid) => {
        const upId = this.call({ method: 'watch', body: request }, avoid);
        this.watchCalls.add(upId);
        return { member: this.callMember.get(upId)!, upId };
      },
      cancelUpstream: (member, watchId) => {
        const upId = this.nextUpId++;
        this.out.upstream.push({ to: member, upId, request: cancelRequest(watchId) });
      },
      coalesced: (key, rangeEnd, moved) =>
        this.trace({
          kind: 'proxy-coalesce',
          key: traceKey(key),
          ...(rangeEnd ? { rangeEnd: traceKey(rangeEnd) } : {}),
          moved,
        }),
      toClient: (w, body) =>
        this.out.responses.push({
          clientId: w.clientId,
          requestId: w.requestId,
          response: { ok: true, method: 'watch', body },
        }),
    });
  }

  stats(): ProxyStats {
    return {
      hits: this.hits,
      misses: this.misses,
      cacheEntries: this.cache.size,
      watchers: this.watches.watchers,
      watchRanges: this.watches.ranges,
      upstreamWatches: this.watches.upstream,
    };
  }

  /** Each upstream watch stream's key range and watchers (tests and inspection; no side effect). */
  watchStreams(): { range: string; watchers: number }[] {
    return this.watches.streams();
  }

  // ---- inputs ----

  /** A client's call. */
  request(clientId: number, requestId: number, request: ClientRequest): ProxyOutput {
    try {
      this.dispatch(clientId, requestId, request);
    } catch (err) {
      if (!(err instanceof EtcdError)) throw err;
      this.answer(clientId, requestId, {
        ok: false,
        method: request.method,
        error: { message: err.message, code: err.code },
      });
    }
    return this.flush();
  }

  /** A member's answer to upstream call `upId`. */
  upstreamResponse(upId: number, response: ClientResponse): ProxyOutput {
    if (this.watchCalls.has(upId)) {
      const body = response.ok ? (response.body as WatchStreamResponse) : undefined;
      if (!body) this.watches.upstreamFailed(upId);
      else {
        if (body.canceled) {
          this.watchCalls.delete(upId);
          this.callMember.delete(upId);
        }
        this.watches.upstreamResponse(upId, body);
      }
      return this.flush();
    }
    const f = this.calls.get(upId);
    this.calls.delete(upId);
    this.callMember.delete(upId);
    if (f) this.forwarded(f, response);
    return this.flush();
  }

  /** Upstream call `upId` never reached its member (it was down): try the next one. */
  upstreamLost(upId: number, response: ClientResponse): ProxyOutput {
    const member = this.callMember.get(upId);
    this.callMember.delete(upId);
    if (this.watchCalls.has(upId)) {
      this.watchCalls.delete(upId);
      this.watches.upstreamFailed(upId);
      return this.flush();
    }
    const f = this.calls.get(upId);
    this.calls.delete(upId);
    if (!f) return this.flush();
    if (f.tries >= this.endpoints().length) this.forwarded(f, response);
    else this.forward(f.clientId, f.requestId, f.request, f.tries, member);
    return this.flush();
  }

  /**
   * Member `member` went down: its watch streams resume on another member, and calls it had not
   * answered go to the next member (the connection broke: clientv3 retries them elsewhere).
   */
  memberDown(member: number): ProxyOutput {
    for (const [upId, m] of [...this.callMember]) {
      if (m !== member) continue;
      this.callMember.delete(upId);
      this.watchCalls.delete(upId);
      const f = this.calls.get(upId);
      this.calls.delete(upId);
      if (f) this.forward(f.clientId, f.requestId, f.request, f.tries, member);
    }
    this.watches.memberDown(member);
    return this.flush();
  }

  // ---- client calls ----

  private dispatch(clientId: number, requestId: number, req: ClientRequest): void {
    switch (req.method) {
      case 'range':
        if (req.body.serializable) return this.serializableRange(clientId, requestId, req.body);
        return this.forward(clientId, requestId, req);
      case 'put':
        this.cache.invalidate(req.body.key);
        return this.forward(clientId, requestId, req);
      case 'deleteRange':
        this.invalidateDelete(req.body);
        return this.forward(clientId, requestId, req);
      case 'txn':
        this.invalidateTxn(req.body);
        return this.forward(clientId, requestId, req);
      case 'watch':
        return this.watch(clientId, requestId, req.body);
      case 'watchCancel':
        return this.watchCancel(clientId, requestId, req.body.watch_id);
      default:
        return this.forward(clientId, requestId, req);
    }
  }

  private serializableRange(clientId: number, requestId: number, body: RangeRequest): void {
    let cached: RangeResponse | undefined;
    try {
      cached = this.cache.get(body);
    } catch (err) {
      this.hits++; // etcd counts a compacted refusal as a hit: the cache answered
      this.trace({ kind: 'proxy-cache', clientId, requestId, hit: true, compacted: true });
      throw err;
    }
    if (cached) {
      this.hits++;
      this.trace({ kind: 'proxy-cache', clientId, requestId, hit: true, ...this.counts() });
      return this.answer(clientId, requestId, { ok: true, method: 'range', body: cached });
    }
    this.misses++;
    this.trace({ kind: 'proxy-cache', clientId, requestId, hit: false, ...this.counts() });
    this.forward(clientId, requestId, { method: 'range', body });
  }

  private counts(): { hits: number; misses: number } {
    return { hits: this.hits, misses: this.misses };
  }

  private watch(clientId: number, requestId: number, body: WatchRequest): void {
    const watchId = this.nextWatchId.get(clientId) ?? 0;
    this.nextWatchId.set(clientId, watchId + 1);
    const w: ClientWatcher = {
      clientId,
      requestId,
      watchId,
      nextRev: body.start_revision ?? 0,
      prevKv: body.prev_kv === true,
      filters: body.filters ?? [],
    };
    this.watches.add(w, body);
  }

  private watchCancel(clientId: number, requestId: number, watchId: number): void {
    const w = this.watches.find(clientId, watchId);
    const body: WatchStreamResponse = {
      header: { revision: w?.nextRev ? w.nextRev - 1 : 0 },
      watch_id: watchId,
      canceled: true,
      events: [],
    };
    if (w) {
      this.watches.delete(w);
      this.answer(clientId, w.requestId, { ok: true, method: 'watch', body });
    }
    this.answer(clientId, requestId, { ok: true, method: 'watchCancel', body });
  }

  // ---- forwarding ----

  /** Sends a call to the next member (round robin); returns its upstream id. */
  private call(request: ClientRequest, avoid?: number): number {
    const eps = this.endpoints();
    if (eps.length === 0) throw new EtcdError('etcdserver: the proxy has no endpoints', 14);
    let to = eps[this.rr++ % eps.length]!;
    if (to === avoid && eps.length > 1) to = eps[this.rr++ % eps.length]!;
    const upId = this.nextUpId++;
    this.callMember.set(upId, to);
    this.out.upstream.push({ to, upId, request });
    return upId;
  }

  private forward(
    clientId: number,
    requestId: number,
    request: ClientRequest,
    tries = 0,
    avoid?: number,
  ): void {
    const upId = this.call(request, avoid);
    this.calls.set(upId, {
      clientId,
      requestId,
      request,
      to: this.callMember.get(upId)!,
      tries: tries + 1,
    });
  }

  /** A member answered a forwarded call: update the cache as etcd's kvProxy does, then answer. */
  private forwarded(f: Forwarded, response: ClientResponse): void {
    const req = f.request;
    if (response.ok) {
      switch (req.method) {
        case 'range':
          // etcd caches a linearizable answer too, as if it had been serializable
          this.cache.add(req.body, response.body as RangeResponse);
          break;
        case 'put':
          // again now it is applied: a range forwarded before the write and answered after it
          // must not leave the old value cached (etcd invalidates only before the write)
          this.cache.invalidate(req.body.key);
          break;
        case 'deleteRange':
          this.invalidateDelete(req.body);
          break;
        case 'txn':
          this.invalidateTxn(req.body);
          break;
        case 'compact':
          this.cache.compact(req.body.revision);
          break;
      }
    }
    this.answer(f.clientId, f.requestId, response);
  }

  private invalidateDelete(body: DeleteRangeRequest): void {
    this.cache.invalidate(body.key, body.range_end);
  }

  /** etcd: a txn may claim an outdated key is updated; invalidate every key it names. */
  private invalidateTxn(t: TxnRequest): void {
    for (const c of t.compare ?? []) this.cache.invalidate(c.key, c.range_end);
    for (const op of [...(t.success ?? []), ...(t.failure ?? [])]) {
      if ('request_put' in op) this.cache.invalidate(op.request_put.key);
      else if ('request_delete_range' in op) this.invalidateDelete(op.request_delete_range);
      else if ('request_txn' in op) this.invalidateTxn(op.request_txn);
    }
  }

  private answer(clientId: number, requestId: number, response: ClientResponse): void {
    this.out.responses.push({ clientId, requestId, response });
  }

  private trace(r: Record<string, unknown>): void {
    this.out.trace.push(r);
  }

  private flush(): ProxyOutput {
    // the coalescing at a glance, whenever it changed: watchers served, upstream streams used
    const { watchers, ranges, upstream } = this.watches;
    const shown = this.shown;
    if (watchers !== shown.watchers || ranges !== shown.ranges || upstream !== shown.upstream) {
      this.shown = { watchers, ranges, upstream };
      this.trace({ kind: 'proxy-watchers', watchers, ranges, upstream });
    }
    const out = this.out;
    this.out = emptyOutput();
    return out;
  }
}

function cancelRequest(watchId: number): ClientRequest {
  return { method: 'watchCancel', body: { watch_id: watchId } };
}

function emptyOutput(): ProxyOutput {
  return { upstream: [], responses: [], trace: [] };
}
