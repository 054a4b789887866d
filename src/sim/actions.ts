// User actions, each a registered object: a name, how to check its arguments before a run, and
// what it does at its simulated time. The playground's buttons, the scenario's action list and
// the CLI all go through these, so a recorded action replays exactly. An action that cannot be
// performed when its time comes (a crash of a node already down, a member that does not exist)
// is recorded in the trace as failed; the run goes on.
import type { ClientRequest, ClientResponse } from '../server/requests';
import {
  MAX_NODES,
  MAX_WORKLOADS,
  parseSettingsPatch,
  parseWorkload,
  ScenarioError,
  type Action,
  type ClusterSettings,
  type Scenario,
  type Workload,
} from '../scenario/schema';
import { applySettings, connectionRefused, type Cluster } from './cluster';
import { decodeBackup } from '../mvcc/backup';
import { toHex } from '../mvcc/sha256';
import { parseEtcdctl, type EtcdctlCommand } from '../etcdctl/parse';
import type { StreamHandlers } from './watch-streams';
import { PROXY_NODE } from './proxy-node';

export interface ActionContext {
  cluster: Cluster;
  /**
   * Sends a request from the action client; `onDone` gets its answer. Quiet: the answer is not
   * told to the quick client bar (Session.onActionAnswer).
   */
  send(
    node: number,
    request: ClientRequest,
    onDone?: (r: ClientResponse) => void,
    quiet?: boolean,
  ): void;
  /** The member leading the highest term now, as the trace tells it (undefined: none known). */
  leader(): number | undefined;
  /** Hears the answer to an etcdctl action's request (the playground's console prints it). */
  etcdctlAnswer?(node: number, command: string, r: ClientResponse): void;
  /** The snapshot files saved so far in this run (snapshot-save), by file name. */
  backups: Map<string, Uint8Array>;
  /** Opens a watch stream from the action client (src/sim/watch-streams.ts). */
  watch(node: number, request: ClientRequest & { method: 'watch' }, handlers: StreamHandlers): void;
  /** Stops every watch the action client has open (Ctrl+C); how many there were. */
  interruptWatches(): number;
  /** Hears that an etcdctl watch ended with no answer (its member went down). */
  etcdctlWatchEnd?(node: number, command: string, reason: string): void;
  /** Starts a named workload now, every call to `node` if given; throws if the name runs. */
  startWorkload(name: string, spec: Workload, node?: number): void;
  /** Stops a named workload now; throws if none of that name runs. */
  stopWorkload(name: string): void;
  /** Whether the run has a gRPC proxy, which client calls may name as node 0 (PROXY_NODE). */
  proxy?: boolean;
}

interface ActionDef {
  label: string;
  check(a: Action): void;
  perform(a: Action, ctx: ActionContext): Promise<void> | void;
  /** A settings action: the settings it changes, from its arguments. */
  settings?(a: Action): Partial<ClusterSettings>;
  /** A settings action: its argument names and the settings they set. */
  settingArgs?: SettingArgs;
}

const utf8 = new TextEncoder();
/** The largest node id an action may name: room for members added during a run. */
const MAX_NODE_ID = MAX_NODES * 4;

