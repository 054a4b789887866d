// A member's metrics in a running cluster: etcd's names with values that follow what the member
// did, nothing kept across a crash, and looking at them never changes the run.
import { describe, expect, it } from 'vitest';
import type { InProcessHost } from '../host/inproc-host';
import { evaluateAlerts } from '../metrics/alerts';
import { formatExposition } from '../metrics/exposition';
import { TIMINGS } from '../metrics/scrapes';
import { parseScenario } from '../scenario/schema';
import { Session } from '../sim/session';
import type { MetricsView } from './metrics';
import type { TraceRecord } from '../sim/conductor';

const S = 1_000_000;

function scenario(actions: { atUs: number; kind: string; [k: string]: unknown }[] = []) {
  return parseScenario({
    version: 1,
    seed: 7,
    title: 'metrics',
    settings: {},
    workloads: [{ mode: 'open', rate: 20, mix: { put: 1 }, keySpace: 50, startMs: 1500 }],
    actions,
    cursorUs: 1,
  });
}

async function metricsOf(s: Session, id: number): Promise<MetricsView> {
  const host = s.cluster.host as InProcessHost;
  const view = (await host.inspect(id, { metrics: true }))?.metrics;
  if (!view) throw new Error(`n${id} has no metrics`);
  return view;
}

/** One sample's value from the families: `name` with optional labels. */
function value(v: MetricsView, name: string, labels: Record<string, string> = {}): number {
  for (const f of v.families) {
    for (const s of f.samples) {
      const matches = Object.entries(labels).every(([k, l]) => s.labels?.[k] === l);
      if (matches && f.name === name && typeof s.value === 'number') return s.value;
      if (matches && `${f.name}_count` === name && typeof s.value !== 'number')
        return s.value.count;
    }
  }
  throw new Error(`no sample ${name}`);
}

async function leaderOf(s: Session): Promise<number> {
  for (const id of [1, 2, 3])
    if (value(await metricsOf(s, id), 'etcd_server_is_leader') === 1) return id;
  throw new Error('no leader');
}

