// A set of watchers, found by the key an event touches (etcd server/mvcc watcher_group.go). Single
// key watchers sit in a map by key; range watchers in a list walked per event (etcd keeps them in
// an interval tree; a playground has a handful). The watchable store keeps two groups: synced
// (up to date, told of each write as it happens) and unsynced (behind, caught up from history).
import type { KeyRange } from './bytes';
import { inKeyRange } from './bytes';
import type { WatchResponse } from './types';

/** One watcher (etcd's watcher): what it watches and the next revision it is owed. */
export interface WatcherState {
  readonly range: KeyRange;
  /** The lowest revision still to deliver. */
  minRev: number;
  readonly prevKv: boolean;
  readonly noPut: boolean;
  readonly noDelete: boolean;
  readonly onResponse: (resp: WatchResponse) => void;
  /** False once canceled (by its owner, or by compaction): nothing more is delivered. */
  active: boolean;
  /** The group it is in now (a watcher moves between groups, and between stores on restore). */
  group: WatcherGroup | undefined;
}

export class WatcherGroup {
  private readonly keyWatchers = new Map<string, Set<WatcherState>>();
  private readonly rangeWatchers = new Set<WatcherState>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(w: WatcherState): void {
    if (w.range.end === undefined) {
      let set = this.keyWatchers.get(w.range.key);
      if (!set) this.keyWatchers.set(w.range.key, (set = new Set()));
      if (set.has(w)) return;
      set.add(w);
    } else {
      if (this.rangeWatchers.has(w)) return;
      this.rangeWatchers.add(w);
    }
    w.group?.delete(w);
    w.group = this;
    this.count++;
  }

  /** Removes `w`; false if it was not in this group. */
  delete(w: WatcherState): boolean {
    let removed: boolean;
    if (w.range.end === undefined) {
      const set = this.keyWatchers.get(w.range.key);
      removed = set?.delete(w) ?? false;
      if (set && set.size === 0) this.keyWatchers.delete(w.range.key);
    } else {
      removed = this.rangeWatchers.delete(w);
    }
    if (removed) {
      this.count--;
      w.group = undefined;
    }
    return removed;
  }

  has(w: WatcherState): boolean {
    if (w.range.end === undefined) return this.keyWatchers.get(w.range.key)?.has(w) ?? false;
    return this.rangeWatchers.has(w);
  }

  /** Every watcher whose key or range holds `skey` (watcherSetByKey), in the order added. */
  forKey(skey: string, fn: (w: WatcherState) => void): void {
    const set = this.keyWatchers.get(skey);
    if (set) for (const w of set) fn(w);
    for (const w of this.rangeWatchers) if (inKeyRange(w.range, skey)) fn(w);
  }

  /** Every watcher: single-key ones by key in the order first added, then range ones. */
  all(): WatcherState[] {
    const out: WatcherState[] = [];
    for (const set of this.keyWatchers.values()) out.push(...set);
    out.push(...this.rangeWatchers);
    return out;
  }
}
