// The scenario document: everything needed to replay a run exactly — the seed, the settings, the
// workloads, every user action with its simulated time, and the viewer's cursor. It is small,
// versioned JSON, so it fits in a share link and survives schema changes: a document from a newer
// raftlab is refused by name rather than misread.
//
// Input is untrusted (it comes from URLs and files): `parseScenario` checks every field, fills
// defaults for what is missing, caps sizes, and throws a ScenarioError whose message names the
// field that is wrong.

import { BackupError, decodeBackup } from '../mvcc/backup';
import { fromBase64Url } from './link-codec';

export const SCENARIO_VERSION = 1;
export const MAX_NODES = 9;
export const MAX_ACTIONS = 10_000;
export const MAX_WORKLOADS = 16;
export const MAX_TEXT_BYTES = 4096;
/**
 * The largest snapshot file a run may be restored from. Its base64 text (4/3 of it) stays within
 * what a link or a JSON file may hold once unpacked (link-codec's MAX_SCENARIO_BYTES, 4 MiB).
 */
export const MAX_RESTORE_BYTES = 2 * 1024 * 1024;

export type ReadPath = 'read-index' | 'log' | 'lease' | 'serializable';
export type LockMode = 'coarse' | 'rwlock' | 'concurrent';
export type AuthMode = 'off' | 'bcrypt' | 'token';
export type FreelistType = 'array' | 'map';
export const UNSAFE_SETTINGS = [
  'local-reads',
  'figure8-commit',
  'ack-before-fsync',
  'no-vote-persist',
  'skip-health-check',
] as const;
export type UnsafeSetting = (typeof UNSAFE_SETTINGS)[number];

export interface ClusterSettings {
  size: number;
  heartbeatMs: number;
  electionTimeoutMs: number;
  preVote: boolean;
  checkQuorum: boolean;
  readPath: ReadPath;
  lockMode: LockMode;
  batchIntervalMs: number;
  batchLimit: number;
  /**
   * etcd's --quota-backend-bytes. etcd's default is 2 GiB; raftlab's is 512 MiB: a tab runs out of
   * memory long before a run's backend could reach 2 GiB (every member keeps its data in its
   * store, its log and its disk model), while the biggest built-in story (article 004's, some
   * 200 MB of history) stays under 512 MiB. Stories about the quota set a small one (1 MiB).
   */
  quotaBackendBytes: number;
  /** bbolt's freelist design: 'array' (etcd 3.4's default) or 'map' (the segregated hashmap). */
  freelistType: FreelistType;
  /**
   * Pages of history each member's bbolt file starts with (src/mvcc/backend/aged.ts): cold data
   * the run never touches, with free runs between, laid out from the seed. 0: a new file. Only
   * the file's pages are synthetic (no keys or values); it shapes the run from its start.
   */
  agedFilePages: number;
  fsyncMs: number;
  fsyncJitterMs: number;
  networkLatencyMs: number;
  networkJitterMs: number;
  /**
   * How long a client's call takes to reach a member (0: at once, the default). Clients on the
   * same network as the members would see about networkLatencyMs; the browser benchmark says so.
   */
  clientLatencyMs: number;
  /** Probability in [0, 1] that a message is lost. */
  networkLoss: number;
  /** Probability in [0, 1] that a message is delivered twice. */
  networkDuplicate: number;
  /** Probability in [0, 1] that a message is held back so later ones overtake it. */
  networkReorder: number;
  authMode: AuthMode;
  bcryptCost: number;
  cpuCores: number;
  /** etcd's --snapshot-count: applied entries between snapshots (and log compactions). */
  snapshotCount: number;
  unsafe: UnsafeSetting[];
  /**
   * A gRPC proxy in front of the cluster (source article 001): workload clients call it instead
   * of a member; it caches serializable ranges and coalesces watches (src/proxy).
   */
  proxy: boolean;
}

