// One member's metrics, as etcd keeps them in its process: counters, gauges and histograms under
// etcd's names (src/metrics/etcd.ts), updated by the server as things happen, in simulated time.
// Nothing here is persisted — a restarted member starts from zero, as etcd's does — and nothing
// here feeds back into what the member does: reading metrics never changes a run.
//
// What each one measures here:
// - WAL fsync: from the moment a Ready's write is handed to the disk to the moment the disk says
//   it is durable (the disk model's fsync latency, queueing behind earlier writes included).
// - backend commit: how long each batch commit holds the backend's locks (the cost model of
//   article 004).
// - peer round trip: the leader's heartbeat to a follower and its response. etcd measures it
//   with a prober every member runs against every peer; here only the leader measures, and only
//   over messages it sends anyway, so observing changes no traffic.
import type { MvccStore } from '../mvcc';
import type { TxnRequest } from '../mvcc/types';
import {
  DISK_DURATION_BUCKETS,
  ETCD,
  PEER_RTT_BUCKETS,
  WARN_APPLY_US,
  type MetricInfo,
} from '../metrics/etcd';
import type { MetricFamily } from '../metrics/exposition';
import { Histogram } from '../metrics/histogram';
import { ScrapeRing, TIMINGS, type Scrape, type TimingName } from '../metrics/scrapes';
import type { ClientRequest } from './requests';

/** What a member's metrics look like from outside: the families and the scrapes it kept. */
export interface MetricsView {
  families: MetricFamily[];
  scrapes: Record<TimingName, Scrape[]>;
}

/** State the server owns that some gauges show (read at exposition time, never stored). */
export interface GaugeInputs {
  id: number;
  version: string;
  lead: number;
  isLearner: boolean;
  commit: number;
  applied: number;
  proposalsPending: number;
  store: MvccStore;
  /** The backend file's size and the bytes in use in it (its page model, src/mvcc/backend). */
  dbSize: number;
  dbSizeInUse: number;
  /** --quota-backend-bytes in force. */
  quotaBackendBytes: number;
}

const counterNames = [
  'leaderChanges',
  'proposalsFailed',
  'readIndexesFailed',
  'slowReadIndexes',
  'slowApply',
  'putTotal',
  'deleteTotal',
  'rangeTotal',
  'txnTotal',
] as const;
type CounterName = (typeof counterNames)[number];

export class ServerMetrics {
  private readonly counters = Object.fromEntries(counterNames.map((n) => [n, 0])) as Record<
    CounterName,
    number
  >;
  readonly walFsync = new Histogram(DISK_DURATION_BUCKETS);
  readonly backendCommit = new Histogram(DISK_DURATION_BUCKETS);
  private readonly peerRtt = new Map<number, Histogram>();
  /** When each WAL write was handed to the disk, by write id. */
  private readonly writesIssued = new Map<number, number>();
  /** When the leader's latest unanswered heartbeat went to each peer. */
  private readonly heartbeatSent = new Map<number, number>();
  /** When each backend commit took its locks, by transaction id. */
  private readonly commitsGranted = new Map<number, number>();
  private readonly rings: Record<TimingName, ScrapeRing>;
  private hasLeader = 0;

  constructor(startUs: number) {
    this.rings = {
      etcd: new ScrapeRing(TIMINGS.etcd, startUs),
      lab: new ScrapeRing(TIMINGS.lab, startUs),
    };
  }

  inc(name: CounterName, by = 1): void {
    this.counters[name] += by;
  }

  /** etcd's raftNode: a new, known leader counts as a change; no leader sets has_leader to 0. */
  leader(previous: number, lead: number): void {
    if (lead !== 0 && lead !== previous) this.counters.leaderChanges++;
    this.hasLeader = lead === 0 ? 0 : 1;
  }

  /** Before every input: the scrapes due by `nowUs` see the state as the last input left it. */
  advance(nowUs: number): void {
    const take = () => ({
      hasLeader: this.hasLeader,
      leaderChanges: this.counters.leaderChanges,
      proposalsFailed: this.counters.proposalsFailed,
      fsync: cumulativeWithInf(this.walFsync),
      commit: cumulativeWithInf(this.backendCommit),
    });
    this.rings.etcd.catchUp(nowUs, take);
    this.rings.lab.catchUp(nowUs, take);
  }

  walWriteIssued(writeId: number, nowUs: number): void {
    this.writesIssued.set(writeId, nowUs);
  }

  walWriteDurable(writeId: number, nowUs: number): void {
    const issued = this.writesIssued.get(writeId);
    if (issued === undefined) return;
    this.writesIssued.delete(writeId);
    this.walFsync.observe((nowUs - issued) / 1e6);
  }