describe('a member’s metrics', () => {
  it('follow what the member does', async () => {
    const writes: TraceRecord[] = [];
    const s = await Session.start(scenario(), {
      onTrace: (r) => void ((r.kind === 'persist' || r.kind === 'durable') && writes.push(r)),
    });
    await s.runTo(5.5 * S);
    const lead = await leaderOf(s);
    const follower = lead === 1 ? 2 : 1;
    const a = await metricsOf(s, follower);
    expect(value(a, 'etcd_server_has_leader')).toBe(1);
    expect(value(a, 'etcd_server_leader_changes_seen_total')).toBe(1);
    expect(value(a, 'etcd_server_id', { server_id: follower.toString(16) })).toBe(1);
    const committed = value(a, 'etcd_server_proposals_committed_total');
    expect(committed).toBeGreaterThan(40); // 20 puts/s for 3.5 s, plus the bootstrap entries
    expect(value(a, 'etcd_mvcc_put_total')).toBeGreaterThan(40);
    // Every write raft.MustSync asked to sync was fsynced, and only those: 2 ms + up to 0.5 ms on
    // the default disk, so all in le=0.004. The writes of a commit index alone have no fsync.
    const text = formatExposition(a.families);
    const fsyncs = value(a, 'etcd_disk_wal_fsync_duration_seconds_count');
    expect(fsyncs).toBeGreaterThan(40);
    const mine = writes.filter((r) => r.node === follower);
    const synced = new Set(
      mine.filter((r) => r.kind === 'persist' && r.sync !== false).map((r) => r.writeId),
    );
    const done = mine.filter((r) => r.kind === 'durable' && synced.has(r.writeId));
    expect(fsyncs).toBe(done.length);
    expect(mine.some((r) => r.kind === 'persist' && r.sync === false)).toBe(true);
    expect(text).toContain(`etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"} 0\n`);
    expect(text).toContain(`etcd_disk_wal_fsync_duration_seconds_bucket{le="0.004"} ${fsyncs}\n`);
    expect(value(a, 'etcd_disk_backend_commit_duration_seconds_count')).toBeGreaterThan(10);
    // Only the leader measures round trips, to each follower.
    const l = await metricsOf(s, lead);
    for (const peer of [1, 2, 3].filter((p) => p !== lead)) {
      expect(
        value(l, 'etcd_network_peer_round_trip_time_seconds_count', { To: String(peer) }),
      ).toBeGreaterThan(20);
    }
    expect(formatExposition(a.families)).not.toContain('etcd_network_peer_round_trip_time_seconds');
    // The member kept a scrape every second (lab) and every 15 s (etcd-mixin's timing).
    expect(a.scrapes.lab.map((x) => x.atUs)).toEqual([1, 2, 3, 4, 5].map((t) => t * S));
    expect(a.scrapes.etcd).toEqual([]);
    await s.runTo(8 * S);
    expect(
      value(await metricsOf(s, follower), 'etcd_server_proposals_committed_total'),
    ).toBeGreaterThan(committed);
    await s.dispose();
  });

  it('start from zero when the member restarts, as etcd’s process does', async () => {
    const s = await Session.start(
      scenario([
        { atUs: 4 * S, kind: 'crash', node: 3 },
        { atUs: 5 * S, kind: 'restart', node: 3 },
      ]),
    );
    await s.runTo(3.9 * S);
    const before = await metricsOf(s, 3);
    expect(value(before, 'etcd_mvcc_put_total')).toBeGreaterThan(20);
    await s.runTo(5 * S + 1);
    const after = await metricsOf(s, 3);
    expect(value(after, 'etcd_mvcc_put_total')).toBeLessThan(5);
    expect(value(after, 'etcd_disk_wal_fsync_duration_seconds_count')).toBeLessThan(5);
    expect(after.scrapes.lab).toEqual([]);
    await s.dispose();
  });

  it('are read without changing the run: the trace hash is the same, looked at or not', async () => {
    const run = async (look: boolean) => {
      const s = await Session.start(scenario([{ atUs: 3 * S, kind: 'crash-leader' }]));
      for (let t = 0.25 * S; t <= 6 * S; t += 0.25 * S) {
        await s.runTo(t);
        if (look)
          for (const id of [1, 2, 3])
            await (s.cluster.host as InProcessHost).inspect(id, { metrics: true });
      }
      const hash = s.traceHash;
      await s.dispose();
      return hash;
    };
    expect(await run(true)).toBe(await run(false));
  });

  it('light etcd-mixin’s alerts: a slow disk, a member without a leader', async () => {
    const s = await Session.start(
      scenario([
        { atUs: 3 * S, kind: 'slow-disk', node: 2, factor: 150 }, // 2 ms -> 300-375 ms fsyncs
        { atUs: 3 * S, kind: 'partition', groups: [[1, 2], [3]] },
      ]),
    );
    await s.runTo(20 * S);
    const lab = TIMINGS.lab;
    const views = await Promise.all(
      [1, 2, 3].map(async (id) => ({ id, scrapes: (await metricsOf(s, id)).scrapes.lab })),
    );
    const alerts = evaluateAlerts(views, s.nowUs, lab);
    const state = (alert: string, instance: number, severity = 'critical') =>
      alerts.find((a) => a.alert === alert && a.instance === instance && a.severity === severity)!
        .state;
    expect(state('etcdNoLeader', 3)).toBe('firing');
    expect(state('etcdNoLeader', 1)).toBe('inactive');
    expect(state('etcdHighFsyncDurations', 2, 'warning')).toBe('pending');
    expect(state('etcdHighFsyncDurations', 1, 'warning')).toBe('inactive');
    await s.dispose();
  });
});