export const DEFAULT_SETTINGS: ClusterSettings = {
  size: 3,
  heartbeatMs: 100,
  electionTimeoutMs: 1000,
  preVote: true,
  checkQuorum: true,
  readPath: 'read-index',
  lockMode: 'concurrent',
  batchIntervalMs: 100,
  batchLimit: 10_000,
  quotaBackendBytes: 512 * 1024 * 1024,
  freelistType: 'array',
  agedFilePages: 0,
  fsyncMs: 2,
  fsyncJitterMs: 1,
  networkLatencyMs: 1,
  networkJitterMs: 0.2,
  clientLatencyMs: 0,
  networkLoss: 0,
  networkDuplicate: 0,
  networkReorder: 0,
  authMode: 'off',
  bcryptCost: 10,
  cpuCores: 2,
  snapshotCount: 10_000,
  unsafe: [],
  proxy: false,
};

export type OpKind = 'put' | 'range-cheap' | 'range-expensive' | 'txn' | 'delete';

export interface Workload {
  /** Open loop (requests per simulated second) or closed loop (requests in flight). */
  mode: 'open' | 'closed';
  rate: number;
  concurrency: number;
  /** Relative weights of each operation kind. */
  mix: Partial<Record<OpKind, number>>;
  linearizable: boolean;
  keySpace: number;
  valueBytes: number;
  startMs: number;
  stopMs?: number;
  /** Clients that each open a watch on the workload's keys at startMs (0: none). */
  watchers?: number;
  /**
   * The workload's keys split into this many equal ranges, watcher k on range k mod watchRanges
   * (a range of one key is a watch on that key). Unset: every watcher on all the keys.
   */
  watchRanges?: number;
  /**
   * The watchers arrive over this many milliseconds from startMs, each at a time drawn from the
   * seed (their own PRNG stream, so the requests stay the same). Unset: all at startMs.
   */
  watchSpreadMs?: number;
}

/** A user action at a simulated time. `kind` names it; the rest are its arguments. */
export interface Action {
  atUs: number;
  kind: string;
  [arg: string]: unknown;
}

/**
 * A run restored from a snapshot file (etcdctl snapshot restore): every member of the initial
 * cluster starts from its keyspace. The file travels inside the scenario, so a link or an
 * exported run carries it.
 */
export interface ScenarioRestore {
  /** The file's name, as it was uploaded. */
  file: string;
  /** The whole snapshot file, base64url. */
  snapshot: string;
  /** etcdctl's --skip-hash-check: restored without comparing the file's sha256. */
  skipHashCheck?: boolean;
}

export interface Scenario {
  version: number;
  seed: number;
  title?: string;
  settings: ClusterSettings;
  workloads: Workload[];
  actions: Action[];
  /** Where the viewer was, in simulated microseconds. */
  cursorUs: number;
  /**
   * Where the viewer was in the event stream (events processed), when it was at the head of the
   * run: events of the same microsecond may lie on either side of it.
   */
  cursorEvents?: number;
  /** The snapshot file this run's cluster was restored from, if any. */
  restore?: ScenarioRestore;
}

export class ScenarioError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(path ? `scenario ${path}: ${detail}` : `scenario: ${detail}`);
    this.name = 'ScenarioError';
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown, path: string, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ScenarioError(path, `must be a number, got ${show(v)}`);
  if (integer && !Number.isInteger(v))
    throw new ScenarioError(path, `must be a whole number, got ${v}`);
  if (v < min || v > max)
    throw new ScenarioError(path, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean')
    throw new ScenarioError(path, `must be true or false, got ${show(v)}`);
  return v;
}

function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ScenarioError(
      path,
      `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${show(v)}`,
    );
  }
  return v as T;
}

function text(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new ScenarioError(path, `must be text, got ${show(v)}`);
  if (new TextEncoder().encode(v).length > MAX_TEXT_BYTES) {
    throw new ScenarioError(path, `is longer than ${MAX_TEXT_BYTES} bytes`);
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

function known(o: Obj, path: string, keys: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k))
      throw new ScenarioError(path ? `${path}.${k}` : k, 'is not a field raftlab knows');
  }
}

const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as (keyof ClusterSettings)[];

