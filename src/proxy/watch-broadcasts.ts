// Watch coalescing, in the shape of etcd's grpcproxy (watch_ranges.go, watch_broadcasts.go,
// watch_broadcast.go, watcher.go): the client watchers on one key range share broadcasts, each of
// which is one watch stream to a member, and the proxy fans each upstream response out to them.
//
// - A watcher joins a broadcast only if the broadcast has not gone past the revision the watcher
//   starts from (broadcast.nextRev <= watcher.nextRev): it would miss events. A watcher "from now"
//   (start revision 0) never joins a broadcast already started, since the proxy cannot know that
//   the broadcast is not behind the present. A watcher that cannot join gets a broadcast of its
//   own, that is, its own upstream watch, which does its catch-up.
// - After each upstream response, a broadcast with few receivers (fewer than 5) that has caught up
//   with an older broadcast of the same range hands its watchers over to it and cancels its own
//   upstream watch (watchBroadcasts.coalesce). Each watcher drops events below its own next
//   revision, so a handed-over watcher sees no event twice and misses none.
// - The last watcher of a broadcast leaving cancels the upstream watch.
// - A member going down: each broadcast it served resumes on another member from its next
//   revision (clientv3 reconnects a watch the same way), and no watcher notices.
import { bytesToBinary } from '../mvcc/bytes';
import type { Event, WatchRequest } from '../mvcc/types';
import type { WatchStreamResponse } from '../server/requests';

/** etcd's maxCoalesceReceivers: a popular broadcast is not moved. */
export const MAX_COALESCE_RECEIVERS = 5;

export interface ClientWatcher {
  clientId: number;
  /** The client's `watch` call: every response of its stream answers it. */
  requestId: number;
  /** The id the proxy gave it, per client stream, from 0. */
  watchId: number;
  /** The least revision of an event it may still be sent (0: from whatever is next). */
  nextRev: number;
  prevKv: boolean;
  filters: readonly string[];
}

interface Broadcast {
  id: number;
  range: string;
  key: Uint8Array;
  rangeEnd: Uint8Array | undefined;
  /** The least revision the next upstream response may carry (0 until known). */
  nextRev: number;
  responses: number;
  receivers: Set<ClientWatcher>;
  /** The upstream watch: the member, the proxy's call id, the member's watch id once created. */
  member: number;
  upId: number;
  upWatchId: number | undefined;
}

/** What the broadcasts ask of the proxy around them. */
export interface BroadcastHooks {
  /** Opens an upstream watch; returns the member it went to and the call's id. */
  openUpstream(req: WatchRequest, avoid?: number): { member: number; upId: number };
  cancelUpstream(member: number, watchId: number): void;
  toClient(w: ClientWatcher, body: WatchStreamResponse): void;
  /** A broadcast handed `moved` watchers over to an older one of its range and stopped. */
  coalesced(key: Uint8Array, rangeEnd: Uint8Array | undefined, moved: number): void;
}

export class WatchBroadcasts {
  private readonly byRange = new Map<string, Broadcast[]>();
  private readonly byUpId = new Map<number, Broadcast>();
  private readonly ofWatcher = new Map<ClientWatcher, Broadcast>();
  /** Upstream watches cancelled before their created response came: cancel them when it does. */
  private readonly orphans = new Map<number, number>();
  private nextId = 1;

  constructor(private readonly hooks: BroadcastHooks) {}

  /** Client watchers served now. */
  get watchers(): number {
    return this.ofWatcher.size;
  }

  /** Upstream watch streams open now (one per broadcast). */
  get upstream(): number {
    return this.byUpId.size;
  }

  /** Distinct key ranges watched now: the fewest upstream streams that could serve them. */
  get ranges(): number {
    return this.byRange.size;
  }

  /** Each upstream stream's key range and how many watchers it serves, oldest first per range. */
  streams(): { range: string; watchers: number }[] {
    return [...this.byRange.values()].flatMap((list) =>
      list.map((b) => ({ range: b.range, watchers: b.receivers.size })),
    );
  }

  /** Adds a client's watcher (etcd's watchRanges.add). */
  add(w: ClientWatcher, req: WatchRequest): void {
    const range = rangeKey(req);
    const list = this.byRange.get(range) ?? [];
    this.byRange.set(range, list);
    for (const b of list) {
      if (this.join(b, w)) {
        this.ofWatcher.set(w, b);
        return;
      }
    }
    const b: Broadcast = {
      id: this.nextId++,
      range,
      key: req.key,
      rangeEnd: req.range_end,
      nextRev: w.nextRev,
      responses: 0,
      receivers: new Set([w]),
      member: 0,
      upId: 0,
      upWatchId: undefined,
    };
    list.push(b);
    this.ofWatcher.set(w, b);
    this.open(b);
  }

  /** Removes a watcher; the last one of a broadcast cancels its upstream watch. */
  delete(w: ClientWatcher): void {
    const b = this.ofWatcher.get(w);
    if (!b) return;
    this.ofWatcher.delete(w);
    b.receivers.delete(w);
    if (b.receivers.size === 0) this.stop(b);
  }

