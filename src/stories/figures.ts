// The figures of one run of a story: what the benchmark reports for each variant it runs, and
// what the playground's story card measures from the run in the tab. One function per story,
// over a StoryRun (a finished headless run, or the tab's Session turned into one by
// `storyRunOf`), so the published figures and the tab's come from the same code.
import type { TraceRecord } from '../sim/conductor';
import type { Session } from '../sim/session';
import { nearestRank } from '../sim/metrics';
import {
  AUTH_MEASURE_FROM_MS,
  BATCH_START_MS,
  DISRUPT_HEAL_US,
  FCR_MEASURE_FROM_MS,
  FCR_WORKLOAD,
  PARTITION_CUT_US,
  PARTITION_HEAL_US,
  QUORUM_CRASH_US,
  QUORUM_END_US,
  READ_START_MS,
  TRANSFER_AT_US,
} from './index';
import { FREELIST_BIG_WORKLOAD, FREELIST_MEASURE_FROM_US } from './freelist-story';

/** What the figures read of a run's Session: its calls, its time, its cluster. */
export type RunSession = Pick<Session, 'history' | 'nowUs' | 'cluster'>;

export interface StoryRun {
  session: RunSession;
  /** The records of KEPT_KINDS (and any asked for), in order. */
  records: TraceRecord[];
  /** How many records of each kind the whole run had. */
  counts: Map<string, number>;
  /** Reads served by ReadIndex rounds (the sum of 'read-served' batches). */
  readsServedByRounds: number;
}

/** The trace record kinds a story run keeps (not messages or lock events: too many). */
export const KEPT_KINDS: ReadonlySet<string> = new Set([
  'state',
  'leader-change',
  'crash',
  'invariant-violated',
  'membership-refused',
  'propose-conf',
  'node-added',
  'action-failed',
  'removed',
]);

/**
 * A backend commit's hold of readTx being granted or released: the span of its work (its
 * duration, etcd_disk_backend_commit_duration_seconds). Kept too: ~20 records a second a member.
 */
function isCommitHold(r: TraceRecord): boolean {
  return r.kind === 'lock' && r.txn === 'commit' && r.lock === 'readTx' && r.phase !== 'requested';
}

/** Feeds one trace record into a run's records, counts and reads served. */
export function noteRecord(run: StoryRun, r: TraceRecord, keep?: readonly string[]): void {
  run.counts.set(r.kind, (run.counts.get(r.kind) ?? 0) + 1);
  if (KEPT_KINDS.has(r.kind) || keep?.includes(r.kind) || isCommitHold(r)) run.records.push(r);
  if (r.kind === 'read-served' && typeof r.batch === 'number') run.readsServedByRounds += r.batch;
}

/** The client calls' records, which some stories' figures read (story 3: who answered what). */
export const CALL_KINDS: readonly string[] = ['request', 'response'];

/**
 * A run in the tab as a StoryRun, as it stood at `untilUs` (default: its head): the records and
 * calls up to then, a call answered later counted as not answered yet.
 */
export function storyRunOf(session: Session, untilUs = session.nowUs): StoryRun {
  const nowUs = Math.min(untilUs, session.nowUs);
  const history = session.history
    .filter((h) => h.callUs <= nowUs)
    .map((h) =>
      h.returnUs === undefined || h.returnUs <= nowUs
        ? h
        : { ...h, returnUs: undefined, response: undefined, error: undefined },
    );
  const run: StoryRun = {
    session: { history, nowUs, cluster: session.cluster },
    records: [],
    counts: new Map(),
    readsServedByRounds: 0,
  };
  const { timeline } = session;
  for (let i = 0; i < timeline.length; i++) {
    const r = timeline.record(i);
    if (!r) continue;
    if (r.atUs > nowUs) break;
    noteRecord(run, r, CALL_KINDS);
  }
  return run;
}

export interface CallStats {
  ok: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  /** Successful calls returned per simulated second over the window. */
  perSecond: number;
}

/**
 * Calls of workload `w` (its clients' ids) made in [fromUs, toUs) that have returned by the end
 * of the run. `toUs` defaults to the run's end. Throughput counts successes returned in the window.
 */
export function workloadStats(run: StoryRun, w: number, fromUs: number, toUs?: number): CallStats {
  const end = toUs ?? run.session.nowUs;
  const lat: number[] = [];
  let failed = 0;
  let returnedOk = 0;
  for (const h of run.session.history) {
    if (h.clientId < 1000 || Math.floor((h.clientId - 1000) / 1000) !== w) continue;
    if (h.returnUs === undefined) continue;
    if (h.error === undefined && h.returnUs >= fromUs && h.returnUs < end) returnedOk++;
    if (h.callUs < fromUs || h.callUs >= end) continue;
    if (h.error !== undefined) failed++;
    else lat.push(h.returnUs - h.callUs);
  }
  lat.sort((a, b) => a - b);
  return {
    ok: lat.length,
    failed,
    p50Ms: nearestRank(lat, 50) / 1000,
    p99Ms: nearestRank(lat, 99) / 1000,
    perSecond: end > fromUs ? returnedOk / ((end - fromUs) / 1e6) : 0,
  };
}

