// Live latency of the Storage panel: p50 and p99 of cheap reads, expensive reads and writes sent
// to one node, over the calls answered in a recent window of simulated time. Nothing here
// touches the DOM.
import type { HistoryOp } from '../../sim/session';
import { nearestRank } from '../../sim/metrics';

export type CallClass = 'cheap' | 'expensive' | 'write';
export const CALL_CLASSES: readonly CallClass[] = ['cheap', 'expensive', 'write'];

/** Which class a workload's operation kind falls in (other calls are not counted). */
const CLASS_OF: Readonly<Record<string, CallClass>> = {
  'range-cheap': 'cheap',
  'range-expensive': 'expensive',
  put: 'write',
  txn: 'write',
  delete: 'write',
};

export interface ClassLatency {
  /** Calls answered successfully within the window. */
  count: number;
  /** Nearest-rank percentiles, milliseconds; null without answers. */
  p50Ms: number | null;
  p99Ms: number | null;
}

interface Samples {
  /** Answer times, ascending, and each call's latency beside it. */
  returnUs: number[];
  latencyUs: number[];
}

/**
 * The answered calls of a growing history, by node and class, kept in answer order: each update
 * reads only the calls added since the last and those still waiting for an answer (the history
 * grows in place, and an answer arrives by setting returnUs on its call), so a frame's figures
 * cost a binary search and a sort of the window's samples, however long the run.
 */
export class LatencyIndex {
  private scanned = 0;
  /** Calls of a counted class not answered when last looked at. */
  private waiting: HistoryOp[] = [];
  private readonly byNode = new Map<number, Record<CallClass, Samples>>();

  constructor(private readonly history: readonly HistoryOp[]) {}

  update(): this {
    const still: HistoryOp[] = [];
    for (const op of this.waiting) if (!this.take(op)) still.push(op);
    this.waiting = still;
    for (; this.scanned < this.history.length; this.scanned++) {
      const op = this.history[this.scanned]!;
      if (op.node === undefined || op.kind === undefined || !CLASS_OF[op.kind]) continue;
      if (!this.take(op)) this.waiting.push(op);
    }
    return this;
  }

  /**
   * Latency per class of the calls sent to `node` and answered successfully in
   * (viewUs - windowUs, viewUs], as seen at viewUs.
   */
  recent(node: number, viewUs: number, windowUs: number): Record<CallClass, ClassLatency> {
    const out = {} as Record<CallClass, ClassLatency>;
    const mine = this.byNode.get(node);
    for (const cls of CALL_CLASSES) {
      const s = mine?.[cls];
      const xs = s
        ? s.latencyUs
            .slice(firstAfter(s.returnUs, viewUs - windowUs), firstAfter(s.returnUs, viewUs))
            .sort((a, b) => a - b)
        : [];
      out[cls] = {
        count: xs.length,
        p50Ms: xs.length ? nearestRank(xs, 50) / 1000 : null,
        p99Ms: xs.length ? nearestRank(xs, 99) / 1000 : null,
      };
    }
    return out;
  }

  /** Files an answered call (a failed one is dropped); false while it waits for its answer. */
  private take(op: HistoryOp): boolean {
    const ret = op.returnUs;
    if (ret === undefined) return false;
    if (!op.response) return true;
    let mine = this.byNode.get(op.node!);
    if (!mine) {
      const empty = (): Samples => ({ returnUs: [], latencyUs: [] });
      mine = { cheap: empty(), expensive: empty(), write: empty() };
      this.byNode.set(op.node!, mine);
    }
    const s = mine[CLASS_OF[op.kind!]!];
    // Answers come nearly in order: the place is almost always the end.
    const at = firstAfter(s.returnUs, ret);
    s.returnUs.splice(at, 0, ret);
    s.latencyUs.splice(at, 0, ret - op.callUs);
    return true;
  }
}

/** The index of the first element of ascending `xs` above `v`. */
function firstAfter(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** recent() over a history at once (what a LatencyIndex gives after one update). */
export function recentLatency(
  history: readonly HistoryOp[],
  node: number,
  viewUs: number,
  windowUs: number,
): Record<CallClass, ClassLatency> {
  return new LatencyIndex(history).update().recent(node, viewUs, windowUs);
}