/** How each setting is checked, given its value and its path for the error message. */
const SETTING_CHECKS: {
  [K in keyof ClusterSettings]: (v: unknown, path: string) => ClusterSettings[K];
} = {
  size: (v, p) => num(v, p, 1, MAX_NODES, true),
  heartbeatMs: (v, p) => num(v, p, 1, 60_000, true),
  electionTimeoutMs: (v, p) => num(v, p, 1, 600_000, true),
  preVote: bool,
  checkQuorum: bool,
  readPath: (v, p) => oneOf(v, p, ['read-index', 'log', 'lease', 'serializable']),
  lockMode: (v, p) => oneOf(v, p, ['coarse', 'rwlock', 'concurrent']),
  batchIntervalMs: (v, p) => num(v, p, 1, 60_000, true),
  batchLimit: (v, p) => num(v, p, 1, 1_000_000, true),
  // From 64 KiB (a few pages of data past bbolt's own) to etcd's suggested maximum, 8 GiB.
  quotaBackendBytes: (v, p) => num(v, p, 65_536, 8 * 1024 ** 3, true),
  freelistType: (v, p) => oneOf(v, p, ['array', 'map']),
  // Up to 8 GiB of 4 KiB pages (MAX_AGED_PAGES): the freelist holds one number per free page.
  agedFilePages: (v, p) => num(v, p, 0, 2 * 1024 * 1024, true),
  fsyncMs: (v, p) => num(v, p, 0, 60_000),
  fsyncJitterMs: (v, p) => num(v, p, 0, 60_000),
  networkLatencyMs: (v, p) => num(v, p, 0, 60_000),
  networkJitterMs: (v, p) => num(v, p, 0, 60_000),
  clientLatencyMs: (v, p) => num(v, p, 0, 60_000),
  networkLoss: (v, p) => num(v, p, 0, 1),
  networkDuplicate: (v, p) => num(v, p, 0, 1),
  networkReorder: (v, p) => num(v, p, 0, 1),
  authMode: (v, p) => oneOf(v, p, ['off', 'bcrypt', 'token']),
  bcryptCost: (v, p) => num(v, p, 4, 16, true),
  cpuCores: (v, p) => num(v, p, 1, 64, true),
  snapshotCount: (v, p) => num(v, p, 10, 1_000_000, true),
  unsafe: (v, p) => {
    if (!Array.isArray(v)) throw new ScenarioError(p, `must be a list, got ${show(v)}`);
    return [...new Set(v.map((u, i) => oneOf(u, `${p}[${i}]`, UNSAFE_SETTINGS)))];
  },
  proxy: bool,
};

/** Checks the settings given in `v` (each present key, by its own rule), naming what is wrong. */
function checkSettings(v: Obj, path: string): Partial<ClusterSettings> {
  known(v, path, SETTING_KEYS);
  const out: Record<string, unknown> = {};
  for (const k of SETTING_KEYS) if (k in v) out[k] = SETTING_CHECKS[k](v[k], `${path}.${k}`);
  const s = out as Partial<ClusterSettings>;
  if (
    s.heartbeatMs !== undefined &&
    s.electionTimeoutMs !== undefined &&
    s.electionTimeoutMs <= s.heartbeatMs
  ) {
    throw new ScenarioError(
      `${path}.electionTimeoutMs`,
      `must be longer than the heartbeat interval (${s.heartbeatMs} ms), got ${s.electionTimeoutMs}`,
    );
  }
  return s;
}

export function parseSettings(v: unknown, path = 'settings'): ClusterSettings {
  if (v === undefined) return { ...DEFAULT_SETTINGS, unsafe: [] };
  if (!isObj(v)) throw new ScenarioError(path, `must be an object, got ${show(v)}`);
  known(v, path, SETTING_KEYS);
  return checkSettings({ ...DEFAULT_SETTINGS, ...v }, path) as ClusterSettings;
}

/**
 * Checks a change to some settings (a settings action's arguments): every field given must be a
 * setting with a valid value; the heartbeat and election timeout are checked against each other
 * when both are given (against the settings in effect, only when the change is made).
 */
export function parseSettingsPatch(v: unknown, path: string): Partial<ClusterSettings> {
  if (!isObj(v)) throw new ScenarioError(path, `must be an object, got ${show(v)}`);
  return checkSettings(v, path);
}

