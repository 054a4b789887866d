// Runs the stories headless and measures each one's point: the figures bench/stories.bench.ts
// writes to bench/results/stories.json and BENCHMARKS.md, and the tests check (with `quick`).
// Everything is simulated time; the same options give the same figures on every machine.
import type { Scenario } from '../scenario/schema';
import { Session } from '../sim/session';
import {
  AUTH_END_US,
  AUTH_MEASURE_FROM_MS,
  BATCH_END_US,
  BATCH_INTERVALS_MS,
  BATCH_LIMITS,
  BATCH_START_MS,
  DISRUPT_END_US,
  FCR_END_MS,
  FCR_MEASURE_FROM_MS,
  FIGURE8_END_US,
  LOCK_MODES,
  MEMBERSHIP_END_US,
  PARTITION_END_US,
  QUORUM_END_US,
  READ_CONCURRENCIES,
  READ_PATHS,
  READ_START_MS,
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
import {
  authFigures,
  batchingFigures,
  disruptionFigures,
  fcrFigures,
  figure8Figures,
  freelistFigures,
  membershipLists,
  noteRecord,
  partitionFigures,
  CALL_KINDS,
  quorumFigures,
  readFigures,
  round,
  transferFigures,
  tuningFigures,
  type RunFigures,
  type StoryRun,
} from './figures';
import type { InProcessHost } from '../host/inproc-host';
import { bcryptCheckUs } from '../server/auth';
import { measureProxy, type ProxyFigures } from './proxy-story';

export * from './figures';

export interface RunStoryOptions {
  untilUs: number;
  /** Stop early (at a 1 ms boundary) once this many client calls have returned. */
  maxCalls?: number;
  /** Keep these record kinds too. */
  keep?: readonly string[];
}

/** Runs `scenario` in this process (the default in-process host) to `untilUs`. */
export async function runStory(scenario: Scenario, opts: RunStoryOptions): Promise<StoryRun> {
  const partial = { records: [], counts: new Map<string, number>(), readsServedByRounds: 0 };
  const sink = partial as unknown as StoryRun;
  const session = await Session.start(scenario, { onTrace: (r) => noteRecord(sink, r, opts.keep) });
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
  return Object.assign(sink, { session });
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
  /**
   * Beside "auth": auth off; the most per-request bcrypt could ever serve (cores / check);
   * bcrypt's rate per core; and the ratio token / bcrypt.
   */
  auth_detail: {
    off_rps: number;
    bcrypt_ceiling_rps: number;
    bcrypt_rps_per_core: number;
    token_over_bcrypt: number;
  };
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
      const f = readFigures(run);
      out[path].push({ concurrency, ...(f as Omit<ReadPoint, 'concurrency'>) });
      opts.log?.(`reads ${path} c=${concurrency}: ${JSON.stringify(f)}`);
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
    out[mode] = fcrFigures(run) as StoriesFigures['fcr'][string];
    opts.log?.(`fcr ${mode}: ${JSON.stringify(out[mode])}`);
  }
  return out;
}

