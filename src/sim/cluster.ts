// Builds a running cluster from scenario settings: node specs, a host, and the conductor that
// drives them, plus a small client for tests, the CLI and the UI's quick client bar.
import { carriesClientCall, describeMessage, type PeerMessage } from '../server/peer';
import { InProcessHost } from '../host/inproc-host';
import type { NodeSpec } from '../server/node-spec';
import {
  describeRequest,
  describeResponse,
  type ClientRequest,
  type ClientResponse,
  type ConfigureRequest,
} from '../server/requests';
import {
  parseSettings,
  restoredSnapshot,
  type ClusterSettings,
  type ScenarioRestore,
} from '../scenario/schema';
import { Conductor, type TraceRecord } from './conductor';
import { hashLabel } from './prng';
import type { NodeHost } from './host-contract';
import type { LinkModel } from './network';

const MS = 1000;

/** The part of a node's spec that follows the settings, and that a 'configure' request changes. */
export function nodeSettings(settings: ClusterSettings): Required<ConfigureRequest> {
  return {
    tickUs: settings.heartbeatMs * MS,
    electionTicks: Math.max(2, Math.round(settings.electionTimeoutMs / settings.heartbeatMs)),
    preVote: settings.preVote,
    checkQuorum: settings.checkQuorum,
    readPath: settings.readPath,
    // etcd: 5 s plus twice the election timeout.
    requestTimeoutUs: (5000 + 2 * settings.electionTimeoutMs) * MS,
    auth: { mode: settings.authMode, bcryptCost: settings.bcryptCost, cpuCores: settings.cpuCores },
    backend: {
      lockMode: settings.lockMode,
      batchIntervalMs: settings.batchIntervalMs,
      batchLimit: settings.batchLimit,
      // bbolt's commit syncs the file it writes twice (the dirty pages, then the meta page), on
      // the same disk as the WAL: its fixed cost is two of the disk's fsyncs (each the median
      // plus the mean jitter). A slow-disk fault does not reach it (the fault lives in the
      // conductor's disk model; the backend's costs are the node's own).
      commitBaseUs: Math.round(2 * (settings.fsyncMs + settings.fsyncJitterMs / 2) * MS),
      freelistType: settings.freelistType,
    },
    quotaBackendBytes: settings.quotaBackendBytes,
  };
}

/** Every member's spec; with `restore`, each starts from that snapshot file's keyspace. */
export function nodeSpecs(
  settings: ClusterSettings,
  seed: number,
  restore?: ScenarioRestore,
): NodeSpec[] {
  const ids = Array.from({ length: settings.size }, (_, i) => i + 1);
  const snapshot = restore ? restoredSnapshot(restore) : undefined;
  return ids.map((id) => ({
    id,
    initialCluster: ids,
    ...nodeSettings(settings),
    snapshotCount: settings.snapshotCount,
    unsafe: [...settings.unsafe],
    seed,
    ...(settings.agedFilePages > 0
      ? { agedFile: { pages: settings.agedFilePages, seed: hashLabel(`aged-file:${seed}`) } }
      : {}),
    ...(snapshot ? { restore: snapshot } : {}),
  }));
}

/** Settings that shape a run from its start: changing one starts a new run. */
export const RUN_SETTINGS: readonly (keyof ClusterSettings)[] = [
  'size',
  'cpuCores',
  'snapshotCount',
  'unsafe',
  'proxy',
  'agedFilePages',
];

/**
 * The settings after a change made during a run, checked as a whole; throws if the change is not
 * allowed (a setting of RUN_SETTINGS, a bad combination).
 */
export function applySettings(
  current: ClusterSettings,
  patch: Partial<ClusterSettings>,
): ClusterSettings {
  for (const k of RUN_SETTINGS) {
    if (k in patch) throw new Error(`${k} cannot change during a run: it starts a new run`);
  }
  const next = parseSettings({ ...current, ...patch });
  if (next.readPath === 'lease' && !next.checkQuorum)
    throw new Error('the lease read path needs CheckQuorum: without it a leader has no lease');
  return next;
}