const OP_KINDS: readonly OpKind[] = ['put', 'range-cheap', 'range-expensive', 'txn', 'delete'];
const WORKLOAD_KEYS = [
  'mode',
  'rate',
  'concurrency',
  'mix',
  'linearizable',
  'keySpace',
  'valueBytes',
  'startMs',
  'stopMs',
  'watchers',
  'watchRanges',
  'watchSpreadMs',
];

/** Checks one workload (a scenario's, or a start-workload action's), filling defaults. */
export function parseWorkload(v: unknown, path: string): Workload {
  if (!isObj(v)) throw new ScenarioError(path, `must be an object, got ${show(v)}`);
  known(v, path, WORKLOAD_KEYS);
  const mixRaw = v.mix ?? { put: 1 };
  if (!isObj(mixRaw))
    throw new ScenarioError(`${path}.mix`, `must be an object, got ${show(mixRaw)}`);
  const mix: Partial<Record<OpKind, number>> = {};
  for (const [k, w] of Object.entries(mixRaw)) {
    mix[oneOf(k, `${path}.mix`, OP_KINDS)] = num(w, `${path}.mix.${k}`, 0, 1_000_000);
  }
  if (Object.values(mix).every((w) => w === 0))
    throw new ScenarioError(`${path}.mix`, 'needs a kind with weight above 0');
  const w: Workload = {
    mode: oneOf(v.mode ?? 'closed', `${path}.mode`, ['open', 'closed']),
    rate: num(v.rate ?? 100, `${path}.rate`, 0, 1_000_000),
    concurrency: num(v.concurrency ?? 1, `${path}.concurrency`, 1, 1024, true),
    mix,
    linearizable: bool(v.linearizable ?? true, `${path}.linearizable`),
    keySpace: num(v.keySpace ?? 100, `${path}.keySpace`, 1, 1_000_000, true),
    valueBytes: num(v.valueBytes ?? 16, `${path}.valueBytes`, 0, 1_048_576, true),
    startMs: num(v.startMs ?? 0, `${path}.startMs`, 0, 86_400_000),
  };
  if (v.stopMs !== undefined) w.stopMs = num(v.stopMs, `${path}.stopMs`, w.startMs, 86_400_000);
  if (v.watchers !== undefined) w.watchers = num(v.watchers, `${path}.watchers`, 0, 1024, true);
  if (v.watchRanges !== undefined) {
    w.watchRanges = num(v.watchRanges, `${path}.watchRanges`, 1, 1024, true);
    if (w.watchRanges > w.keySpace)
      throw new ScenarioError(
        `${path}.watchRanges`,
        `must be at most keySpace (${w.keySpace}): each range needs a key, got ${w.watchRanges}`,
      );
  }
  if (v.watchSpreadMs !== undefined)
    w.watchSpreadMs = num(v.watchSpreadMs, `${path}.watchSpreadMs`, 0, 86_400_000);
  return w;
}

function parseAction(v: unknown, path: string, previousUs: number): Action {
  if (!isObj(v)) throw new ScenarioError(path, `must be an object, got ${show(v)}`);
  const atUs = num(v.atUs, `${path}.atUs`, previousUs, Number.MAX_SAFE_INTEGER, true);
  const kind = text(v.kind, `${path}.kind`);
  if (!/^[a-z][a-z-]{0,39}$/.test(kind))
    throw new ScenarioError(`${path}.kind`, `is not an action name: ${show(kind)}`);
  // Arguments are checked by the action's own handler; here they only have to be plain data.
  const json = JSON.stringify(v);
  if (json.length > MAX_TEXT_BYTES * 2)
    throw new ScenarioError(path, 'is too large for one action');
  return { ...v, atUs, kind };
}

/**
 * The store snapshot a restore starts every member from: the file decoded and checked (sha256
 * unless skipped, then the store), throwing a ScenarioError that says what failed.
 */