/** Each backend commit's duration (µs, granted to released) that started at or after fromUs. */
export function commitDurationsUs(run: StoryRun, fromUs = 0): number[] {
  const granted = new Map<string, number>();
  const out: number[] = [];
  for (const r of run.records) {
    if (!isCommitHold(r)) continue;
    const id = `${r.node}:${String(r.txnId)}`;
    const at = r.lockAtUs as number;
    if (r.phase === 'granted') granted.set(id, at);
    else {
      const from = granted.get(id);
      if (from !== undefined && from >= fromUs) out.push(at - from);
      granted.delete(id);
    }
  }
  return out.sort((a, b) => a - b);
}

/** Elections won (a member becoming leader) in [fromUs, toUs). */
export function leadersElected(run: StoryRun, fromUs = 0, toUs = Infinity): number {
  return run.records.filter(
    (r) => r.kind === 'state' && r.to === 'StateLeader' && r.atUs >= fromUs && r.atUs < toUs,
  ).length;
}

/**
 * The window without a leader around `atUs`: from when the member leading at `atUs` stopped
 * leading (stepped down or crashed) to when another member became leader. Undefined if either
 * never happened.
 */
export function leaderlessGapUs(run: StoryRun, atUs: number): number | undefined {
  let leader: number | undefined;
  for (const r of run.records) {
    if (r.atUs > atUs) break;
    if (r.kind === 'state' && r.to === 'StateLeader') leader = r.node;
  }
  if (leader === undefined) return undefined;
  const stopped = run.records.find(
    (r) =>
      r.atUs >= atUs &&
      r.node === leader &&
      (r.kind === 'crash' || (r.kind === 'state' && r.from === 'StateLeader')),
  );
  if (!stopped) return undefined;
  const next = run.records.find(
    (r) =>
      r.atUs >= stopped.atUs && r.kind === 'state' && r.to === 'StateLeader' && r.node !== leader,
  );
  return next ? next.atUs - stopped.atUs : undefined;
}