/** The error a client gets when it dials a member that is down. */
export function connectionRefused(node: number): string {
  return `n${node} is down: connection refused`;
}

/** What a client sees when it dials a member that is down. */
export function refused(node: number): ClientResponse {
  return { ok: false, method: 'status', error: { message: connectionRefused(node), code: 14 } };
}

export interface Cluster {
  conductor: Conductor<PeerMessage, ClientRequest, ClientResponse>;
  host: NodeHost<PeerMessage, ClientRequest, ClientResponse>;
  /** Sends `request` to `node` now and runs the simulation until it is answered. */
  call(
    node: number,
    request: ClientRequest,
    opts?: { maxWaitUs?: number },
  ): Promise<ClientResponse>;
  /**
   * Runs the cluster until one of `ids` (default: all) reports itself leader, checking every
   * 100 simulated ms for at most `maxUs`; returns its id.
   */
  leaderOf(ids?: readonly number[], maxUs?: number): Promise<number>;
  /** Every trace record, when `keepTrace` is set. */
  trace: TraceRecord[];
  /** The settings in effect: the scenario's, as changed during the run by configure(). */
  readonly settings: ClusterSettings;
  /**
   * Changes settings now (a settings action): the network and disk models at once; the tick
   * interval from each node's next tick; every node not down through a 'configure' request
   * (a node down now is sent the settings in effect as it starts again). Records a 'settings'
   * trace record. Throws, changing nothing, if the change is not allowed (applySettings).
   */
  configure(patch: Partial<ClusterSettings>): void;
}

export interface ClusterOptions {
  settings: ClusterSettings;
  seed: number;
  /** The snapshot file the cluster is restored from (ignored when `host` is given). */
  restore?: ScenarioRestore;
  host?: NodeHost<PeerMessage, ClientRequest, ClientResponse>;
  /** Keep every trace record in memory (tests, the UI); off for long benchmarks. */
  keepTrace?: boolean;
  onTrace?: (r: TraceRecord) => void;
  /** Requests that reached a member that was down: the client is refused. */
  onRequestLost?: (r: { clientId: number; requestId: number; node: number; atUs: number }) => void;
  /** Responses to clients other than the built-in one (client id 0): workloads, actions. */
  onResponse?: (r: {
    clientId: number;
    requestId: number;
    response: ClientResponse;
    atUs: number;
    node: number;
  }) => void;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const { settings, seed } = opts;
  const specs = nodeSpecs(settings, seed, opts.restore);
  const host = opts.host ?? new InProcessHost(specs);
  const waiting = new Map<number, (r: ClientResponse) => void>();
  const trace: TraceRecord[] = [];
  const CLIENT = 0;
  let nextRequestId = 1;
  let current = settings;
  /** Whether a setting the nodes' specs carry has changed since they were made. */
  let specsStale = false;
  const conductor = new Conductor<PeerMessage, ClientRequest, ClientResponse>({
    seed,
    describe: describeMessage,
    duplicable: (m) => !carriesClientCall(m.type),
    describeRequest,
    describeResponse,
    nodes: specs.map((s) => s.id),
    host,
    tickUs: settings.heartbeatMs * MS,
    link: {
      latencyUs: Math.round(settings.networkLatencyMs * MS),
      jitterUs: Math.round(settings.networkJitterMs * MS),
      lossRate: settings.networkLoss,
      duplicateRate: settings.networkDuplicate,
      reorderRate: settings.networkReorder,
      // A reordered message is held back by up to this long, so later ones overtake it.
      reorderWindowUs: 5_000,
    },
    disk: {
      fsyncUs: Math.round(settings.fsyncMs * MS),
      fsyncJitterUs: Math.round(settings.fsyncJitterMs * MS),
    },
    clientUs: Math.round(settings.clientLatencyMs * MS),
    onResponse: (r) => {
      if (r.clientId !== CLIENT) return opts.onResponse?.(r);
      const done = waiting.get(r.requestId);
      waiting.delete(r.requestId);
      done?.(r.response);
    },
    onRequestLost: (r) => {
      if (r.clientId === CLIENT) {
        const done = waiting.get(r.requestId);
        waiting.delete(r.requestId);
        done?.(refused(r.node));
      } else opts.onRequestLost?.(r);
    },
    onTrace: (r) => {
      if (opts.keepTrace) trace.push(r);
      opts.onTrace?.(r);
    },
    bootRequest: () =>
      specsStale ? { method: 'configure', body: nodeSettings(current) } : undefined,
  });
  await conductor.start();

