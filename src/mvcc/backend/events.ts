// Orders lock events in simulated time. A request's grant and release are known when it is
// placed but lie in the future, so events wait here until the clock reaches them. Ties keep the
// order in which they were queued; since a request is only ever delayed by requests placed
// before it, a release is always queued before the grant it makes possible.
import type { BackendEvent } from './types';

interface Entry {
  readonly event: BackendEvent;
  readonly seq: number;
}

function before(a: Entry, b: Entry): boolean {
  return a.event.atUs < b.event.atUs || (a.event.atUs === b.event.atUs && a.seq < b.seq);
}

/** A binary min-heap of events by (atUs, seq). */
export class EventQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;

  push(event: BackendEvent): void {
    const heap = this.heap;
    let i = heap.push({ event, seq: this.seq++ }) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** Time of the earliest queued event, if any. */
  peekUs(): number | undefined {
    return this.heap[0]?.event.atUs;
  }

  /** Hands every event at or before nowUs to emit, in order. */
  flush(nowUs: number, emit: ((event: BackendEvent) => void) | undefined): void {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.event.atUs > nowUs) return;
      this.pop();
      emit?.(top.event);
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
}
