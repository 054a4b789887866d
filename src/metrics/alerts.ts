// etcd-mixin's alerts (etcd/contrib/mixin/mixin.libsonnet) that an operator of a small cluster
// watches first: no leader, frequent leader changes, slow WAL fsync and backend commit, failed
// proposals. Each rule is evaluated as Prometheus evaluates it — at every evaluation interval,
// `pending` while its expression holds, `firing` once it has held for the rule's `for` — over
// the scrapes each member kept of itself (scrapes.ts), in simulated time. Pure.
//
// Deviation: a crashed member's scrapes are gone with it (they live in the member), where a real
// Prometheus keeps them; its alerts are simply not evaluated while it is down.
import { DISK_DURATION_BUCKETS } from './etcd';
import { histogramQuantile, increase, instant, rate, type Point } from './promql';
import type { RuleTiming, Scrape } from './scrapes';

export type AlertState = 'inactive' | 'pending' | 'firing';

/** One member's scrapes, at the resolution of the timing in use. */
export interface MemberScrapes {
  id: number;
  scrapes: readonly Scrape[];
}

interface Windows {
  /** Prometheus's lookback delta for instant selectors (5m). */
  lookbackUs: number;
  scale: number;
}

interface Rule {
  alert: string;
  severity: 'critical' | 'warning';
  /** 'member': one alert per member (etcd-mixin keeps the instance label); 'cluster': one. */
  scope: 'member' | 'cluster';
  /** etcd-mixin's `for`, in seconds. */
  forS: number;
  /** The expression as etcd-mixin writes it, with `${w(s)}` for a window of s seconds. */
  expr(w: (seconds: number) => string): string;
  summary: string;
  /** The expression's value at `atUs` when it holds, else undefined. */
  value(members: readonly MemberScrapes[], atUs: number, win: Windows): number | undefined;
}

const MIN = 60;

function series(m: MemberScrapes, pick: (s: Scrape) => number): Point[] {
  return m.scrapes.map((s) => ({ atUs: s.atUs, value: pick(s) }));
}

/** histogram_quantile(0.99, rate(<buckets>[range])) for one member's histogram. */
function p99(m: MemberScrapes, pick: (s: Scrape) => number[], atUs: number, rangeUs: number) {
  const bounds = [...DISK_DURATION_BUCKETS, Infinity];
  const buckets = bounds.map((le, i) => ({
    le,
    count: rate(
      series(m, (s) => pick(s)[i]!),
      atUs,
      rangeUs,
    ),
  }));
  if (buckets.some((b) => b.count === undefined)) return NaN;
  return histogramQuantile(0.99, buckets as { le: number; count: number }[]);
}

function above(v: number | undefined, threshold: number): number | undefined {
  return v !== undefined && v > threshold ? v : undefined;
}

function slowDisk(
  alert: string,
  severity: Rule['severity'],
  metric: string,
  pick: (s: Scrape) => number[],
  threshold: number,
  what: string,
): Rule {
  return {
    alert,
    severity,
    scope: 'member',
    forS: 10 * MIN,
    expr: (w) => `histogram_quantile(0.99, rate(${metric}_bucket[${w(5 * MIN)}])) > ${threshold}`,
    summary: `etcd cluster 99th percentile ${what} durations are too high.`,
    value: ([m], atUs, win) => above(p99(m!, pick, atUs, 5 * MIN * 1e6 * win.scale), threshold),
  };
}