function id(a: Action, field: string): number {
  const v = a[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_NODE_ID) {
    throw new Error(
      `action ${a.kind} at ${a.atUs} µs: ${field} must be a node id from 1 to ${MAX_NODE_ID}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** A node that exists in the running cluster. */
function node(a: Action, field: string, ctx: ActionContext): number {
  const n = id(a, field);
  if (!ctx.cluster.conductor.nodeIds().includes(n))
    throw new Error(`${field} ${n} is not a node of this cluster`);
  return n;
}

/** Where a client call goes: a member (1, 2, ...) or the proxy (0, in a run that has one). */
function clientNode(a: Action): number {
  return a.node === PROXY_NODE ? PROXY_NODE : id(a, 'node');
}

/** The member or proxy a client call names, as it is now. */
function clientTarget(a: Action, ctx: ActionContext): number {
  if (a.node !== PROXY_NODE) return node(a, 'node', ctx);
  if (!ctx.proxy) throw new Error('node 0 is the proxy, and this run has none');
  return PROXY_NODE;
}

function text(a: Action, field: string): string {
  const v = a[field];
  if (typeof v !== 'string')
    throw new Error(`action ${a.kind} at ${a.atUs} µs: ${field} must be text`);
  return v;
}

function groups(a: Action): number[][] {
  const g = a.groups;
  if (
    !Array.isArray(g) ||
    g.some((x) => !Array.isArray(x) || x.some((n) => !Number.isInteger(n) || (n as number) < 1))
  ) {
    throw new Error(`action ${a.kind} at ${a.atUs} µs: groups must be lists of node ids`);
  }
  return g as number[][];
}

/** The key a lease-put action attaches to lease `id`: its revoke deletes it. */
export function leaseKey(id: number): string {
  return `lease/${id}`;
}

/** Starts a member the cluster has just accepted (add-member, etcdctl member add). */
function startMember(ctx: ActionContext, newId: number, r: ClientResponse): void {
  const c = ctx.cluster.conductor;
  if (!r.ok || c.nodeIds().includes(newId)) return;
  c.addNode(newId);
  // Started as an event of its own, in order with everything else (not from inside this
  // callback), so every host runs it at the same point of the run.
  c.at(c.now, 'start-member', () => c.restart(newId));
}

/**
 * The longest command line an etcdctl action may carry: its action stays within what a scenario
 * accepts for one action even when every character needs escaping in JSON.
 */
export const MAX_ETCDCTL_LENGTH = 2048;

/** An etcdctl action's command line, parsed: it must send a request (help sends none). */
function etcdctlCommand(a: Action): EtcdctlCommand {
  const line = text(a, 'command');
  if (line.length > MAX_ETCDCTL_LENGTH)
    throw new Error(
      `action etcdctl at ${a.atUs} µs: command is longer than ${MAX_ETCDCTL_LENGTH} characters`,
    );
  let cmd;
  try {
    cmd = parseEtcdctl(line);
  } catch (e) {
    throw new Error(`action etcdctl at ${a.atUs} µs: ${(e as Error).message}`, { cause: e });
  }
  if (!('request' in cmd))
    throw new Error(`action etcdctl at ${a.atUs} µs: ${cmd.name} sends no request`);
  return cmd;
}

function slowFactor(a: Action): number {
  if (typeof a.factor !== 'number' || !(a.factor >= 1))
    throw new Error(`action ${a.kind} at ${a.atUs} µs: factor must be a number >= 1`);
  return a.factor;
}

function leaderNow(ctx: ActionContext): number {
  const lead = ctx.leader();
  if (lead === undefined) throw new Error('no node leads now');
  return lead;
}

const one = (field: string) => (a: Action) => void id(a, field);

/** The longest snapshot file name an action may carry. */
export const MAX_FILE_NAME = 255;

/** A snapshot file's name: what `etcdctl snapshot save <file>` was given. */
function fileName(a: Action): string {
  const f = text(a, 'file');
  if (f === '' || f.length > MAX_FILE_NAME || [...f].some((c) => c < ' '))
    throw new Error(
      `action ${a.kind} at ${a.atUs} µs: file must be a name of 1 to ${MAX_FILE_NAME} printable characters`,
    );
  return f;
}

/**
 * etcdctl snapshot save: node `n`'s backend as a snapshot file, kept in the run under `file`.
 * Read through the host's inspection path: the member is handed no input, so it takes no
 * simulated time and changes nothing; only the 'snapshot-saved' record marks the place.
 */
async function snapshotSave(a: Action, ctx: ActionContext): Promise<void> {
  const n = node(a, 'node', ctx);
  const file = fileName(a);
  const c = ctx.cluster.conductor;
  const state = c.nodeState(n);
  if (state === 'down') throw new Error(connectionRefused(n));
  if (state === 'paused') throw new Error(`n${n} is paused: it does not answer`);
  const bytes = await ctx.cluster.host.backup?.(n);
  if (!bytes) throw new Error(`n${n} cannot give a snapshot on this host`);
  const { status, consistentIndex } = decodeBackup(bytes);
  ctx.backups.set(file, bytes);
  c.note('snapshot-saved', {
    node: n,
    file,
    revision: status.revision,
    index: consistentIndex,
    bytes: bytes.length,
    sha256: toHex(bytes.subarray(bytes.length - 32)),
  });
}

/**
 * Disaster recovery as etcd's guide has it: every member stopped, each data dir restored from the
 * same snapshot file (`snapshot restore`), every member started as a new cluster. The file is one
 * saved earlier in this run, so a replay rebuilds exactly the same bytes and a link carries none.
 */
async function snapshotRestore(a: Action, ctx: ActionContext): Promise<void> {
  const file = fileName(a);
  const bytes = ctx.backups.get(file);
  if (!bytes)
    throw new Error(
      `open ${file}: no such file or directory (no snapshot of that name was saved in this run)`,
    );
  const c = ctx.cluster.conductor;
  const host = ctx.cluster.host;
  if (!host.restoreDisk) throw new Error('this host cannot restore snapshots');
  const members = c.nodeIds();
  const running = members.filter((n) => c.nodeState(n) !== 'down');
  if (running.length > 0)
    throw new Error(
      `every member must be stopped before a restore; ${running.map((n) => `n${n}`).join(', ')} still running`,
    );
  const { snapshot, status } = decodeBackup(bytes);
  // The checkers see a new cluster from here (src/check/invariants.ts).
  c.note('cluster-restored', { file, revision: status.revision, members });
  for (const n of members) await host.restoreDisk(n, { initialCluster: members, snapshot });
  for (const n of members) await c.restart(n);
}

/** A workload action's name: what stop-workload and the playground call it. */
function workloadName(a: Action): string {
  const name = a.name;
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,39}$/.test(name))
    throw new Error(
      `action ${a.kind} at ${a.atUs} µs: name must be 1 to 40 lower-case letters, digits and dashes, got ${JSON.stringify(name)}`,
    );
  return name;
}

/**
 * A start-workload action's workload: the fields of a scenario's workload, checked the same way,
 * but for its start and stop, which are the actions' own places.
 */
function workloadSpec(a: Action): Workload {
  const v = a.workload;
  const where = `action ${a.kind} at ${a.atUs} µs`;
  if (v !== null && typeof v === 'object' && ('startMs' in v || 'stopMs' in v))
    throw new Error(`${where}: a started workload runs from the action to a stop-workload action`);
  try {
    return parseWorkload(v, 'workload');
  } catch (e) {
    if (e instanceof ScenarioError)
      throw new Error(`${where}: ${e.message.replace(/^scenario /, '')}`, { cause: e });
    throw e;
  }
}

/** An action's argument names and the settings they set. */
type SettingArgs = Record<string, keyof ClusterSettings>;

const same = (...keys: (keyof ClusterSettings)[]): SettingArgs =>
  Object.fromEntries(keys.map((k) => [k, k]));

/**
 * A settings action: arguments named in `args` (at least one given), each checked as the same
 * setting of a scenario is; performed through Cluster.configure, so it changes the cluster from
 * this place in the run on, and fails (recorded in the trace) if the settings in effect refuse it.
 */
function settingsAction(label: string, args: SettingArgs): ActionDef {
  const settings = (a: Action): Partial<ClusterSettings> => {
    const patch: Record<string, unknown> = {};
    for (const [arg, key] of Object.entries(args)) if (a[arg] !== undefined) patch[key] = a[arg];
    if (Object.keys(patch).length === 0)
      throw new Error(
        `action ${a.kind} at ${a.atUs} µs: give at least one of ${Object.keys(args).join(', ')}`,
      );
    return parseSettingsPatch(patch, a.kind);
  };
  return {
    label,
    check: (a) => void settings(a),
    settings,
    settingArgs: args,
    perform: (a, ctx) => ctx.cluster.configure(settings(a)),
  };
}
const noArgs = () => undefined;

/** An action on one message still on the wire, named by `msgId`; `apply` is false if it is gone. */
function messageAction(
  label: string,
  apply: (conductor: Cluster['conductor'], msgId: number) => boolean,
): ActionDef {
  return {
    label,
    check: (a) => {
      if (!Number.isInteger(a.msgId) || (a.msgId as number) < 1)
        throw new Error(`action ${a.kind} at ${a.atUs} µs: msgId must be a message id`);
    },
    perform: (a, ctx) => {
      if (!apply(ctx.cluster.conductor, a.msgId as number))
        throw new Error(`message ${String(a.msgId)} is no longer on the wire`);
    },
  };
}

/** Asks node `n` to stop (a leader first hands leadership over), then takes it down. */
function gracefulStop(n: number, ctx: ActionContext): void {
  ctx.send(n, { method: 'stop', body: {} }, () => {
    if (ctx.cluster.conductor.nodeState(n) !== 'down') void ctx.cluster.conductor.crash(n);
  });
}

export const ACTIONS: Record<string, ActionDef> = {
  crash: {
    label: 'crash a node',
    check: one('node'),
    perform: (a, ctx) => ctx.cluster.conductor.crash(node(a, 'node', ctx)),
  },
  'crash-leader': {
    label: 'crash whichever node leads now',
    check: noArgs,
    perform: (_a, ctx) => ctx.cluster.conductor.crash(leaderNow(ctx)),
  },
  'isolate-leader': {
    label: 'cut whichever node leads now off from every other node',
    check: noArgs,
    perform: (_a, ctx) => {
      const lead = leaderNow(ctx);
      const rest = ctx.cluster.conductor.nodeIds().filter((n) => n !== lead);
      ctx.cluster.conductor.network.partition([[lead], rest]);
    },
  },
  restart: {
    label: 'restart a crashed node',
    check: one('node'),
    perform: async (a, ctx) => {
      const n = node(a, 'node', ctx);
      if (ctx.cluster.conductor.nodeState(n) !== 'down') throw new Error(`node ${n} is not down`);
      await ctx.cluster.conductor.restart(n);
    },
  },
  'restart-all': {
    label: 'restart every crashed node',
    check: noArgs,
    perform: async (_a, { cluster: { conductor } }) => {
      for (const n of conductor.nodeIds())
        if (conductor.nodeState(n) === 'down') await conductor.restart(n);
    },
  },
  pause: {
    label: 'pause a node',
    check: one('node'),
    perform: (a, ctx) => ctx.cluster.conductor.pause(node(a, 'node', ctx)),
  },
  resume: {
    label: 'resume a paused node',
    check: one('node'),
    perform: (a, ctx) => ctx.cluster.conductor.resume(node(a, 'node', ctx)),
  },
  'resume-all': {
    label: 'resume every paused node',
    check: noArgs,
    perform: (_a, { cluster: { conductor } }) => {
      for (const n of conductor.nodeIds())
        if (conductor.nodeState(n) === 'paused') conductor.resume(n);
    },
  },
  cut: {
    label: 'cut a link (one way with oneWay: true)',
    check: (a) => void (id(a, 'from'), id(a, 'to')),
    perform: (a, ctx) =>
      ctx.cluster.conductor.network.cut(
        node(a, 'from', ctx),
        node(a, 'to', ctx),
        a.oneWay !== true,
      ),
  },
  heal: {
    label: 'heal a link',
    check: (a) => void (id(a, 'from'), id(a, 'to')),
    perform: (a, ctx) =>
      ctx.cluster.conductor.network.heal(
        node(a, 'from', ctx),
        node(a, 'to', ctx),
        a.oneWay !== true,
      ),
  },
  partition: {
    label: 'partition the cluster into groups',
    check: (a) => void groups(a),
    perform: (a, ctx) => ctx.cluster.conductor.network.partition(groups(a)),
  },
  'heal-all': {
    label: 'heal every link and partition',
    check: noArgs,
    perform: (_a, { cluster }) => cluster.conductor.network.healAll(),
  },
  'slow-disk': {
    label: 'make a node’s disk slower (factor 1 heals it)',
    check: (a) => void (id(a, 'node'), slowFactor(a)),
    perform: (a, ctx) => ctx.cluster.conductor.setSlowDisk(node(a, 'node', ctx), slowFactor(a)),
  },
  'slow-disk-leader': {
    label: 'make the disk of whichever node leads now slower (factor 1 heals it)',
    check: (a) => void slowFactor(a),
    perform: (a, ctx) => ctx.cluster.conductor.setSlowDisk(leaderNow(ctx), slowFactor(a)),
  },
  put: {
    label: 'put a key',
    check: (a) => void (clientNode(a), text(a, 'key'), text(a, 'value')),
    perform: (a, ctx) =>
      ctx.send(clientTarget(a, ctx), {
        method: 'put',
        body: { key: utf8.encode(text(a, 'key')), value: utf8.encode(text(a, 'value')) },
      }),
  },
  get: {
    label: 'get a key (serializable: true for a local read)',
    check: (a) => void (clientNode(a), text(a, 'key')),
    perform: (a, ctx) =>
      ctx.send(clientTarget(a, ctx), {
        method: 'range',
        body: { key: utf8.encode(text(a, 'key')), serializable: a.serializable === true },
      }),
  },
  delete: {
    label: 'delete a key',
    check: (a) => void (clientNode(a), text(a, 'key')),
    perform: (a, ctx) =>
      ctx.send(clientTarget(a, ctx), {
        method: 'deleteRange',
        body: { key: utf8.encode(text(a, 'key')) },
      }),
  },
  'set-network': settingsAction(
    'change every link’s latency, jitter (ms), and loss, duplication and reordering (probabilities), and the clients’ trip to a member (ms)',
    {
      latencyMs: 'networkLatencyMs',
      jitterMs: 'networkJitterMs',
      loss: 'networkLoss',
      duplicate: 'networkDuplicate',
      reorder: 'networkReorder',
      clientMs: 'clientLatencyMs',
    },
  ),
  'set-disk': settingsAction('change every node’s fsync latency and jitter (ms)', {
    fsyncMs: 'fsyncMs',
    fsyncJitterMs: 'fsyncJitterMs',
  }),
  'set-timing': settingsAction(
    'change the heartbeat interval, the election timeout (ms), PreVote and CheckQuorum',
    same('heartbeatMs', 'electionTimeoutMs', 'preVote', 'checkQuorum'),
  ),
  'set-read-path': settingsAction(
    'change the read path of linearizable reads (read-index, lease, log or serializable)',
    same('readPath'),
  ),
  'set-backend': settingsAction(
    'change the backend’s lock mode, batch interval (ms), batch limit, space quota (bytes) and freelist design',
    same('lockMode', 'batchIntervalMs', 'batchLimit', 'quotaBackendBytes', 'freelistType'),
  ),
  'set-auth': settingsAction(
    'change the auth mode and the bcrypt cost',
    same('authMode', 'bcryptCost'),
  ),
  'drop-message': messageAction('drop a message on the wire', (c, id) => c.dropMessage(id)),
  'duplicate-message': messageAction('deliver a message on the wire twice', (c, id) =>
    c.duplicateMessage(id),
  ),
  campaign: {
    label: 'make a node campaign now, as if its election timer fired',
    check: one('node'),
    perform: (a, ctx) => ctx.send(node(a, 'node', ctx), { method: 'campaign', body: {} }),
  },
  'lease-put': {
    label:
      'grant a lease (id, ttl in s) and put lease/<id> under it: it goes when the lease expires',
    check: (a) => {
      id(a, 'node');
      if (!Number.isInteger(a.id) || (a.id as number) < 1 || (a.id as number) > 2 ** 31)
        throw new Error(`action lease-put at ${a.atUs} µs: id must be a lease id from 1 to 2^31`);
      if (typeof a.ttl !== 'number' || !(a.ttl >= 1) || a.ttl > 3600)
        throw new Error(`action lease-put at ${a.atUs} µs: ttl must be 1 to 3600 seconds`);
    },
    perform: (a, ctx) => {
      const n = node(a, 'node', ctx);
      const ID = a.id as number;
      ctx.send(n, { method: 'leaseGrant', body: { ID, TTL: a.ttl as number } }, (r) => {
        if (!r.ok) return;
        ctx.send(n, {
          method: 'put',
          body: { key: utf8.encode(leaseKey(ID)), value: utf8.encode('leased'), lease: ID },
        });
      });
    },
  },
  'add-member': {
    label: 'add a member (learner: true for a learner) and start it once the cluster accepts it',
    check: (a) => void (id(a, 'node'), id(a, 'id')),
    perform: (a, ctx) => {
      const newId = id(a, 'id');
      ctx.send(
        node(a, 'node', ctx),
        { method: 'memberAdd', body: { ID: newId, isLearner: a.learner === true } },
        (r) => startMember(ctx, newId, r),
      );
    },
  },
  'remove-member': {
    label: 'remove a member',
    check: (a) => void (id(a, 'node'), id(a, 'id')),
    perform: (a, ctx) =>
      ctx.send(node(a, 'node', ctx), { method: 'memberRemove', body: { ID: id(a, 'id') } }),
  },
  'promote-member': {
    label: 'promote a learner to a voter',
    check: (a) => void (id(a, 'node'), id(a, 'id')),
    perform: (a, ctx) =>
      ctx.send(node(a, 'node', ctx), { method: 'memberPromote', body: { ID: id(a, 'id') } }),
  },
  'transfer-leader': {
    label: 'move leadership to a member (asks the node given, which must be the leader)',
    check: (a) => void (id(a, 'node'), id(a, 'to')),
    perform: (a, ctx) =>
      ctx.send(node(a, 'node', ctx), { method: 'moveLeader', body: { targetID: id(a, 'to') } }),
  },
  etcdctl: {
    label: 'run an etcdctl command line against a node (the console)',
    check: (a) => void (clientNode(a), etcdctlCommand(a)),
    perform: (a, ctx) => {
      const n = clientTarget(a, ctx);
      const command = text(a, 'command');
      const { request } = etcdctlCommand(a);
      ctx.cluster.conductor.note('etcdctl', { node: n, command });
      if (request.method === 'watch') {
        return ctx.watch(n, request, {
          onResponse: (r) => ctx.etcdctlAnswer?.(n, command, r),
          onEnd: (reason) => ctx.etcdctlWatchEnd?.(n, command, reason),
        });
      }
      ctx.send(
        n,
        request,
        (r) => {
          ctx.etcdctlAnswer?.(n, command, r);
          if (request.method === 'memberAdd') startMember(ctx, request.body.ID, r);
        },
        true,
      );
    },
  },
  'snapshot-save': {
    label: 'save a snapshot file of a member’s backend (etcdctl snapshot save <file>)',
    check: (a) => void (id(a, 'node'), fileName(a)),
    perform: snapshotSave,
  },
  'snapshot-restore': {
    label:
      'restore every (stopped) member from a snapshot saved in this run, and start them as a new cluster',
    check: (a) => void fileName(a),
    perform: snapshotRestore,
  },
  'etcdctl-interrupt': {
    label: 'Ctrl+C in the console: stop every etcdctl watch',
    check: noArgs,
    perform: (_a, ctx) => {
      const n = ctx.interruptWatches();
      ctx.cluster.conductor.note('etcdctl-interrupt', { watches: n });
    },
  },
  'start-workload': {
    label:
      'start a named workload now (workload: a scenario workload’s fields; node: send every call to it)',
    check: (a) => {
      workloadName(a);
      workloadSpec(a);
      if (a.node !== undefined) id(a, 'node');
    },
    perform: (a, ctx) =>
      ctx.startWorkload(
        workloadName(a),
        workloadSpec(a),
        a.node === undefined ? undefined : node(a, 'node', ctx),
      ),
  },
  'stop-workload': {
    label: 'stop a workload a start-workload action started',
    check: (a) => void workloadName(a),
    perform: (a, ctx) => ctx.stopWorkload(workloadName(a)),
  },
  'graceful-stop': {
    label: 'stop a node gracefully (a leader hands leadership over first)',
    check: one('node'),
    perform: (a, ctx) => gracefulStop(node(a, 'node', ctx), ctx),
  },
  'graceful-stop-leader': {
    label: 'stop whichever node leads now gracefully (it hands leadership over first)',
    check: noArgs,
    perform: (_a, ctx) => gracefulStop(leaderNow(ctx), ctx),
  },
};

/** Checks every action before a run starts, so a bad scenario fails with a message, not mid-run. */
export function checkActions(actions: readonly Action[]): void {
  for (const a of actions) {
    const def = ACTIONS[a.kind];
    if (!def) {
      throw new Error(
        `action ${a.kind} at ${a.atUs} µs is not one raftlab knows (${Object.keys(ACTIONS).join(', ')})`,
      );
    }
    def.check(a);
  }
}

/** Performs an action now; a failure is recorded in the trace and the run goes on. */
export async function performAction(a: Action, ctx: ActionContext): Promise<void> {
  try {
    await ACTIONS[a.kind]!.perform(a, ctx);
  } catch (err) {
    ctx.cluster.conductor.note('action-failed', {
      action: a.kind,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

/**
 * The settings in effect at `atUs` in a scenario: its initial settings as changed by each
 * settings action up to then that the cluster accepted (the same check as Cluster.configure).
 */
export function settingsInEffect(scenario: Scenario, atUs: number): ClusterSettings {
  let s = scenario.settings;
  for (const a of scenario.actions) {
    if (a.atUs > atUs) break;
    const patch = ACTIONS[a.kind]?.settings;
    if (!patch) continue;
    try {
      s = applySettings(s, patch(a));
    } catch {
      // refused when it was performed: recorded as failed, changed nothing
    }
  }
  return s;
}

/**
 * The settings actions that take the settings `from` to `to`, one for each kind with something
 * to change, with just the arguments that change (what the playground's settings form records).
 */
export function settingsActions(
  from: ClusterSettings,
  to: ClusterSettings,
): { kind: string; [arg: string]: unknown }[] {
  const out: { kind: string; [arg: string]: unknown }[] = [];
  for (const [kind, def] of Object.entries(ACTIONS)) {
    const action: { kind: string; [arg: string]: unknown } = { kind };
    for (const [arg, key] of Object.entries(def.settingArgs ?? {}))
      if (from[key] !== to[key]) action[arg] = to[key];
    if (Object.keys(action).length > 1) out.push(action);
  }
  return out;
}

/**
 * The workloads start-workload actions have running at `atUs` in a scenario, by name, with the
 * node each sends to (if one): what the playground's workload control shows. A start of a name
 * already running, or a stop of one not running, failed when performed and changes nothing.
 */
export function workloadsInEffect(
  scenario: Scenario,
  atUs: number,
): Map<string, { workload: Workload; node?: number }> {
  const out = new Map<string, { workload: Workload; node?: number }>();
  for (const a of scenario.actions) {
    if (a.atUs > atUs) break;
    try {
      if (a.kind === 'start-workload') {
        const name = workloadName(a);
        if (out.has(name) || out.size >= MAX_WORKLOADS) continue;
        out.set(name, {
          workload: workloadSpec(a),
          ...(a.node !== undefined ? { node: id(a, 'node') } : {}),
        });
      } else if (a.kind === 'stop-workload') out.delete(workloadName(a));
    } catch {
      // refused before the run: never performed
    }
  }
  return out;
}