  async function call(
    node: number,
    request: ClientRequest,
    o: { maxWaitUs?: number } = {},
  ): Promise<ClientResponse> {
    const requestId = nextRequestId++;
    let answer: ClientResponse | undefined;
    waiting.set(requestId, (r) => (answer = r));
    conductor.request(node, CLIENT, requestId, request);
    const deadline = conductor.now + (o.maxWaitUs ?? 60_000_000);
    while (answer === undefined) {
      const next = conductor.nextEventAtUs();
      if (next === undefined || next > deadline) break;
      await conductor.step();
    }
    waiting.delete(requestId);
    if (answer === undefined)
      throw new Error(`no answer from node ${node} to ${request.method} within the wait`);
    return answer;
  }

  async function leaderOf(ids?: readonly number[], maxUs = 30_000_000): Promise<number> {
    const deadline = conductor.now + maxUs;
    for (;;) {
      for (const id of ids ?? conductor.nodeIds()) {
        if (conductor.nodeState(id) !== 'up') continue;
        const r = await call(id, { method: 'status', body: {} });
        if (r.ok && 'leader' in r.body && r.body.leader === id) return id;
      }
      if (conductor.now >= deadline) break;
      await conductor.runUntil(conductor.now + 100_000);
    }
    throw new Error(
      `no leader among ${(ids ?? conductor.nodeIds()).join(', ')} within ${maxUs / 1e6} simulated s`,
    );
  }

  function configure(patch: Partial<ClusterSettings>): void {
    const next = applySettings(current, patch);
    const [before, after] = [nodeSettings(current), nodeSettings(next)];
    current = next;
    conductor.note('settings', { ...patch });
    const link: Partial<LinkModel> = {};
    if ('networkLatencyMs' in patch) link.latencyUs = Math.round(next.networkLatencyMs * MS);
    if ('networkJitterMs' in patch) link.jitterUs = Math.round(next.networkJitterMs * MS);
    if ('networkLoss' in patch) link.lossRate = next.networkLoss;
    if ('networkDuplicate' in patch) link.duplicateRate = next.networkDuplicate;
    if ('networkReorder' in patch) link.reorderRate = next.networkReorder;
    if (Object.keys(link).length > 0) conductor.network.setDefaults(link);
    if ('clientLatencyMs' in patch) conductor.setClientUs(Math.round(next.clientLatencyMs * MS));
    const disk: { fsyncUs?: number; fsyncJitterUs?: number } = {};
    if ('fsyncMs' in patch) disk.fsyncUs = Math.round(next.fsyncMs * MS);
    if ('fsyncJitterMs' in patch) disk.fsyncJitterUs = Math.round(next.fsyncJitterMs * MS);
    if (Object.keys(disk).length > 0)
      for (const n of conductor.nodeIds()) conductor.disk(n).configure(disk);
    // The nodes: only what changed for them.
    const body: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(after)) {
      if (JSON.stringify(v) !== JSON.stringify(before[k as keyof typeof before])) body[k] = v;
    }
    if (Object.keys(body).length === 0) return;
    specsStale = true;
    if (after.tickUs !== before.tickUs) conductor.setTickUs(after.tickUs);
    for (const n of conductor.nodeIds()) {
      if (conductor.nodeState(n) === 'down') continue;
      // the cluster's own plumbing, not a client on the network: no client trip
      conductor.request(n, CLIENT, nextRequestId++, { method: 'configure', body }, conductor.now);
    }
  }

  return {
    conductor,
    host,
    call,
    leaderOf,
    trace,
    get settings() {
      return current;
    },
    configure,
  };
}
