// The few PromQL functions etcd-mixin's alerts use, with Prometheus's own semantics, over samples
// taken at simulated times: the value of a series at an instant (the latest sample within the
// lookback), rate() and increase() (extrapolated to the window's edges, counter resets
// corrected), and histogram_quantile() (linear interpolation inside the bucket holding the rank).

export interface Point {
  atUs: number;
  value: number;
}

/** The samples of a range vector `[rangeUs]` evaluated at `atUs`: those in (atUs - rangeUs, atUs]. */
export function window(points: readonly Point[], atUs: number, rangeUs: number): Point[] {
  return points.filter((p) => p.atUs > atUs - rangeUs && p.atUs <= atUs);
}

/** An instant selector: the latest sample at or before `atUs` no older than `lookbackUs`. */
export function instant(
  points: readonly Point[],
  atUs: number,
  lookbackUs: number,
): number | undefined {
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i]!;
    if (p.atUs > atUs) continue;
    return p.atUs > atUs - lookbackUs ? p.value : undefined;
  }
  return undefined;
}

/**
 * Prometheus's extrapolatedRate for a counter: the increase over the samples in the window,
 * corrected for resets (a restarted member counts from 0 again), extrapolated towards the
 * window's edges by at most half a sample interval (or to where the counter would reach zero).
 * Undefined with fewer than two samples, as Prometheus returns nothing then.
 */
export function increase(
  points: readonly Point[],
  atUs: number,
  rangeUs: number,
): number | undefined {
  const s = window(points, atUs, rangeUs);
  if (s.length < 2) return undefined;
  const first = s[0]!;
  const last = s[s.length - 1]!;
  let result = last.value - first.value;
  for (let i = 1; i < s.length; i++) if (s[i]!.value < s[i - 1]!.value) result += s[i - 1]!.value;
  const sampled = last.atUs - first.atUs;
  const average = sampled / (s.length - 1);
  let toStart = first.atUs - (atUs - rangeUs);
  const toEnd = atUs - last.atUs;
  if (result > 0 && first.value >= 0) toStart = Math.min(toStart, sampled * (first.value / result));
  const threshold = average * 1.1;
  let extrapolated = sampled;
  extrapolated += toStart < threshold ? toStart : average / 2;
  extrapolated += toEnd < threshold ? toEnd : average / 2;
  return result * (extrapolated / sampled);
}

/** rate(): increase() per second of the window. */
export function rate(points: readonly Point[], atUs: number, rangeUs: number): number | undefined {
  const inc = increase(points, atUs, rangeUs);
  return inc === undefined ? undefined : inc / (rangeUs / 1e6);
}

/**
 * histogram_quantile(q, ...) over one histogram's buckets (cumulative counts or their rates,
 * ascending bounds, the last one +Inf). NaN when there is nothing to rank, as in Prometheus.
 */
export function histogramQuantile(
  q: number,
  buckets: readonly { le: number; count: number }[],
): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (buckets.length < 2 || buckets[buckets.length - 1]!.le !== Infinity) return NaN;
  // Rates of separately extrapolated buckets can come out slightly non-monotonic: fix as
  // Prometheus's ensureMonotonic does.
  const b = buckets.map((x) => ({ ...x }));
  for (let i = 1; i < b.length; i++)
    if (b[i]!.count < b[i - 1]!.count) b[i]!.count = b[i - 1]!.count;
  const observations = b[b.length - 1]!.count;
  if (!(observations > 0)) return NaN;
  let rank = q * observations;
  let i = b.findIndex((x) => x.count >= rank);
  if (i === -1) i = b.length - 1;
  if (i === b.length - 1) return b[b.length - 2]!.le;
  if (i === 0 && b[0]!.le <= 0) return b[0]!.le;
  let start = 0;
  let count = b[i]!.count;
  if (i > 0) {
    start = b[i - 1]!.le;
    count -= b[i - 1]!.count;
    rank -= b[i - 1]!.count;
  }
  return start + (b[i]!.le - start) * (rank / count);
}
