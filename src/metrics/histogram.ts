// A Prometheus histogram as client_golang keeps one: fixed upper bounds, a count per bucket, the
// sum and the count of every observation. Values are in the metric's unit (seconds for etcd's
// durations). Kept by a member in memory only: a restarted member starts again from zero, as
// etcd's process does.

/** client_golang's ExponentialBuckets: `count` bounds, the first `start`, each `factor` times the last. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  if (!(start > 0) || !(factor > 1) || !Number.isInteger(count) || count < 1)
    throw new RangeError(`exponentialBuckets(${start}, ${factor}, ${count}): bad arguments`);
  const out: number[] = [];
  for (let i = 0, b = start; i < count; i++, b *= factor) out.push(b);
  return out;
}

/** What a histogram holds at one moment; `cumulative[i]` counts observations <= `bounds[i]`. */
export interface HistogramSnapshot {
  bounds: readonly number[];
  /** One per bound, cumulative (the +Inf bucket is `count`). */
  cumulative: number[];
  sum: number;
  count: number;
}

export class Histogram {
  /** Observations per bucket, not cumulative; the last slot is the +Inf bucket. */
  private readonly perBucket: number[];
  private sum = 0;
  private count = 0;

  constructor(readonly bounds: readonly number[]) {
    for (let i = 1; i < bounds.length; i++)
      if (!(bounds[i]! > bounds[i - 1]!)) throw new RangeError('histogram bounds must increase');
    this.perBucket = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    this.perBucket[i]!++;
    this.sum += v;
    this.count++;
  }

  snapshot(): HistogramSnapshot {
    const cumulative: number[] = [];
    let acc = 0;
    for (let i = 0; i < this.bounds.length; i++) cumulative.push((acc += this.perBucket[i]!));
    return { bounds: this.bounds, cumulative, sum: this.sum, count: this.count };
  }
}