  /** The backend's lock events: a commit's duration is from its grant to its release. */
  backendEvent(e: {
    kind: string;
    phase: string;
    lock: string;
    txnId: number;
    atUs: number;
  }): void {
    if (e.kind !== 'commit' || e.lock !== 'readTx') return;
    if (e.phase === 'granted') this.commitsGranted.set(e.txnId, e.atUs);
    else if (e.phase === 'released') {
      const granted = this.commitsGranted.get(e.txnId);
      if (granted === undefined) return;
      this.commitsGranted.delete(e.txnId);
      this.backendCommit.observe((e.atUs - granted) / 1e6);
    }
  }

  heartbeatSentTo(peer: number, nowUs: number): void {
    // The oldest unanswered one: a lost heartbeat's round trip is measured from when it left.
    if (!this.heartbeatSent.has(peer)) this.heartbeatSent.set(peer, nowUs);
  }

  heartbeatAnsweredBy(peer: number, nowUs: number): void {
    const sent = this.heartbeatSent.get(peer);
    if (sent === undefined) return;
    this.heartbeatSent.delete(peer);
    let h = this.peerRtt.get(peer);
    if (!h) this.peerRtt.set(peer, (h = new Histogram(PEER_RTT_BUCKETS)));
    h.observe((nowUs - sent) / 1e6);
  }

  /** A member that stops leading stops measuring: its heartbeats in flight are forgotten. */
  leadershipLost(): void {
    this.heartbeatSent.clear();
  }

  /** An apply that took longer than etcd's warnApplyDuration (100 ms). */
  applied(durationUs: number): void {
    if (durationUs > WARN_APPLY_US) this.counters.slowApply++;
  }

  /** mvcc's metricsTxnWrite/Read: each range, put and delete counts; a txn of several ops too. */
  storeOp(req: ClientRequest, succeeded?: boolean): void {
    switch (req.method) {
      case 'range':
        return this.inc('rangeTotal');
      case 'put':
        return this.inc('putTotal');
      case 'deleteRange':
        return this.inc('deleteTotal');
      case 'txn':
        return this.txnOps(req.body, succeeded);
      default:
    }
  }

  private txnOps(body: TxnRequest, succeeded: boolean | undefined): void {
    if (succeeded === undefined) return;
    const ops = (succeeded ? body.success : body.failure) ?? [];
    for (const op of ops) {
      if ('request_range' in op) this.inc('rangeTotal');
      else if ('request_put' in op) this.inc('putTotal');
      else if ('request_delete_range' in op) this.inc('deleteTotal');
    }
    if (ops.length > 1) this.inc('txnTotal');
  }

  view(g: GaugeInputs): MetricsView {
    // Single-valued families by their key in ETCD: the gauges read now, then the counters.
    const values: Partial<Record<keyof typeof ETCD, number>> = {
      hasLeader: g.lead === 0 ? 0 : 1,
      isLeader: g.lead === g.id ? 1 : 0,
      isLearner: g.isLearner ? 1 : 0,
      proposalsCommitted: g.commit,
      proposalsApplied: g.applied,
      proposalsPending: g.proposalsPending,
      quotaBackendBytes: g.quotaBackendBytes,
      dbTotalSize: g.dbSize,
      dbInUseSize: g.dbSizeInUse,
      currentRevision: g.store.revision,
      compactRevision: g.store.compactRevision,
      ...this.counters,
    };
    const families: MetricFamily[] = Object.entries(values).map(([key, value]) => ({
      ...ETCD[key as keyof typeof ETCD],
      type: ETCD[key as keyof typeof ETCD].type as 'counter' | 'gauge',
      samples: [{ value }],
    }));
    const labelled = (info: MetricInfo, labels: Record<string, string>): MetricFamily => ({
      ...info,
      type: 'gauge',
      samples: [{ labels, value: 1 }],
    });
    const histogram = (info: MetricInfo, samples: [Record<string, string>, Histogram][]) => ({
      ...info,
      type: 'histogram' as const,
      samples: samples.map(([labels, h]) => ({ labels, value: h.snapshot() })),
    });
    families.push(
      labelled(ETCD.serverId, { server_id: g.id.toString(16) }),
      labelled(ETCD.version, { server_version: g.version }),
      histogram(ETCD.walFsync, [[{}, this.walFsync]]),
      histogram(ETCD.backendCommit, [[{}, this.backendCommit]]),
      histogram(
        ETCD.peerRtt,
        [...this.peerRtt.entries()]
          .sort(([a], [b]) => a - b)
          .map(([peer, h]) => [{ To: peer.toString(16) }, h]),
      ),
    );
    return { families, scrapes: { etcd: this.rings.etcd.all(), lab: this.rings.lab.all() } };
  }
}

function cumulativeWithInf(h: Histogram): number[] {
  const s = h.snapshot();
  return [...s.cumulative, s.count];
}
