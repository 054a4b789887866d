// Runs the stories headless and measures each one's point: the figures bench/stories.bench.ts
// writes to bench/results/stories.json and BENCHMARKS.md, and the tests check (with `quick`).
// Everything is simulated time; the same options give the same figures on every machine.
import type { Scenario } from '../scenario/schema';
import type { TraceRecord } from '../sim/conductor';
import { Session } from '../sim/session';
import {
  AUTH_END_US,
  AUTH_START_MS,
  BATCH_END_US,
  BATCH_INTERVALS_MS,
  BATCH_LIMITS,
  BATCH_START_MS,
  DISRUPT_END_US,
  DISRUPT_HEAL_US,
  FCR_END_MS,
  FCR_MEASURE_FROM_MS,
  FCR_WORKLOAD,
  FIGURE8_END_US,
  LOCK_MODES,
  MEMBERSHIP_END_US,
  PARTITION_CUT_US,
  PARTITION_END_US,
  PARTITION_HEAL_US,
  QUORUM_CRASH_US,
  QUORUM_END_US,
  READ_CONCURRENCIES,
  READ_PATHS,
  READ_START_MS,
  TRANSFER_AT_US,
  TRANSFER_END_US,
  TUNING_END_US,
  TUNING_SETTINGS,
  TUNING_START_MS,
  authScenario,
  batchScenario,
  disruptScenario,
  fcrScenario,
  figure8Scenario,
  membershipScenario,
  partitionScenario,
  quorumScenario,
  readScenario,
  transferScenario,
  tuningScenario,
} from './index';
import { nearestRank } from '../sim/metrics';
import { bcryptCheckUs } from '../server/auth';
import { measureProxy, type ProxyFigures } from './proxy-story';

