// The nemesis: a random scenario from a seed — cluster settings, a client workload, and a
// schedule of faults (partitions, one-way cuts, loss, duplication, reordering, crashes, restarts,
// pauses, slow disks, membership changes, leadership transfers, lease expiry, elections forced) with their
// repairs, ending in a quiet stretch where every fault is healed so the last requests complete.
//
// A scenario is plain data, so a failure is a share link: the playground replays it exactly.
// With an unsafe setting the nemesis leans on the faults that setting is weak against (crashes
// for ack-before-fsync, quick restarts mid-election for no-vote-persist, ...), as a person
// demonstrating it would.
import {
  DEFAULT_SETTINGS,
  SCENARIO_VERSION,
  type Action,
  type ClusterSettings,
  type ReadPath,
  type Scenario,
  type UnsafeSetting,
  type Workload,
} from '../../scenario/schema';
import { Prng } from '../../sim/prng';

export interface PlanOptions {
  /** Simulated minutes to run. */
  minutes: number;
  unsafe?: UnsafeSetting;
  /** Every seed on this read path (default: read-index or log, at random). */
  readPath?: ReadPath;
}

/** The quiet stretch at the end: every fault healed, the workload stopped, answers drain. */
export const QUIET_US = 8_000_000;

type Fault =
  | 'crash'
  | 'crash-two'
  | 'crash-leader'
  | 'quick-restart'
  | 'vote-race'
  | 'figure8'
  | 'remove-while-down'
  | 'lease-expiry'
  | 'pause'
  | 'partition'
  | 'isolate-leader'
  | 'one-way'
  | 'lossy'
  | 'slow-disk'
  | 'remove-member'
  | 'add-member'
  | 'transfer-leader'
  | 'campaign';

const BASE_WEIGHTS: Record<Fault, number> = {
  crash: 3,
  'crash-two': 1,
  'crash-leader': 2,
  'quick-restart': 1,
  'vote-race': 1,
  figure8: 1,
  'remove-while-down': 1,
  'lease-expiry': 2,
  pause: 2,
  partition: 3,
  'isolate-leader': 2,
  'one-way': 2,
  lossy: 2,
  'slow-disk': 2,
  'remove-member': 1,
  'add-member': 1,
  'transfer-leader': 1,
  campaign: 1,
};

/** Where each unsafe setting is weak: those faults come far more often. */
const UNSAFE_WEIGHTS: Record<UnsafeSetting, Partial<Record<Fault, number>>> = {
  'local-reads': { partition: 6, 'isolate-leader': 6, lossy: 4 },
  'figure8-commit': { figure8: 30 },
  'ack-before-fsync': { 'crash-two': 10, 'crash-leader': 8, crash: 6 },
  'no-vote-persist': { 'vote-race': 20, 'quick-restart': 4 },
  'skip-health-check': { 'remove-while-down': 10 },
};

export function planScenario(seed: number, opts: PlanOptions): Scenario {
  const rng = Prng.stream(seed, 'fuzz-plan');
  const endUs = Math.round(opts.minutes * 60e6);
  const settings = planSettings(rng, opts.unsafe, opts.readPath);
  // A quiet workload under no-vote-persist: members whose logs are level may vote for each other.
  const quiet = opts.unsafe === 'no-vote-persist' || opts.unsafe === 'figure8-commit';
  const workloads = [planWorkload(rng, endUs, quiet ? 5 : undefined)];
  const actions = planFaults(rng, settings, endUs, opts.unsafe);
  return {
    version: SCENARIO_VERSION,
    seed,
    title: `fuzz seed ${seed}${opts.unsafe ? ` (unsafe: ${opts.unsafe})` : ''}`,
    settings,
    workloads,
    actions,
    cursorUs: endUs,
  };
}

function pick<T>(rng: Prng, xs: readonly T[]): T {
  if (xs.length === 0) throw new Error('pick from nothing');
  return xs[rng.int(0, xs.length)]!;
}

function pickOther(rng: Prng, xs: readonly number[], not: number): number | undefined {
  const rest = xs.filter((x) => x !== not);
  return rest.length === 0 ? undefined : pick(rng, rest);
}

function between(rng: Prng, lo: number, hi: number): number {
  return lo + rng.next() * (hi - lo);
}

