// Pure data for the charts panel (issue 7): the client history bucketed by simulated time
// (throughput, p50/p99 latency, failed writes) and the leader changes of the trace as markers.
// ChartsPanel.tsx draws them; nothing here touches the DOM.
import type { Operation } from '../../check/history';
import type { TraceRecord } from '../../sim/conductor';
import { nearestRank } from '../../sim/metrics';
import { opKind } from './history-layout';

/** Bucket widths to choose from, smallest first, microseconds. */
const STEPS_US = [
  250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 15_000_000, 30_000_000, 60_000_000,
  120_000_000, 300_000_000, 600_000_000,
];

/** The smallest round bucket width that cuts `spanUs` into at most about `target` buckets. */
export function bucketWidth(spanUs: number, target = 60): number {
  const want = spanUs / target;
  for (const s of STEPS_US) if (s >= want) return s;
  return Math.ceil(want / 600_000_000) * 600_000_000;
}

export interface ChartBucket {
  startUs: number;
  endUs: number;
  /** Successful reads and writes answered in the bucket, per simulated second. */
  readsPerS: number;
  writesPerS: number;
  /** Latency of the calls answered successfully in the bucket (nearest rank); null: none. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Writes (proposals) that came back with an error in the bucket. */
  failedWrites: number;
}

export interface LeaderMark {
  atUs: number;
  node: number;
  term?: number;
}

export interface ChartsData {
  startUs: number;
  endUs: number;
  bucketUs: number;
  buckets: ChartBucket[];
  leaderChanges: LeaderMark[];
  totals: { reads: number; writes: number; failedWrites: number };
  /** The highest p99 of any bucket, milliseconds (0: no answers). */
  maxP99Ms: number;
}

/**
 * The history up to `endUs` (calls answered by then), in buckets of simulated time from 0:
 * about 60 of them, at least 250 ms wide. A call counts in the bucket it was answered in. The
 * last bucket may be cut short by `endUs`: its rates are over the part of it that has happened.
 */
export function chartsData(
  history: readonly Operation[],
  endUs: number,
  leaderChanges: readonly LeaderMark[] = [],
): ChartsData {
  const bucketUs = bucketWidth(endUs);
  const n = Math.max(1, Math.ceil(endUs / bucketUs));
  const reads = new Array<number>(n).fill(0);
  const writes = new Array<number>(n).fill(0);
  const failed = new Array<number>(n).fill(0);
  const lat: number[][] = Array.from({ length: n }, () => []);
  const totals = { reads: 0, writes: 0, failedWrites: 0 };
  for (const op of history) {
    // the history is in call order: nothing after this was called by endUs
    if (op.callUs > endUs) break;
    if (op.returnUs === undefined || op.returnUs > endUs) continue;
    const b = Math.min(n - 1, Math.floor(op.returnUs / bucketUs));
    const write = opKind(op) === 'write';
    if (!op.response) {
      if (write) {
        failed[b]!++;
        totals.failedWrites++;
      }
      continue;
    }
    if (write) {
      writes[b]!++;
      totals.writes++;
    } else {
      reads[b]!++;
      totals.reads++;
    }
    lat[b]!.push((op.returnUs - op.callUs) / 1000);
  }
  let maxP99Ms = 0;
  const buckets: ChartBucket[] = [];
  for (let i = 0; i < n; i++) {
    const startUs = i * bucketUs;
    const bEnd = Math.min(startUs + bucketUs, Math.max(endUs, startUs + 1));
    const secs = (bEnd - startUs) / 1e6;
    const l = lat[i]!.sort((a, b) => a - b);
    const p99 = l.length ? nearestRank(l, 99) : null;
    if (p99 !== null) maxP99Ms = Math.max(maxP99Ms, p99);
    buckets.push({
      startUs,
      endUs: bEnd,
      readsPerS: reads[i]! / secs,
      writesPerS: writes[i]! / secs,
      p50Ms: l.length ? nearestRank(l, 50) : null,
      p99Ms: p99,
      failedWrites: failed[i]!,
    });
  }
  return {
    startUs: 0,
    endUs: Math.max(endUs, 1),
    bucketUs,
    buckets,
    leaderChanges: leaderChanges.filter((m) => m.atUs <= endUs),
    totals,
    maxP99Ms,
  };
}

/** A node becoming leader, if this record says so. */
export function leaderMark(r: TraceRecord): LeaderMark | null {
  if (r.kind !== 'state' || r.to !== 'StateLeader') return null;
  return {
    atUs: r.atUs,
    node: typeof r.node === 'number' ? r.node : 0,
    ...(typeof r.term === 'number' ? { term: r.term } : {}),
  };
}

/** What a trace looks like to the leader scan: the Timeline's record access. */
export interface RecordSource {
  readonly length: number;
  record(i: number): TraceRecord | undefined;
}

/**
 * The leader changes of a growing trace, scanned once: each call reads only the records added
 * since the last (the timeline only grows, so this is cheap at every tick).
 */
export class LeaderScan {
  private scanned = 0;
  readonly marks: LeaderMark[] = [];
  constructor(private readonly source: RecordSource) {}
  update(): readonly LeaderMark[] {
    for (; this.scanned < this.source.length; this.scanned++) {
      const r = this.source.record(this.scanned);
      const m = r && leaderMark(r);
      if (m) this.marks.push(m);
    }
    return this.marks;
  }
}