export function restoredSnapshot(r: ScenarioRestore, path = 'restore'): Uint8Array {
  if (r.snapshot.length > Math.ceil((MAX_RESTORE_BYTES * 4) / 3)) {
    throw new ScenarioError(
      `${path}.snapshot`,
      `is larger than the ${MAX_RESTORE_BYTES / 1024 / 1024} MiB raftlab restores from`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(r.snapshot);
  } catch {
    throw new ScenarioError(`${path}.snapshot`, 'is not base64url text');
  }
  try {
    return decodeBackup(bytes, { skipHashCheck: r.skipHashCheck === true }).snapshot;
  } catch (e) {
    if (e instanceof BackupError) throw new ScenarioError(`${path}.snapshot`, e.message);
    throw e;
  }
}

function parseRestore(v: unknown, path: string): ScenarioRestore {
  if (!isObj(v)) throw new ScenarioError(path, `must be an object, got ${show(v)}`);
  known(v, path, ['file', 'snapshot', 'skipHashCheck']);
  const r: ScenarioRestore = { file: text(v.file, `${path}.file`), snapshot: '' };
  if (typeof v.snapshot !== 'string')
    throw new ScenarioError(`${path}.snapshot`, `must be text, got ${show(v.snapshot)}`);
  r.snapshot = v.snapshot;
  if (v.skipHashCheck !== undefined)
    r.skipHashCheck = bool(v.skipHashCheck, `${path}.skipHashCheck`);
  restoredSnapshot(r, path);
  return r;
}

export function parseScenario(v: unknown): Scenario {
  if (!isObj(v)) throw new ScenarioError('', `must be a JSON object, got ${show(v)}`);
  const version = num(v.version, 'version', 1, Number.MAX_SAFE_INTEGER, true);
  if (version > SCENARIO_VERSION) {
    throw new ScenarioError(
      'version',
      `is ${version}, made by a newer raftlab; this one reads version ${SCENARIO_VERSION}. Open the link in the raftlab that made it.`,
    );
  }
  known(v, '', [
    'version',
    'seed',
    'title',
    'settings',
    'workloads',
    'actions',
    'cursorUs',
    'cursorEvents',
    'restore',
  ]);
  const workloadsRaw = v.workloads ?? [];
  if (!Array.isArray(workloadsRaw))
    throw new ScenarioError('workloads', `must be a list, got ${show(workloadsRaw)}`);
  if (workloadsRaw.length > MAX_WORKLOADS) {
    throw new ScenarioError(
      'workloads',
      `has ${workloadsRaw.length} entries; at most ${MAX_WORKLOADS}`,
    );
  }
  const actionsRaw = v.actions ?? [];
  if (!Array.isArray(actionsRaw))
    throw new ScenarioError('actions', `must be a list, got ${show(actionsRaw)}`);
  if (actionsRaw.length > MAX_ACTIONS) {
    throw new ScenarioError('actions', `has ${actionsRaw.length} entries; at most ${MAX_ACTIONS}`);
  }
  const actions: Action[] = [];
  let previousUs = 0;
  actionsRaw.forEach((a, i) => {
    const action = parseAction(a, `actions[${i}]`, previousUs);
    previousUs = action.atUs;
    actions.push(action);
  });
  const s: Scenario = {
    version,
    seed: num(v.seed ?? 1, 'seed', 0, 0xffffffff, true),
    settings: parseSettings(v.settings),
    workloads: workloadsRaw.map((w, i) => parseWorkload(w, `workloads[${i}]`)),
    actions,
    cursorUs: num(v.cursorUs ?? 0, 'cursorUs', 0, Number.MAX_SAFE_INTEGER, true),
  };
  if (v.title !== undefined) s.title = text(v.title, 'title');
  if (v.cursorEvents !== undefined)
    s.cursorEvents = num(v.cursorEvents, 'cursorEvents', 0, Number.MAX_SAFE_INTEGER, true);
  if (v.restore !== undefined) s.restore = parseRestore(v.restore, 'restore');
  return s;
}

export function defaultScenario(seed = 1): Scenario {
  return {
    version: SCENARIO_VERSION,
    seed,
    settings: { ...DEFAULT_SETTINGS, unsafe: [] },
    workloads: [],
    actions: [],
    cursorUs: 0,
  };
}
