// Watches over the store's history (etcd server/mvcc watchable_store.go). Two watcher groups:
// `synced` watchers are up to date and hear of each write as it ends (notify); `unsynced` ones are
// behind (a watch from an old revision, or every watcher after a restore) and are caught up from
// the stored revisions by syncWatchers(), which moves them to synced. A watcher owed a revision
// that compaction removed is cancelled with compact_revision, as etcd's chooseAll does.
//
// etcd syncs unsynced watchers from a goroutine every 100 ms; here syncWatchers() runs at once
// (inside watch() and restore), so a catch-up is delivered before the call returns. Delivery is
// by callback, never blocked, so etcd's victims (watchers whose channel was full) do not arise.
import type { RevRecord } from './rev_store';
import { inKeyRange, toKeyRange } from './bytes';
import type { Event, KeyValue, WatchRequest, WatchResponse, Watcher } from './types';
import { WatcherGroup, type WatcherState } from './watcher_group';

/** etcd's watchBatchMaxRevs: a catch-up response carries events of at most 1000 revisions. */
const WATCH_BATCH_MAX_REVS = 1000;

/** What the watchable store reads of the store under it. */
export interface WatchSource {
  currentRev(): number;
  /** compactMainRev: -1 before any compaction. */
  compactRev(): number;
  /** Every stored record with main revision in [from, to), in revision order. */
  scan(from: number, to: number, fn: (r: RevRecord) => void): void;
  /** The put record of key `skey` alive at `rev`, or undefined (also when rev is compacted). */
  liveAt(skey: string, rev: number): RevRecord | undefined;
  /** A catch-up's work, reported as the 'watchSync' read (keys scanned, bytes read). */
  reportSync(keysScanned: number, bytesRead: number): void;
  kvOf(r: RevRecord): KeyValue;
  /** The kv of a DELETE event. */
  tombstoneKv(r: RevRecord): KeyValue;
}

export class WatchableStore {
  private readonly synced = new WatcherGroup();
  private readonly unsynced = new WatcherGroup();
  private readonly deliveries: (() => void)[] = [];
  private delivering = false;

  constructor(private readonly src: WatchSource) {}

  /** How many watchers are active: [synced, unsynced]. */
  get counts(): [number, number] {
    return [this.synced.size, this.unsynced.size];
  }

  /**
   * Watches key / range. A watch from 0 (or a future revision) is synced at once; one from an
   * older revision is unsynced and caught up from history before watch() returns (in responses
   * of at most 1000 revisions, header = current revision). A start revision below the compacted
   * revision gets one canceled response with compact_revision.
   */
  watch(req: WatchRequest, onResponse: (resp: WatchResponse) => void): Watcher {
    const filters = req.filters ?? [];
    const startRev = req.start_revision ?? 0;
    const cur = this.src.currentRev();
    const w: WatcherState = {
      range: toKeyRange(req.key, req.range_end),
      minRev: startRev,
      prevKv: req.prev_kv ?? false,
      noPut: filters.includes('NOPUT'),
      noDelete: filters.includes('NODELETE'),
      onResponse,
      active: true,
      group: undefined,
    };
    // etcd: synced iff startRev is 0 or in the future; anything else (negative too) is synced
    // from history first
    if (startRev === 0 || startRev > cur) {
      if (startRev === 0) w.minRev = cur + 1;
      this.synced.add(w);
    } else {
      this.unsynced.add(w);
      this.syncWatchers();
    }
    return {
      cancel: () => {
        if (!w.active) return;
        w.active = false;
        w.group?.delete(w);
      },
    };
  }

  /**
   * etcd's Restore: the store under every watcher changed (a snapshot was applied), so all of
   * them go back to unsynced, keeping the revision each is owed, and are caught up again.
   */
  restore(): void {
    for (const w of this.synced.all()) this.unsynced.add(w); // add() takes it out of synced
    this.syncWatchers();
  }

  /** Moves every watcher of `from` (another store's) here, owed what it was owed there. */
  adopt(from: WatchableStore): void {
    for (const w of [...from.synced.all(), ...from.unsynced.all()]) this.unsynced.add(w);
    this.syncWatchers();
  }