export function violations(run: StoryRun): TraceRecord[] {
  return run.records.filter((r) => r.kind === 'invariant-violated');
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** One run's figures: flat, JSON-friendly. */
export type RunFigures = Record<string, string | number>;

// ---- each story's figures for one run ----

/** Story 1: throughput with one and with two members down (windows from 1.5 s after each crash). */
export function quorumFigures(run: StoryRun): RunFigures {
  const settle = 1_500_000;
  const one = workloadStats(run, 0, QUORUM_CRASH_US[0] + settle, QUORUM_CRASH_US[1]).perSecond;
  const two = workloadStats(run, 0, QUORUM_CRASH_US[1] + settle, QUORUM_END_US).perSecond;
  return {
    puts_per_s_one_down: round(one, 1),
    puts_per_s_two_down: round(two, 1),
    tolerated_failures: two > 0 ? 2 : one > 0 ? 1 : 0,
  };
}

export function disruptionFigures(run: StoryRun): RunFigures {
  const terms = run.records.filter((r) => r.kind === 'state').map((r) => r.term as number);
  return {
    leader_changes_after_heal: leadersElected(run, DISRUPT_HEAL_US),
    max_term_seen: Math.max(0, ...terms),
  };
}

/**
 * Story 3: who answered each put made during the partition: the isolated leader, or the rest. A
 * put made before the cut may be answered by the old leader just after it: a quorum had its entry
 * already, so that answer is no split brain, and it is not counted.
 */
export function partitionFigures(run: StoryRun): RunFigures {
  let isolated: number | undefined;
  for (const r of run.records) {
    if (r.atUs > PARTITION_CUT_US) break;
    if (r.kind === 'state' && r.to === 'StateLeader') isolated = r.node;
  }
  const callKey = (r: TraceRecord) => `${String(r.clientId)}:${String(r.requestId)}`;
  const during = new Set<string>();
  for (const r of run.records)
    if (r.kind === 'request' && r.atUs >= PARTITION_CUT_US && r.atUs < PARTITION_HEAL_US)
      during.add(callKey(r));
  let minority = 0;
  let majority = 0;
  let failed = 0;
  for (const r of run.records) {
    if (r.kind !== 'response' || r.atUs < PARTITION_CUT_US || r.atUs >= PARTITION_HEAL_US) continue;
    if (typeof r.clientId !== 'number' || r.clientId < 1000) continue;
    if (!during.has(callKey(r))) continue;
    if (r.ok !== true) failed++;
    else if (r.node === isolated) minority++;
    else majority++;
  }
  return {
    minority_acknowledged_puts: minority,
    majority_acknowledged_puts: majority,
    failed_puts: failed,
    violations: violations(run).length,
  };
}

export function figure8Figures(run: StoryRun): RunFigures {
  const v = violations(run);
  return { violations: v.length, ...(v[0] ? { first_violation: String(v[0].message) } : {}) };
}

/** Story 5: reads per second, p99, and ReadIndex rounds per read returned. */
export function readFigures(run: StoryRun): RunFigures {
  const s = workloadStats(run, 0, READ_START_MS * 1000);
  const rounds = run.counts.get('read-index') ?? 0;
  return {
    reads_per_s: round(s.perSecond, 0),
    p99_ms: round(s.p99Ms, 3),
    rounds_per_read: s.ok > 0 ? round(rounds / s.ok, 4) : 0,
  };
}

export function fcrFigures(run: StoryRun): RunFigures {
  const p99 = (w: number) => round(workloadStats(run, w, FCR_MEASURE_FROM_MS * 1000).p99Ms, 3);
  return {
    cheap_read_p99_ms: p99(FCR_WORKLOAD.cheap),
    expensive_read_p99_ms: p99(FCR_WORKLOAD.expensive),
    write_p99_ms: p99(FCR_WORKLOAD.write),
  };
}

/** Story 7: the window without a leader after the leader is stopped or crashed. */
export function transferFigures(run: StoryRun): RunFigures {
  const us = leaderlessGapUs(run, TRANSFER_AT_US);
  return { leaderless_gap_ms: us === undefined ? NaN : round(us / 1000, 3) };
}

/** Story 8: the membership changes refused and proposed, and the member ids at the end. */
export function membershipLists(run: StoryRun) {
  return {
    refused: run.records.filter((r) => r.kind === 'membership-refused').map((r) => String(r.error)),
    proposed: run.records
      .filter((r) => r.kind === 'propose-conf')
      .map((r) => `${String(r.change)} ${String(r.nodeId)}`),
    members_at_end: run.session.cluster.conductor.nodeIds(),
  };
}

export function membershipFigures(run: StoryRun): RunFigures {
  const m = membershipLists(run);
  return {
    refused: m.refused.join('; '),
    proposed: m.proposed.join('; '),
    members_at_end: m.members_at_end.join(', '),
  };
}

/**
 * Story 9, from the first leader on: elections after it per minute, and puts that failed once a
 * second had passed (a put made before any leader fails in every setting alike).
 */
export function tuningFigures(run: StoryRun): RunFigures {
  const endUs = run.session.nowUs;
  const first = run.records.find((r) => r.kind === 'state' && r.to === 'StateLeader');
  const fromUs = first?.atUs ?? endUs;
  const minutes = Math.max(1e-9, (endUs - fromUs) / 60e6);
  const puts = workloadStats(run, 0, fromUs + 1e6, endUs);
  return {
    leader_changes_per_min: round(Math.max(0, leadersElected(run) - 1) / minutes, 2),
    failed_proposals: puts.failed,
    write_p50_ms: round(puts.p50Ms, 3),
    write_p99_ms: round(puts.p99Ms, 3),
  };
}

/** Story 10: puts per simulated second from `fromUs` (once the sessions are up) to the end. */
export function authFigures(run: StoryRun, fromUs: number): RunFigures {
  return { puts_per_s: round(workloadStats(run, 0, fromUs).perSecond, 1) };
}

export function batchingFigures(run: StoryRun, fromUs: number): RunFigures {
  const s = workloadStats(run, 0, fromUs);
  return { write_p99_ms: round(s.p99Ms, 3), writes_per_s: round(s.perSecond, 0) };
}

/**
 * Story 15: backend commits (how many, median and p99 duration) and the 14 KiB puts' p99, from
 * when the member has a leader. The freelist's own work per commit is in the node's details.
 */
export function freelistFigures(run: StoryRun): RunFigures {
  const commits = commitDurationsUs(run, FREELIST_MEASURE_FROM_US);
  const big = workloadStats(run, FREELIST_BIG_WORKLOAD, FREELIST_MEASURE_FROM_US);
  return {
    commits: commits.length,
    commit_p50_ms: round(nearestRank(commits, 50) / 1000, 3),
    commit_p99_ms: round(nearestRank(commits, 99) / 1000, 3),
    put_14k_p99_ms: round(big.p99Ms, 3),
  };
}

/** Each story's figures for one run, by story id: what the story card measures in the tab. */
export const STORY_FIGURES: Readonly<Record<string, (run: StoryRun) => RunFigures>> = {
  'first-election': quorumFigures,
  'split-votes': disruptionFigures,
  partition: partitionFigures,
  figure8: figure8Figures,
  reads: readFigures,
  'fully-concurrent-reads': fcrFigures,
  'leader-transfer': transferFigures,
  membership: membershipFigures,
  tuning: tuningFigures,
  auth: (run) => authFigures(run, AUTH_MEASURE_FROM_MS * 1000),
  batching: (run) => batchingFigures(run, BATCH_START_MS * 1000),
  freelist: freelistFigures,
};
