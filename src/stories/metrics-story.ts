// Story 13: watching the cluster's health (source article 003: "monitor etcd server metrics"; the
// number of leader changes and failed proposals betray a bad configuration). The cluster as an
// operator's dashboard sees it: every member's /metrics under etcd's names, and etcd-mixin's
// alerts (src/metrics/alerts.ts) lighting up, in the lab's timing (every window a tenth of the
// mixin's, so an alert held "for 10m" fires after one simulated minute).
//
// Alerts are not trace records (reading metrics never changes a run), so the alert checkpoints
// are times; METRICS_STORY_ALERTS says what the alerts are at each, and the story's test checks
// it against the members' own scrapes.
import { parseScenario, type Scenario } from '../scenario/schema';
import type { Story } from './types';

const S = 1_000_000;

/** The member whose disk turns slow: fsyncs of 2 ms become 600-750 ms (x300). */
export const SLOW_DISK_NODE = 3;
export const SLOW_DISK_FACTOR = 300;
export const SLOW_DISK_US = 10 * S;
export const DISK_HEALED_US = 95 * S;
/**
 * Four leadership moves, 15 s apart (etcdctl move-leader, as a rolling restart makes them): from
 * the leader the seed elects (member 3) round the members. Each is a leader change on every member.
 */
export const MOVES: readonly { atUs: number; from: number; to: number }[] = [
  { atUs: 100 * S, from: 3, to: 1 },
  { atUs: 115 * S, from: 1, to: 2 },
  { atUs: 130 * S, from: 2, to: 3 },
  { atUs: 145 * S, from: 3, to: 1 },
];
/** Member 3 cut off from the others. */
export const CUT_NODE = 3;
export const CUT_US = 185 * S;
export const METRICS_STORY_END_US = 200 * S;

export function metricsScenario(): Scenario {
  return parseScenario({
    version: 1,
    seed: 121,
    title: "Watching the cluster's health",
    settings: {},
    workloads: [{ mode: 'open', rate: 20, mix: { put: 1 }, keySpace: 100, startMs: 1500 }],
    actions: [
      { atUs: SLOW_DISK_US, kind: 'slow-disk', node: SLOW_DISK_NODE, factor: SLOW_DISK_FACTOR },
      { atUs: DISK_HEALED_US, kind: 'slow-disk', node: SLOW_DISK_NODE, factor: 1 },
      ...MOVES.map((m) => ({ atUs: m.atUs, kind: 'transfer-leader', node: m.from, to: m.to })),
      { atUs: CUT_US, kind: 'partition', groups: [[1, 2], [CUT_NODE]] },
    ],
    cursorUs: METRICS_STORY_END_US,
  });
}

/** An alert's expected state: [alert, member (none: cluster-wide), state, severity if not the first]. */
type Expect = [alert: string, instance: number | undefined, state: string, severity?: string];

/** A checkpoint at a time, and what etcd-mixin's alerts (lab timing) are then. */
interface AlertCheckpoint {
  title: string;
  atUs: number;
  narration: string;
  alerts: Expect[];
}

function at(title: string, seconds: number, narration: string, alerts: Expect[]): AlertCheckpoint {
  return { title, atUs: seconds * S, narration, alerts };
}

/** The alert checkpoints, in story order; the story's test checks every expected state. */
export const METRICS_STORY_ALERTS: readonly AlertCheckpoint[] = [
  at(
    'healthy',
    8,
    'Every member reports etcd_server_has_leader 1 and one leader change (the first election); proposals committed grow with the puts, and WAL fsyncs all fall in the 4 ms bucket. No alert.',
    [['etcdHighFsyncDurations', 3, 'inactive']],
  ),
  at(
    'fsync alert pending',
    30,
    "The 99th percentile of member 3's fsyncs over the last 30 s is above 0.5 s: etcdHighFsyncDurations is pending; it fires if that holds for one minute (etcd-mixin: 5m window, for 10m).",
    [['etcdHighFsyncDurations', 3, 'pending']],
  ),
  at(
    'fsync alert firing',
    90,
    'A minute on, the disk is still slow: etcdHighFsyncDurations fires for member 3 (warning, above 0.5 s). Its critical twin (above 1 s) is pending: fsyncs of 600-750 ms fall in the 0.512-1.024 s bucket, where Prometheus interpolates their p99 to 1.02 s. The article: fsync is synchronous and every write waits for it, so pick the fastest disk you can.',
    [
      ['etcdHighFsyncDurations', 3, 'firing', 'warning'],
      ['etcdHighFsyncDurations', 3, 'pending', 'critical'],
      ['etcdHighFsyncDurations', 1, 'inactive', 'warning'],
    ],
  ),
  at(
    'leader changes',
    152,
    'The disk is healed; now leadership moves every 15 s, as in a rolling restart (etcdctl move-leader). etcd_server_leader_changes_seen_total grows on every member; four changes within 90 s make etcdHighNumberOfLeaderChanges pending.',
    [['etcdHighNumberOfLeaderChanges', undefined, 'pending']],
  ),
  at(
    'churn alert firing',
    183,
    'Still four changes in the window 30 s later: the alert fires. The article: frequent leader changes mean a heartbeat or election timeout too short for the network or the disks.',
    [['etcdHighNumberOfLeaderChanges', undefined, 'firing']],
  ),
  at(
    'no leader',
    195,
    'Member 3 is cut off: after an election timeout it gives up on the leader (etcd_server_has_leader 0) and, with PreVote, cannot disrupt the others. 6 s later etcdNoLeader fires for member 3 alone; members 1 and 2 still have their leader.',
    [
      ['etcdNoLeader', 3, 'firing'],
      ['etcdNoLeader', 1, 'inactive'],
    ],
  ),
];

const checkpoint = ({ title, atUs, narration }: AlertCheckpoint) => ({ title, atUs, narration });

export const METRICS_STORY: Story = {
  id: 'metrics',
  number: 13,
  title: "Watching the cluster's health: etcd's metrics and alerts",
  summary:
    "Each member serves its metrics under etcd's names (open the Metrics panel: etcd_server_has_leader, proposals committed, the WAL fsync histogram...). A slow disk on one member raises its fsync p99 until etcdHighFsyncDurations fires; leadership moved round the members makes leader changes grow until etcdHighNumberOfLeaderChanges fires; a member cut off loses its leader and etcdNoLeader fires for it. Alerts use etcd-mixin's rules with every window a tenth as long (the panel can switch to the mixin's own).",
  articles: [
    {
      seed: 3,
      title: 'How etcd persists data and how to configure it correctly',
      where: 'monitor etcd server metrics; leader changes and failed proposals',
    },
  ],
  scenario: metricsScenario,
  variants: [],
  checkpoints: [
    checkpoint(METRICS_STORY_ALERTS[0]!),
    {
      title: 'slow disk',
      narration: `Member ${SLOW_DISK_NODE}'s disk becomes ${SLOW_DISK_FACTOR} times slower: each fsync now takes 600 to 750 ms, and its Ready loop waits for each.`,
      on: { kind: 'slow-disk', where: { node: SLOW_DISK_NODE, factor: SLOW_DISK_FACTOR } },
    },
    ...METRICS_STORY_ALERTS.slice(1).map(checkpoint),
  ],
  results: {
    measures: [
      'etcd_disk_wal_fsync_duration_seconds p99 per member',
      'etcd_server_leader_changes_seen_total',
      'etcd_server_has_leader per member',
    ],
    expect:
      'etcdHighFsyncDurations for the slow member only; etcdHighNumberOfLeaderChanges after four changes; etcdNoLeader for the cut member only.',
  },
};