function planSettings(
  rng: Prng,
  unsafe: UnsafeSetting | undefined,
  forcedReadPath: ReadPath | undefined,
): ClusterSettings {
  const f8 = unsafe === 'figure8-commit';
  const heartbeatMs = unsafe === 'no-vote-persist' ? 100 : f8 ? 50 : pick(rng, [50, 100]);
  // 'lease' counts as safe: its lease is bounded by what a quorum acknowledged (src/raft's
  // leaseValid), not etcd-raft's "until CheckQuorum deposes me", which the fuzzer caught serving
  // stale reads from an isolated leader.
  const readPath =
    forcedReadPath ??
    pick(rng, ['read-index', 'read-index', 'read-index', 'lease', 'log'] as const);
  // no-vote-persist shows when a vote is cast twice in one election: a small cluster, no
  // PreVote, and links slow enough that a candidate's round trip is a long moment.
  const fast = unsafe === 'no-vote-persist';
  const s: ClusterSettings = {
    ...DEFAULT_SETTINGS,
    size: unsafe === 'figure8-commit' ? 5 : fast ? 3 : pick(rng, [3, 3, 4, 5]),
    heartbeatMs,
    electionTimeoutMs: heartbeatMs * (fast ? 4 : f8 ? 5 : pick(rng, [5, 10])),
    preVote: fast ? false : rng.chance(0.7),
    // Lease reads need CheckQuorum (etcd refuses the combination otherwise).
    checkQuorum: readPath === 'lease' || (!fast && unsafe !== 'figure8-commit' && rng.chance(0.7)),
    readPath: fast ? 'read-index' : readPath,
    lockMode: pick(rng, ['coarse', 'rwlock', 'concurrent'] as const),
    batchIntervalMs: pick(rng, [10, 50, 100]),
    fsyncMs: unsafe === 'ack-before-fsync' ? between(rng, 30, 80) : between(rng, 1, 10),
    fsyncJitterMs: between(rng, 0, 2),
    networkLatencyMs: fast ? between(rng, 20, 30) : between(rng, 1, 10),
    networkJitterMs: between(rng, 0, fast ? 1 : 3),
    snapshotCount: pick(rng, [100, 500, 10_000]),
    unsafe: unsafe ? [unsafe] : [],
  };
  for (const k of ['fsyncMs', 'fsyncJitterMs', 'networkLatencyMs', 'networkJitterMs'] as const)
    s[k] = Math.round(s[k] * 10) / 10;
  return s;
}

function planWorkload(rng: Prng, endUs: number, rate?: number): Workload {
  return {
    mode: 'open',
    rate: rate ?? pick(rng, [40, 60, 100]),
    concurrency: 1,
    mix: { put: 4, 'range-cheap': 3, txn: 1, delete: 1, 'range-expensive': 1 },
    linearizable: true,
    keySpace: pick(rng, [3, 5, 10]),
    valueBytes: 4,
    startMs: 500,
    stopMs: Math.max(500, (endUs - QUIET_US) / 1000 + 3000),
  };
}

