// The conductor's agenda: events ordered by simulated time, then by the order they were
// scheduled. The sequence number is what makes two events at the same microsecond pop in the
// same order on every machine and in every host, which the trace hash depends on.

export interface Scheduled<T> {
  /** Simulated time in integer microseconds. */
  atUs: number;
  /** Insertion order; ties at the same time pop in this order. */
  seq: number;
  event: T;
}

function before<T>(a: Scheduled<T>, b: Scheduled<T>): boolean {
  return a.atUs < b.atUs || (a.atUs === b.atUs && a.seq < b.seq);
}

/** A binary min-heap on (atUs, seq). O(log n) push and pop. */
export class EventQueue<T> {
  private heap: Scheduled<T>[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `event` at `atUs` and returns its sequence number. */
  push(atUs: number, event: T): number {
    if (!Number.isSafeInteger(atUs) || atUs < 0) {
      throw new RangeError(
        `event time must be a non-negative integer of microseconds, got ${atUs}`,
      );
    }
    const item: Scheduled<T> = { atUs, seq: this.nextSeq++, event };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!before(item, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = item;
    return item.seq;
  }

  peek(): Scheduled<T> | undefined {
    return this.heap[0];
  }

  pop(): Scheduled<T> | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const child = r < h.length && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[child]!, last)) break;
        h[i] = h[child]!;
        i = child;
      }
      h[i] = last;
    }
    return top;
  }

  /**
   * The first events in pop order, without removing them, while `accept` says yes, at most `max`.
   * O(k log k) for k events: the heap is walked from its root, the next in order always being
   * the least of the children of those already taken.
   */
  leading(max: number, accept: (s: Scheduled<T>) => boolean): Scheduled<T>[] {
    const h = this.heap;
    const out: Scheduled<T>[] = [];
    const frontier: number[] = h.length > 0 ? [0] : [];
    while (out.length < max && frontier.length > 0) {
      let best = 0;
      for (let i = 1; i < frontier.length; i++) {
        if (before(h[frontier[i]!]!, h[frontier[best]!]!)) best = i;
      }
      const at = frontier[best]!;
      frontier[best] = frontier[frontier.length - 1]!;
      frontier.pop();
      const s = h[at]!;
      if (!accept(s)) break;
      out.push(s);
      if (2 * at + 1 < h.length) frontier.push(2 * at + 1);
      if (2 * at + 2 < h.length) frontier.push(2 * at + 2);
    }
    return out;
  }

  /** Removes every event for which `drop` is true (a crashed node's timers, say). O(n). */
  removeWhere(drop: (event: T) => boolean): number {
    const kept = this.heap.filter((s) => !drop(s.event));
    const removed = this.heap.length - kept.length;
    if (removed > 0) {
      kept.sort((a, b) => (before(a, b) ? -1 : 1));
      this.heap = kept; // a sorted array is a valid heap
    }
    return removed;
  }

  /** The scheduled events in pop order, without removing them (for snapshots of a run). */
  toSortedArray(): Scheduled<T>[] {
    return [...this.heap].sort((a, b) => (before(a, b) ? -1 : 1));
  }
}
