// What the Metrics panel shows, computed from a member's metric families and the alert statuses:
// a readable row per sample (a histogram as its count, sum and estimated quantiles), the alerts
// in the order an operator reads them, and the file name of a download. Pure; no React.
import type { AlertStatus } from '../../metrics/alerts';
import { goFloat, type MetricFamily } from '../../metrics/exposition';
import { histogramQuantile } from '../../metrics/promql';

export interface MetricRow {
  /** Unique per row: the name and its labels, as in the exposition. */
  key: string;
  name: string;
  type: MetricFamily['type'];
  labels: string;
  value: string;
  help: string;
}

function labelText(labels: Readonly<Record<string, string>> | undefined): string {
  const pairs = Object.entries(labels ?? {});
  return pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

/** Seconds for a person: 2.3 ms, 640 ms, 1.2 s. */
export function seconds(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v < 1) return `${+(v * 1000).toPrecision(2)} ms`;
  return `${+v.toPrecision(3)} s`;
}

export function metricRows(families: readonly MetricFamily[]): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const f of [...families].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    for (const s of f.samples) {
      const labels = labelText(s.labels);
      let value: string;
      if (typeof s.value === 'number') value = goFloat(s.value);
      else {
        const h = s.value;
        const buckets = [
          ...h.bounds.map((le, i) => ({ le, count: h.cumulative[i]! })),
          { le: Infinity, count: h.count },
        ];
        // Quantiles since the member started (Prometheus's would be over a rate's window).
        value =
          h.count === 0
            ? 'no observations'
            : `${h.count} observed, p50 ≈ ${seconds(histogramQuantile(0.5, buckets))}, p99 ≈ ${seconds(histogramQuantile(0.99, buckets))}`;
      }
      rows.push({ key: f.name + labels, name: f.name, type: f.type, labels, value, help: f.help });
    }
  }
  return rows;
}

const ORDER = { firing: 0, pending: 1, inactive: 2 } as const;

/** Firing first, then pending, then inactive; within each, as the rules are listed. */
export function sortAlerts(alerts: readonly AlertStatus[]): AlertStatus[] {
  return alerts
    .map((a, i) => ({ a, i }))
    .sort((x, y) => ORDER[x.a.state] - ORDER[y.a.state] || x.i - y.i)
    .map((x) => x.a);
}

/** What an alert's value means, in words. */
export function alertValue(a: AlertStatus): string {
  if (a.value === undefined) return '';
  if (a.alert === 'etcdNoLeader') return 'no leader';
  if (a.alert === 'etcdHighNumberOfLeaderChanges') return `${+a.value.toFixed(1)} changes`;
  if (a.alert === 'etcdHighNumberOfFailedProposals') return `${+a.value.toFixed(2)}/s`;
  return `p99 ${seconds(a.value)}`;
}

/** The download's name: which member, at which simulated time. */
export function metricsFilename(node: number, atUs: number): string {
  return `raftlab-n${node}-metrics-${(atUs / 1e6).toFixed(3)}s.prom`;
}