function planFaults(
  rng: Prng,
  settings: ClusterSettings,
  endUs: number,
  unsafe: UnsafeSetting | undefined,
): Action[] {
  const weights = { ...BASE_WEIGHTS, ...(unsafe ? UNSAFE_WEIGHTS[unsafe] : {}) };
  const faults = Object.keys(weights) as Fault[];
  const total = faults.reduce((s, f) => s + weights[f], 0);
  const drawFault = (): Fault => {
    let x = rng.next() * total;
    for (const f of faults) if ((x -= weights[f]) < 0) return f;
    return faults[faults.length - 1]!;
  };
  let members = Array.from({ length: settings.size }, (_, i) => i + 1);
  let nextId = settings.size + 1;
  const slowed = new Set<number>();
  let nextLease = 100;
  const actions: Action[] = [];
  const at = (atUs: number, kind: string, args: Record<string, unknown> = {}) =>
    actions.push({ atUs: Math.round(atUs), kind, ...args });
  const stopUs = endUs - QUIET_US;
  const ms = (lo: number, hi: number) => between(rng, lo, hi) * 1000;
  const gap =
    unsafe === 'no-vote-persist'
      ? [1100, 1500]
      : unsafe === 'figure8-commit'
        ? [100, 500]
        : [800, 4000];
  for (let t = 2_000_000 + ms(0, 1000); t < stopUs; t += ms(gap[0]!, gap[1]!)) {
    const n = pick(rng, members);
    const repairAt = Math.min(stopUs, t + ms(300, 6000));
    switch (drawFault()) {
      case 'crash':
        at(t, 'crash', { node: n });
        at(repairAt, 'restart', { node: n });
        break;
      case 'crash-two': {
        const m = pickOther(rng, members, n);
        if (m === undefined) break;
        at(t, 'crash', { node: n });
        at(t + ms(0, 50), 'crash', { node: m });
        at(repairAt, 'restart-all');
        break;
      }
      case 'crash-leader':
        at(t, 'crash-leader');
        at(Math.min(stopUs, t + ms(5, 2000)), 'restart-all');
        break;
      case 'quick-restart':
        at(t, 'crash', { node: n });
        at(t + ms(5, 150), 'restart', { node: n });
        break;
      case 'vote-race': {
        // Two members campaign half a link's latency apart, so both ask in the same new term; a
        // third grants the first request, then crashes and restarts before the second arrives.
        // It has forgotten a vote it held only in memory, so it may grant the second as well.
        const [a, c, l] = members.map((x) => ({ x, k: rng.next() })).sort((p, q) => p.k - q.k);
        if (!a || !c || !l) break;
        const lat = settings.networkLatencyMs * 1000;
        const half = lat / 2;
        at(t, 'campaign', { node: a.x });
        at(t + half, 'campaign', { node: c.x });
        const firstArrives = t + settings.fsyncMs * 1000 + lat + settings.networkJitterMs * 500;
        at(firstArrives + half / 2, 'crash', { node: l.x });
        at(firstArrives + half / 2 + 1, 'restart', { node: l.x });
        break;
      }
      case 'figure8': {
        // The Raft paper's Figure 8, by partitions: the leader is cut off holding entries no one
        // else has; the others elect a leader, which is cut off in turn (perhaps holding entries
        // of its own) while the first rejoins and may lead again, replicating its old entries;
        // then it is cut off once more and the second returns.
        const et = settings.electionTimeoutMs * 1000;
        const t1 = t + et + ms(0, (1.2 * et) / 1000);
        const t2 = t1 + et + ms(0, (2 * et) / 1000);
        at(t, 'isolate-leader');
        at(t1, 'isolate-leader');
        at(t2, 'isolate-leader');
        at(t2 + 2 * et, 'heal-all');
        t = t2 + 2 * et;
        break;
      }
      case 'remove-while-down': {
        // A member is down for longer than etcd's health interval (5 s); then another, live one
        // is removed. The health check refuses that: the rest would have no working quorum.
        const gone = pickOther(rng, members, n);
        if (gone === undefined || members.length < 3) break;
        const removeAt = t + ms(5500, 7000);
        at(t, 'crash', { node: n });
        at(removeAt, 'remove-member', { node: pick(rng, members), id: gone });
        members = members.filter((x) => x !== gone);
        at(removeAt + ms(500, 3000), 'restart', { node: n });
        t = removeAt;
        break;
      }
      case 'lease-expiry':
        // A key under a short lease: the leader revokes it on expiry, deleting the key at a
        // revision no client call made (the history gets the revoke as a system call).
        at(t, 'lease-put', { node: n, id: nextLease++, ttl: pick(rng, [1, 2, 3]) });
        break;
      case 'pause':
        at(t, 'pause', { node: n });
        at(repairAt, 'resume', { node: n });
        break;
      case 'partition': {
        const shuffled = members.map((x) => ({ x, k: rng.next() }));
        shuffled.sort((a, b) => a.k - b.k);
        const cut = rng.int(1, Math.max(2, members.length));
        const groups = [shuffled.slice(0, cut), shuffled.slice(cut)].map((g) => g.map((e) => e.x));
        if (groups[1]!.length === 0) break;
        at(t, 'partition', { groups });
        at(repairAt, 'heal-all');
        break;
      }
      case 'isolate-leader':
        at(t, 'isolate-leader');
        at(repairAt, 'heal-all');
        break;
      case 'one-way': {
        const to = pickOther(rng, members, n);
        if (to === undefined) break;
        at(t, 'cut', { from: n, to, oneWay: true });
        at(repairAt, 'heal', { from: n, to, oneWay: true });
        break;
      }
      case 'lossy':
        at(t, 'set-network', {
          loss: Math.round(between(rng, 0.02, 0.3) * 100) / 100,
          duplicate: Math.round(between(rng, 0, 0.2) * 100) / 100,
          reorder: Math.round(between(rng, 0, 0.5) * 100) / 100,
        });
        at(repairAt, 'set-network', { loss: 0, duplicate: 0, reorder: 0 });
        break;
      case 'slow-disk':
        slowed.add(n);
        at(t, 'slow-disk', { node: n, factor: pick(rng, [5, 20, 100]) });
        at(repairAt, 'slow-disk', { node: n, factor: 1 });
        break;
      case 'remove-member':
        if (members.length <= 1) break;
        at(t, 'remove-member', { node: pick(rng, members), id: n });
        members = members.filter((x) => x !== n);
        break;
      case 'add-member':
        if (nextId > 36) break;
        at(t, 'add-member', { node: n, id: nextId });
        members = [...members, nextId++];
        break;
      case 'transfer-leader':
        at(t, 'transfer-leader', { node: n, to: pick(rng, members) });
        break;
      case 'campaign':
        at(t, 'campaign', { node: n });
        break;
    }
  }
  // The quiet stretch: everything repaired, so the last answers come back.
  at(stopUs, 'heal-all');
  at(stopUs, 'set-network', { loss: 0, duplicate: 0, reorder: 0 });
  at(stopUs, 'resume-all');
  at(stopUs, 'restart-all');
  for (const n of slowed) at(stopUs, 'slow-disk', { node: n, factor: 1 });
  actions.sort((a, b) => a.atUs - b.atUs);
  return actions;
}