export async function measureTransfer(
  opts: MeasureOptions = {},
): Promise<StoriesFigures['leader_transfer']> {
  const gap = async (graceful: boolean) => {
    const run = await runStory(transferScenario(graceful), { untilUs: TRANSFER_END_US });
    return transferFigures(run).leaderless_gap_ms as number;
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
  // Quick runs reach past the slow-disk settings' slowdown (15 s) by a few election timeouts.
  const endUs = opts.quick ? TUNING_START_MS * 1000 + 20e6 : TUNING_END_US;
  for (const name of Object.keys(TUNING_SETTINGS)) {
    const run = await runStory(tuningScenario(name), { untilUs: endUs });
    const f = tuningFigures(run);
    out[name] = {
      leader_changes_per_min: f.leader_changes_per_min as number,
      failed_proposals: f.failed_proposals as number,
    };
    detail[name] = {
      write_p50_ms: f.write_p50_ms as number,
      write_p99_ms: f.write_p99_ms as number,
    };
    opts.log?.(`tuning ${name}: ${JSON.stringify(f)}`);
  }
  return { tuning: out, tuning_detail: detail };
}

export async function measureAuth(
  opts: MeasureOptions = {},
): Promise<Pick<StoriesFigures, 'auth' | 'auth_detail'>> {
  // Once every client holds its tokens; quick runs measure one second of it.
  const fromUs = AUTH_MEASURE_FROM_MS * 1000;
  const rps = async (mode: 'bcrypt' | 'token' | 'off') => {
    const run = await runStory(authScenario(mode), {
      untilUs: opts.quick ? fromUs + 1e6 : AUTH_END_US,
    });
    return authFigures(run, fromUs).puts_per_s as number;
  };
  const settings = authScenario('bcrypt').settings;
  const cores = settings.size * settings.cpuCores;
  const auth = { bcrypt_rps: await rps('bcrypt'), token_rps: await rps('token') };
  const out = {
    auth,
    auth_detail: {
      off_rps: await rps('off'),
      bcrypt_ceiling_rps: round(cores / (bcryptCheckUs(settings.bcryptCost) / 1e6), 1),
      bcrypt_rps_per_core: round(auth.bcrypt_rps / cores, 1),
      token_over_bcrypt: auth.bcrypt_rps > 0 ? round(auth.token_rps / auth.bcrypt_rps, 1) : 0,
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
      const f = batchingFigures(run, startUs);
      out.push({
        batch_interval_ms: interval,
        batch_limit: limit,
        write_p99_ms: f.write_p99_ms as number,
        writes_per_s: f.writes_per_s as number,
      });
      opts.log?.(`batching ${interval} ms / ${limit}: ${JSON.stringify(f)}`);
    }
  }
  return out;
}

export async function measureQuorum(opts: MeasureOptions = {}): Promise<StoriesFigures['quorum']> {
  const out: StoriesFigures['quorum'] = {};
  for (const size of [3, 4, 5]) {
    const run = await runStory(quorumScenario(size), { untilUs: QUORUM_END_US });
    out[String(size)] = quorumFigures(run) as StoriesFigures['quorum'][string];
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
    out[guarded ? 'prevote-on' : 'prevote-off'] = disruptionFigures(
      run,
    ) as StoriesFigures['disruption'][string];
  }
  opts.log?.(`disruption: ${JSON.stringify(out)}`);
  return out;
}

export async function measurePartition(
  opts: MeasureOptions = {},
): Promise<StoriesFigures['partition']> {
  const run = await runStory(partitionScenario(), {
    untilUs: PARTITION_END_US,
    keep: CALL_KINDS,
  });
  const out = partitionFigures(run) as StoriesFigures['partition'];
  opts.log?.(`partition: ${JSON.stringify(out)}`);
  return out;
}

export async function measureFigure8(
  opts: MeasureOptions = {},
): Promise<StoriesFigures['figure8']> {
  const out: StoriesFigures['figure8'] = {};
  for (const unsafe of [false, true]) {
    const run = await runStory(figure8Scenario(unsafe), { untilUs: FIGURE8_END_US });
    out[unsafe ? 'figure8-commit' : 'safe'] = figure8Figures(
      run,
    ) as StoriesFigures['figure8'][string];
  }
  opts.log?.(`figure8: ${JSON.stringify(out)}`);
  return out;
}

export async function measureMembership(
  opts: MeasureOptions = {},
): Promise<StoriesFigures['membership']> {
  const run = await runStory(membershipScenario(), { untilUs: MEMBERSHIP_END_US });
  const out = membershipLists(run);
  opts.log?.(`membership: ${JSON.stringify(out)}`);
  return out;
}

/**
 * Story 15, one variant to its end: its figures (freelistFigures) and the member's freelist as
 * the node's details show it: simulated µs of freelist work per commit, ns per allocation, and
 * the file's pages, free pages and free runs at the end; and the run's trace hash.
 */
export async function measureFreelist(scenario: Scenario): Promise<RunFigures> {
  const sink = { records: [], counts: new Map<string, number>(), readsServedByRounds: 0 };
  const run = sink as unknown as StoryRun;
  const session = await Session.start(scenario, { onTrace: (r) => noteRecord(run, r) });
  await session.runTo(scenario.cursorUs);
  const b = (session.cluster.host as InProcessHost).server(1)!.inspect().backend!;
  const traceHash = session.traceHash;
  await session.dispose();
  return {
    ...freelistFigures(Object.assign(run, { session })),
    freelist_us_per_commit: round((b.allocateNs + b.releaseNs) / b.commits / 1000, 1),
    ns_per_allocation: round(b.allocateNs / b.allocations, 0),
    pages: b.pages,
    free_pages: b.freePages,
    free_runs: b.freeRuns,
    trace_hash: traceHash,
  };
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