  /**
   * Catches every unsynced watcher up: a compacted one is cancelled; the rest get every stored
   * revision from their minRev to now in their range, in one scan from the lowest minRev
   * (chooseAll, then rangeEvents and newWatcherBatch), and join the synced group.
   */
  syncWatchers(): void {
    if (this.unsynced.size === 0) return;
    const cur = this.src.currentRev();
    const compactRev = this.src.compactRev();
    const chosen: WatcherState[] = [];
    let minRev = Number.MAX_SAFE_INTEGER;
    for (const w of this.unsynced.all()) {
      if (w.minRev < compactRev) {
        this.unsynced.delete(w);
        w.active = false;
        const on = w.onResponse;
        this.deliver(() =>
          on({ header: { revision: 0 }, canceled: true, compact_revision: compactRev, events: [] }),
        );
        continue;
      }
      // a negative minRev reads nothing: etcd turns it into a huge unsigned bbolt key
      if (w.minRev <= 0) w.minRev = cur + 1;
      chosen.push(w);
      minRev = Math.min(minRev, w.minRev);
    }
    const per = new Map<WatcherState, RevRecord[][]>();
    let keysScanned = 0;
    let bytesRead = 0;
    if (chosen.length > 0 && minRev <= cur) {
      const batches = new Map<WatcherState, { recs: RevRecord[][]; revs: number }>();
      this.src.scan(minRev, cur + 1, (r) => {
        keysScanned++;
        let read = false;
        for (const w of chosen) {
          if (r.main < w.minRev) continue;
          if (!inKeyRange(w.range, r.skey)) continue;
          read = true;
          let b = batches.get(w);
          if (!b) batches.set(w, (b = { recs: [[]], revs: 0 }));
          let batch = b.recs[b.recs.length - 1]!;
          const last = batch[batch.length - 1];
          if (!last || r.main > last.main) {
            if (b.revs === WATCH_BATCH_MAX_REVS) {
              b.recs.push((batch = []));
              b.revs = 0;
            }
            b.revs++;
          }
          batch.push(r);
        }
        if (read) bytesRead += r.key.length + r.value.length;
      });
      for (const [w, b] of batches) per.set(w, b.recs);
    }
    for (const w of chosen) {
      // a watcher from a future revision (moved here by a restore) still waits for it
      w.minRev = Math.max(w.minRev, cur + 1);
      this.synced.add(w);
    }
    if (chosen.length > 0) this.src.reportSync(keysScanned, bytesRead);
    for (const w of chosen) for (const recs of per.get(w) ?? []) this.send(w, recs, cur);
    this.drain();
  }

  /** Tells synced watchers of a write that ended at revision `rev` (watchableStore.notify). */
  notify(changes: readonly RevRecord[], rev: number): void {
    if (this.synced.size === 0) return;
    const per = new Map<WatcherState, RevRecord[]>();
    for (const r of changes) {
      this.synced.forKey(r.skey, (w) => {
        if (r.main < w.minRev) return;
        const list = per.get(w);
        if (list) list.push(r);
        else per.set(w, [r]);
      });
    }
    for (const [w, recs] of per) {
      w.minRev = rev + 1;
      this.send(w, recs, rev);
    }
    this.drain();
  }

  /** Filters, adds prev_kv and delivers one response (nothing when every event is filtered). */
  private send(w: WatcherState, recs: readonly RevRecord[], headerRev: number): void {
    const events: Event[] = [];
    for (const r of recs) {
      if (r.tombstone ? w.noDelete : w.noPut) continue;
      const ev: Event = r.tombstone
        ? { type: 'DELETE', kv: this.src.tombstoneKv(r) }
        : { type: 'PUT', kv: this.src.kvOf(r) };
      if (w.prevKv && (r.tombstone || r.create !== r.main)) {
        // the v3rpc layer reads the previous kv at mod_revision - 1 when it sends the event; a
        // compacted revision means no prev_kv
        const prev = this.src.liveAt(r.skey, r.main - 1);
        if (prev) ev.prev_kv = this.src.kvOf(prev);
      }
      events.push(ev);
    }
    if (events.length === 0) return;
    this.deliver(() => {
      if (w.active) w.onResponse({ header: { revision: headerRev }, events });
    });
  }

  /**
   * Queues a delivery; drain() runs the queue. A callback that writes to the store only queues
   * the responses of its write behind those already queued, so every watcher still sees
   * revisions in order.
   */
  private deliver(fn: () => void): void {
    this.deliveries.push(fn);
  }

  /**
   * Runs every queued delivery. A callback that throws does not cost the other watchers their
   * events: the first error is rethrown once the queue is empty (the write itself has happened).
   */
  private drain(): void {
    if (this.delivering) return;
    this.delivering = true;
    let failed = false;
    let error: unknown;
    for (let f = this.deliveries.shift(); f; f = this.deliveries.shift()) {
      try {
        f();
      } catch (e) {
        if (!failed) error = e;
        failed = true;
      }
    }
    this.delivering = false;
    if (failed) throw error;
  }
}