  /** One upstream response for call `upId`; false if no broadcast (or orphan) owns the call. */
  upstreamResponse(upId: number, body: WatchStreamResponse): boolean {
    const orphan = this.orphans.get(upId);
    if (orphan !== undefined) {
      if (body.created) this.hooks.cancelUpstream(orphan, body.watch_id);
      if (body.created || body.canceled) this.orphans.delete(upId);
      return true;
    }
    const b = this.byUpId.get(upId);
    if (!b) return false;
    if (body.created) {
      b.upWatchId = body.watch_id;
      // A watch resumed on another member: its watchers had their created response long ago.
      if (b.responses > 0) return true;
    }
    this.bcast(b, body);
    if (body.canceled) {
      // compacted, or the member was removed: the watchers end with it
      this.forget(b);
      for (const w of b.receivers) this.ofWatcher.delete(w);
      return true;
    }
    this.coalesce(b);
    return true;
  }

  /** Upstream call `upId` failed (no answer will come): its broadcast tries another member. */
  upstreamFailed(upId: number): void {
    this.orphans.delete(upId);
    const b = this.byUpId.get(upId);
    if (b) this.reopen(b, b.member);
  }

  /** Member `member` went down: the broadcasts it served resume elsewhere. */
  memberDown(member: number): void {
    for (const [upId, m] of this.orphans) if (m === member) this.orphans.delete(upId);
    for (const b of [...this.byUpId.values()]) if (b.member === member) this.reopen(b, member);
  }

  /** The client's watcher with `watchId`, if it is open. */
  find(clientId: number, watchId: number): ClientWatcher | undefined {
    for (const w of this.ofWatcher.keys())
      if (w.clientId === clientId && w.watchId === watchId) return w;
    return undefined;
  }

  private reopen(b: Broadcast, avoid: number): void {
    this.byUpId.delete(b.upId);
    b.upWatchId = undefined;
    this.open(b, avoid);
  }

  private open(b: Broadcast, avoid?: number): void {
    const req: WatchRequest = { key: b.key, prev_kv: true };
    if (b.rangeEnd) req.range_end = b.rangeEnd;
    if (b.nextRev > 0) req.start_revision = b.nextRev;
    const { member, upId } = this.hooks.openUpstream(req, avoid);
    b.member = member;
    b.upId = upId;
    this.byUpId.set(upId, b);
  }

  /** etcd's watchBroadcast.add: whether `w` may join `b` without missing events. */
  private join(b: Broadcast, w: ClientWatcher): boolean {
    if (b.nextRev > w.nextRev || (b.nextRev === 0 && w.nextRev !== 0)) return false;
    if (b.responses > 0) {
      // the upstream created response is long gone: make the watcher one of its own
      this.hooks.toClient(w, {
        header: { revision: w.nextRev },
        watch_id: w.watchId,
        created: true,
        events: [],
      });
    }
    b.receivers.add(w);
    return true;
  }

  private bcast(b: Broadcast, body: WatchStreamResponse): void {
    // watchers start on the given revision, if any: a created response's header does not move it
    if (b.responses > 0 || b.nextRev === 0) b.nextRev = body.header.revision + 1;
    b.responses++;
    for (const w of b.receivers) this.send(w, body);
  }

  /** etcd's watcher.send: drops what the watcher has seen or filters out. */
  private send(w: ClientWatcher, wr: WatchStreamResponse): void {
    if (w.nextRev > wr.header.revision && wr.events.length > 0) return;
    if (w.nextRev === 0) w.nextRev = wr.header.revision + 1;
    const events: Event[] = [];
    let lastRev = 0;
    for (const ev of wr.events) {
      if (ev.kv.mod_revision < w.nextRev) continue;
      lastRev = ev.kv.mod_revision;
      if (w.filters.includes(ev.type === 'PUT' ? 'NOPUT' : 'NODELETE')) continue;
      if (w.prevKv || ev.prev_kv === undefined) events.push(ev);
      else events.push({ type: ev.type, kv: ev.kv });
    }
    if (lastRev >= w.nextRev) w.nextRev = lastRev + 1;
    if (!wr.created && !wr.canceled && events.length === 0 && !wr.compact_revision) return;
    const out: WatchStreamResponse = { header: wr.header, watch_id: w.watchId, events };
    if (wr.created) out.created = true;
    if (wr.canceled) out.canceled = true;
    if (wr.compact_revision) out.compact_revision = wr.compact_revision;
    if (wr.cancel_reason) out.cancel_reason = wr.cancel_reason;
    this.hooks.toClient(w, out);
  }

  /** etcd's watchBroadcasts.coalesce: a small broadcast that caught up merges into an older one. */
  private coalesce(b: Broadcast): void {
    if (b.receivers.size >= MAX_COALESCE_RECEIVERS) return;
    for (const other of this.byRange.get(b.range) ?? []) {
      if (other === b || other.responses === 0 || b.nextRev < other.nextRev) continue;
      this.hooks.coalesced(b.key, b.rangeEnd, b.receivers.size);
      for (const w of b.receivers) {
        other.receivers.add(w);
        this.ofWatcher.set(w, other);
      }
      b.receivers.clear();
      this.stop(b);
      return;
    }
  }

  private stop(b: Broadcast): void {
    this.forget(b);
    if (b.upWatchId !== undefined) this.hooks.cancelUpstream(b.member, b.upWatchId);
    else this.orphans.set(b.upId, b.member);
  }

  private forget(b: Broadcast): void {
    this.byUpId.delete(b.upId);
    const list = this.byRange.get(b.range) ?? [];
    const i = list.indexOf(b);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byRange.delete(b.range);
  }
}

function rangeKey(req: WatchRequest): string {
  return `${bytesToBinary(req.key)}\u0000${req.range_end ? bytesToBinary(req.range_end) : ''}`;
}