/** The trace record kinds a story run keeps (not messages or lock events: too many). */
const KEPT_KINDS: ReadonlySet<string> = new Set([
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

export interface StoryRun {
  session: Session;
  /** The records of KEPT_KINDS, in order. */
  records: TraceRecord[];
  /** How many records of each kind the whole run had. */
  counts: Map<string, number>;
  /** Reads served by ReadIndex rounds (the sum of 'read-served' batches). */
  readsServedByRounds: number;
}

export interface RunStoryOptions {
  untilUs: number;
  /** Stop early (at a 1 ms boundary) once this many client calls have returned. */
  maxCalls?: number;
  /** Keep these record kinds too. */
  keep?: readonly string[];
}

/** Runs `scenario` in this process (the default in-process host) to `untilUs`. */
export async function runStory(scenario: Scenario, opts: RunStoryOptions): Promise<StoryRun> {
  const records: TraceRecord[] = [];
  const counts = new Map<string, number>();
  let readsServedByRounds = 0;
  const session = await Session.start(scenario, {
    onTrace: (r) => {
      counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
      if (KEPT_KINDS.has(r.kind) || opts.keep?.includes(r.kind)) records.push(r);
      if (r.kind === 'read-served' && typeof r.batch === 'number') readsServedByRounds += r.batch;
    },
  });
  if (opts.maxCalls === undefined) await session.runTo(opts.untilUs);
  else {
    const stepUs = 1_000;
    for (let t = Math.min(opts.untilUs, stepUs); ; t = Math.min(opts.untilUs, t + stepUs)) {
      await session.runTo(t);
      const returned = session.history.filter((h) => h.returnUs !== undefined).length;
      if (t >= opts.untilUs || returned >= opts.maxCalls) break;
    }
  }
  await session.dispose();
  return { session, records, counts, readsServedByRounds };
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

// ---- the figures of bench/results/stories.json ----

export interface ReadPoint {
  concurrency: number;
  reads_per_s: number;
  p99_ms: number;
  rounds_per_read: number;
}

export interface StoriesFigures {
  /** Story 12, by variant ('proxy', 'no-proxy'); absent from figures made before it. */
  proxy?: Record<string, ProxyFigures & { watchEvents: number }>;
  auth: { bcrypt_rps: number; token_rps: number };
  /** Beside "auth": auth off, and the most per-request bcrypt could ever serve (cores / check). */
  auth_detail: { off_rps: number; bcrypt_ceiling_rps: number };
  reads: Record<string, ReadPoint[]>;
  fcr: Record<
    string,
    { cheap_read_p99_ms: number; expensive_read_p99_ms: number; write_p99_ms: number }
  >;
  leader_transfer: { graceful_gap_ms: number; crash_gap_ms: number };
  tuning: Record<string, { leader_changes_per_min: number; failed_proposals: number }>;
  /** Beside "tuning": put latency from a second after the first leader on. */
  tuning_detail: Record<string, { write_p50_ms: number; write_p99_ms: number }>;
  batching: {
    batch_interval_ms: number;
    batch_limit: number;
    write_p99_ms: number;
    writes_per_s: number;
  }[];
  quorum: Record<
    string,
    { puts_per_s_one_down: number; puts_per_s_two_down: number; tolerated_failures: number }
  >;
  disruption: Record<string, { leader_changes_after_heal: number; max_term_seen: number }>;
  partition: {
    minority_acknowledged_puts: number;
    majority_acknowledged_puts: number;
    failed_puts: number;
    violations: number;
  };
  figure8: Record<string, { violations: number; first_violation?: string }>;
  membership: { refused: string[]; proposed: string[]; members_at_end: number[] };
}

export interface MeasureOptions {
  /** A small, fast run for tests: fewer calls per point, shorter windows. */
  quick?: boolean;
  /** Progress lines (the bench prints them). */
  log?: (line: string) => void;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function measureReads(opts: MeasureOptions = {}): Promise<StoriesFigures['reads']> {
  const out: StoriesFigures['reads'] = {};
  const startUs = READ_START_MS * 1000;
  for (const path of READ_PATHS) {
    out[path] = [];
    for (const concurrency of READ_CONCURRENCIES) {
      // A budget of calls rather than a fixed window: serializable reads cost only the backend's
      // read time, so they run at millions per simulated second.
      const run = await runStory(readScenario(path, concurrency), {
        untilUs: startUs + (opts.quick ? 0.3 : 2) * 1e6,
        maxCalls: opts.quick ? 300 : 20_000,
      });
      const s = workloadStats(run, 0, startUs);
      const rounds = run.counts.get('read-index') ?? 0;
      out[path].push({
        concurrency,
        reads_per_s: round(s.perSecond, 0),
        p99_ms: round(s.p99Ms, 3),
        rounds_per_read: s.ok > 0 ? round(rounds / s.ok, 4) : 0,
      });
      opts.log?.(
        `reads ${path} c=${concurrency}: ${s.perSecond.toFixed(0)}/s p99 ${s.p99Ms} ms, ${rounds} rounds / ${s.ok} reads`,
      );
    }
  }
  return out;
}

export async function measureFcr(opts: MeasureOptions = {}): Promise<StoriesFigures['fcr']> {
  const out: StoriesFigures['fcr'] = {};
  const from = FCR_MEASURE_FROM_MS * 1000;
  for (const mode of LOCK_MODES) {
    const run = await runStory(fcrScenario(mode, opts.quick ? 1000 : undefined), {
      untilUs: opts.quick ? from + 1_000_000 : FCR_END_MS * 1000,
    });
    const p99 = (w: number) => round(workloadStats(run, w, from).p99Ms, 3);
    out[mode] = {
      cheap_read_p99_ms: p99(FCR_WORKLOAD.cheap),
      expensive_read_p99_ms: p99(FCR_WORKLOAD.expensive),
      write_p99_ms: p99(FCR_WORKLOAD.write),
    };
    opts.log?.(`fcr ${mode}: ${JSON.stringify(out[mode])}`);
  }
  return out;
}

export async function measureTransfer(
  opts: MeasureOptions = {},
): Promise<StoriesFigures['leader_transfer']> {
  const gap = async (graceful: boolean) => {
    const run = await runStory(transferScenario(graceful), { untilUs: TRANSFER_END_US });
    const us = leaderlessGapUs(run, TRANSFER_AT_US);
    return us === undefined ? NaN : round(us / 1000, 3);
  };
  const out = { graceful_gap_ms: await gap(true), crash_gap_ms: await gap(false) };
  opts.log?.(`leader transfer: ${JSON.stringify(out)}`);
  return out;
}

export async function measureTuning(
  opts: MeasureOptions = {},
): Promise<Pick<StoriesFigures, 'tuning' | 'tuning_detail'>> {
  const out: StoriesFigures['tuning'] = {};
  const detail: StoriesFigures['tuning_detail'] = {};
  const endUs = opts.quick ? TUNING_START_MS * 1000 + 10e6 : TUNING_END_US;
  for (const name of Object.keys(TUNING_SETTINGS)) {
    const run = await runStory(tuningScenario(name), { untilUs: endUs });
    // From the first leader on: elections after it, and puts that failed once a second had
    // passed (a put made before any leader fails in every setting alike).
    const first = run.records.find((r) => r.kind === 'state' && r.to === 'StateLeader');
    const fromUs = first?.atUs ?? endUs;
    const minutes = Math.max(1e-9, (endUs - fromUs) / 60e6);
    const puts = workloadStats(run, 0, fromUs + 1e6, endUs);
    out[name] = {
      leader_changes_per_min: round(Math.max(0, leadersElected(run) - 1) / minutes, 2),
      failed_proposals: puts.failed,
    };
    detail[name] = { write_p50_ms: round(puts.p50Ms, 3), write_p99_ms: round(puts.p99Ms, 3) };
    opts.log?.(`tuning ${name}: ${JSON.stringify(out[name])} ${JSON.stringify(detail[name])}`);
  }
  return { tuning: out, tuning_detail: detail };
}

export async function measureAuth(
  opts: MeasureOptions = {},
): Promise<Pick<StoriesFigures, 'auth' | 'auth_detail'>> {
  const startUs = AUTH_START_MS * 1000;
  const rps = async (mode: 'bcrypt' | 'token' | 'off') => {
    const run = await runStory(authScenario(mode), {
      untilUs: opts.quick ? startUs + 2e6 : AUTH_END_US,
    });
    return round(workloadStats(run, 0, startUs).perSecond, 1);
  };
  const settings = authScenario('bcrypt').settings;
  const out = {
    auth: { bcrypt_rps: await rps('bcrypt'), token_rps: await rps('token') },
    auth_detail: {
      off_rps: await rps('off'),
      bcrypt_ceiling_rps: round(
        (settings.size * settings.cpuCores) / (bcryptCheckUs(settings.bcryptCost) / 1e6),
        1,
      ),
    },
  };
  opts.log?.(`auth: ${JSON.stringify(out)}`);
  return out;
}

export async function measureBatching(
  opts: MeasureOptions = {},
): Promise<StoriesFigures['batching']> {
  const out: StoriesFigures['batching'] = [];
  const startUs = BATCH_START_MS * 1000;
  for (const interval of BATCH_INTERVALS_MS) {
    for (const limit of BATCH_LIMITS) {
      const run = await runStory(batchScenario(interval, limit), {
        untilUs: opts.quick ? startUs + 300_000 : BATCH_END_US,
      });
      const s = workloadStats(run, 0, startUs);
      out.push({
        batch_interval_ms: interval,
        batch_limit: limit,
        write_p99_ms: round(s.p99Ms, 3),
        writes_per_s: round(s.perSecond, 0),
      });
      opts.log?.(`batching ${interval} ms / ${limit}: ${JSON.stringify(out[out.length - 1])}`);
    }
  }
  return out;
}

export async function measureQuorum(opts: MeasureOptions = {}): Promise<StoriesFigures['quorum']> {
  const out: StoriesFigures['quorum'] = {};
  for (const size of [3, 4, 5]) {
    const run = await runStory(quorumScenario(size), { untilUs: QUORUM_END_US });
    // Each window starts an election timeout and a half after the crash: time to elect again.
    const settle = 1_500_000;
    const one = workloadStats(run, 0, QUORUM_CRASH_US[0] + settle, QUORUM_CRASH_US[1]).perSecond;
    const two = workloadStats(run, 0, QUORUM_CRASH_US[1] + settle, QUORUM_END_US).perSecond;
    out[String(size)] = {
      puts_per_s_one_down: round(one, 1),
      puts_per_s_two_down: round(two, 1),
      tolerated_failures: two > 0 ? 2 : one > 0 ? 1 : 0,
    };
    opts.log?.(`quorum ${size}: ${JSON.stringify(out[String(size)])}`);
  }
  return out;
}

export async function measureDisruption(
  opts: MeasureOptions = {},
): Promise<StoriesFigures['disruption']> {
  const out: StoriesFigures['disruption'] = {};
  for (const guarded of [true, false]) {
    const run = await runStory(disruptScenario(guarded), { untilUs: DISRUPT_END_US });
    const terms = run.records.filter((r) => r.kind === 'state').map((r) => r.term as number);
    out[guarded ? 'prevote-on' : 'prevote-off'] = {
      leader_changes_after_heal: leadersElected(run, DISRUPT_HEAL_US),
      max_term_seen: Math.max(0, ...terms),
    };
  }
  opts.log?.(`disruption: ${JSON.stringify(out)}`);
  return out;
}

export async function measurePartition(
  opts: MeasureOptions = {},
): Promise<StoriesFigures['partition']> {
  const run = await runStory(partitionScenario(), {
    untilUs: PARTITION_END_US,
    keep: ['response'],
  });
  let isolated: number | undefined;
  for (const r of run.records) {
    if (r.atUs > PARTITION_CUT_US) break;
    if (r.kind === 'state' && r.to === 'StateLeader') isolated = r.node;
  }
  // Who answered each put made during the partition: the isolated leader, or the majority.
  let minority = 0;
  let majority = 0;
  let failed = 0;
  for (const r of run.records) {
    if (r.kind !== 'response' || r.atUs < PARTITION_CUT_US || r.atUs >= PARTITION_HEAL_US) continue;
    if (typeof r.clientId !== 'number' || r.clientId < 1000) continue;
    if (r.ok !== true) failed++;
    else if (r.node === isolated) minority++;
    else majority++;
  }
  const out = {
    minority_acknowledged_puts: minority,
    majority_acknowledged_puts: majority,
    failed_puts: failed,
    violations: violations(run).length,
  };
  opts.log?.(`partition: ${JSON.stringify(out)}`);
  return out;
}

export async function measureFigure8(
  opts: MeasureOptions = {},
): Promise<StoriesFigures['figure8']> {
  const out: StoriesFigures['figure8'] = {};
  for (const unsafe of [false, true]) {
    const run = await runStory(figure8Scenario(unsafe), { untilUs: FIGURE8_END_US });
    const v = violations(run);
    out[unsafe ? 'figure8-commit' : 'safe'] = {
      violations: v.length,
      ...(v[0] ? { first_violation: String(v[0].message) } : {}),
    };
  }
  opts.log?.(`figure8: ${JSON.stringify(out)}`);
  return out;
}

export async function measureMembership(
  opts: MeasureOptions = {},
): Promise<StoriesFigures['membership']> {
  const run = await runStory(membershipScenario(), { untilUs: MEMBERSHIP_END_US });
  const out = {
    refused: run.records.filter((r) => r.kind === 'membership-refused').map((r) => String(r.error)),
    proposed: run.records
      .filter((r) => r.kind === 'propose-conf')
      .map((r) => `${String(r.change)} ${String(r.nodeId)}`),
    members_at_end: run.session.cluster.conductor.nodeIds(),
  };
  opts.log?.(`membership: ${JSON.stringify(out)}`);
  return out;
}

/** Every story's figures: what bench/results/stories.json holds. */
export async function measureStories(opts: MeasureOptions = {}): Promise<StoriesFigures> {
  return {
    ...(await measureAuth(opts)),
    reads: await measureReads(opts),
    fcr: await measureFcr(opts),
    leader_transfer: await measureTransfer(opts),
    ...(await measureTuning(opts)),
    batching: await measureBatching(opts),
    quorum: await measureQuorum(opts),
    disruption: await measureDisruption(opts),
    partition: await measurePartition(opts),
    figure8: await measureFigure8(opts),
    membership: await measureMembership(opts),
    proxy: await measureProxy(),
  };
}