export const RULES: readonly Rule[] = [
  {
    alert: 'etcdNoLeader',
    severity: 'critical',
    scope: 'member',
    forS: 1 * MIN,
    expr: () => 'etcd_server_has_leader == 0',
    summary: 'etcd cluster has no leader.',
    value: ([m], atUs, win) => {
      const v = instant(
        series(m!, (s) => s.hasLeader),
        atUs,
        win.lookbackUs,
      );
      return v === 0 ? 0 : undefined;
    },
  },
  {
    alert: 'etcdHighNumberOfLeaderChanges',
    severity: 'warning',
    scope: 'cluster',
    forS: 5 * MIN,
    expr: (w) =>
      `increase((max without (instance) (etcd_server_leader_changes_seen_total) or 0*absent(etcd_server_leader_changes_seen_total))[${w(15 * MIN)}:${w(MIN)}]) >= 4`,
    summary: 'etcd cluster has high number of leader changes.',
    value: (members, atUs, win) => {
      // The subquery: the inner expression at every step in the window, then increase() of it.
      const stepUs = MIN * 1e6 * win.scale;
      const rangeUs = 15 * MIN * 1e6 * win.scale;
      const points: Point[] = [];
      for (let t = Math.floor((atUs - rangeUs) / stepUs + 1) * stepUs; t <= atUs; t += stepUs) {
        let max: number | undefined;
        for (const m of members) {
          const v = instant(
            series(m, (s) => s.leaderChanges),
            t,
            win.lookbackUs,
          );
          if (v !== undefined && (max === undefined || v > max)) max = v;
        }
        points.push({ atUs: t, value: max ?? 0 });
      }
      const inc = increase(points, atUs, rangeUs);
      return inc !== undefined && inc >= 4 ? inc : undefined;
    },
  },
  slowDisk(
    'etcdHighFsyncDurations',
    'warning',
    'etcd_disk_wal_fsync_duration_seconds',
    (s) => s.fsync,
    0.5,
    'fsync',
  ),
  slowDisk(
    'etcdHighFsyncDurations',
    'critical',
    'etcd_disk_wal_fsync_duration_seconds',
    (s) => s.fsync,
    1,
    'fsync',
  ),
  slowDisk(
    'etcdHighCommitDurations',
    'warning',
    'etcd_disk_backend_commit_duration_seconds',
    (s) => s.commit,
    0.25,
    'commit',
  ),
  {
    alert: 'etcdHighNumberOfFailedProposals',
    severity: 'warning',
    scope: 'member',
    forS: 15 * MIN,
    expr: (w) => `rate(etcd_server_proposals_failed_total[${w(15 * MIN)}]) > 5`,
    summary: 'etcd cluster has high number of proposal failures.',
    value: ([m], atUs, win) =>
      above(
        rate(
          series(m!, (s) => s.proposalsFailed),
          atUs,
          15 * MIN * 1e6 * win.scale,
        ),
        5,
      ),
  },
];

/** A Prometheus duration: 1m30s, 6s, 15m. */
export function promDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${rest || s === 0 ? `${rest}s` : ''}`;
}

export interface AlertStatus {
  alert: string;
  severity: Rule['severity'];
  /** The member the alert is about; absent for a cluster-wide rule. */
  instance?: number;
  state: AlertState;
  /** The expression as evaluated, with the windows in effect. */
  expr: string;
  /** `for`, in effect, in seconds. */
  forS: number;
  summary: string;
  /** The expression's value at the latest evaluation, when it holds. */
  value?: number;
  /** When the expression started to hold without a break (pending or firing). */
  activeSinceUs?: number;
}

/**
 * Every rule's state at `atUs`: one status per member for member rules, one for cluster rules.
 * Evaluation times are the multiples of the timing's interval, as each member's scrapes are.
 */
export function evaluateAlerts(
  members: readonly MemberScrapes[],
  atUs: number,
  timing: RuleTiming,
): AlertStatus[] {
  const win: Windows = { lookbackUs: 5 * MIN * 1e6 * timing.scale, scale: timing.scale };
  const w = (seconds: number) => promDuration(seconds * timing.scale);
  const lastEvalUs = Math.floor(atUs / timing.intervalUs) * timing.intervalUs;
  const out: AlertStatus[] = [];
  for (const rule of RULES) {
    const groups =
      rule.scope === 'cluster' ? [{ members }] : members.map((m) => ({ members: [m], id: m.id }));
    const forUs = rule.forS * 1e6 * timing.scale;
    for (const g of groups) {
      // Walk back from the latest evaluation while the expression holds; past `for` it fires.
      let value: number | undefined;
      let since: number | undefined;
      for (let t = lastEvalUs; t >= 0 && lastEvalUs - t <= forUs; t -= timing.intervalUs) {
        const v = rule.value(g.members, t, win);
        if (v === undefined) break;
        if (t === lastEvalUs) value = v;
        since = t;
      }
      const state: AlertState =
        since === undefined ? 'inactive' : lastEvalUs - since >= forUs ? 'firing' : 'pending';
      out.push({
        alert: rule.alert,
        severity: rule.severity,
        ...('id' in g && g.id !== undefined ? { instance: g.id } : {}),
        state,
        expr: rule.expr(w),
        forS: rule.forS * timing.scale,
        summary: rule.summary,
        ...(value !== undefined ? { value } : {}),
        ...(since !== undefined ? { activeSinceUs: since } : {}),
      });
    }
  }
  return out;
}
