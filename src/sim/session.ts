// A run you can watch, step, act on and share: the cluster, its timeline, its workloads and its
// scenario, which records every action with the exact place it happened. Opening the same
// scenario replays it identically, because each action is performed at the same point of the
// event stream: after `afterEvents` events (when the action was taken live, possibly between two
// events of the same microsecond), or, for actions written by hand, once every event up to its
// time has run.
import type { ClientRequest, ClientResponse, WatchStreamResponse } from '../server/requests';
import { WRITE_METHODS } from '../server/requests';
import { definitelyNotApplied } from '../server/errors';
import type { PeerMessage } from '../server/peer';
import { MAX_WORKLOADS, type Action, type Scenario, type Workload } from '../scenario/schema';
import { checkActions, leaseKey, performAction, type ActionContext } from './actions';
import { refused, startCluster, type Cluster } from './cluster';
import type { TraceRecord } from './conductor';
import type { NodeHost } from './host-contract';
import { MetricsRecorder, type RunMetrics } from './metrics';
import { Timeline } from './timeline';
import { InvariantChecker } from '../check/invariants';
import type { KvResponse, Operation } from '../check/history';
import { WorkloadGenerator, pickOf, planWatchers } from './workload';
import { WatchStreams } from './watch-streams';
import { PROXY_CLIENT, PROXY_NODE, ProxyNode } from './proxy-node';

const utf8 = new TextEncoder();

/** How long a workload client waits after a failed request before its next one. */
const RETRY_BACKOFF_US = 50_000;

/**
 * Client ids: 1 for actions, 1000 + 1000 * workload + n for workloads, WATCHER_CLIENTS +
 * 10,000 * workload + n for a workload's watchers.
 */
const ACTION_CLIENT = 1;
const WATCHER_CLIENTS = 1_000_000;

export interface SessionOptions {
  host?: NodeHost<PeerMessage, ClientRequest, ClientResponse>;
  onTrace?: (r: TraceRecord) => void;
}

interface Inflight {
  kind: string;
  sentUs: number;
  method: string;
  onDone?: (r: ClientResponse) => void;
  /** The call's entry in the history, for key-value calls. */
  op?: HistoryOp;
}

/** The methods whose calls go into the history the linearizability checker reads. */
const KV_METHODS: ReadonlySet<string> = new Set(['range', 'put', 'deleteRange', 'txn']);

/** One key-value call as a client saw it (the linearizability checker's input). */
export interface HistoryOp extends Operation {
  /** Set when the error says the call certainly never reached the log (src/server/errors.ts). */
  definite?: boolean;
  /** The member the call was sent to (absent for the system's own lease revokes). */
  node?: number;
  /** What made it: a workload's operation kind ('put', 'range-cheap', ...) or `action:<method>`. */
  kind?: string;
}

export class Session {
  readonly timeline: Timeline;
  readonly metrics: MetricsRecorder;
  /** Actions of the scenario not yet performed, in order. */
  private pending: Action[];
  /** Requests sent and not yet answered, by `clientId/requestId`. */
  readonly inflight = new Map<string, Inflight>();
  private nextRequestId = 1;
  /** Every key-value call made so far, in the order made. */
  readonly history: HistoryOp[] = [];
  private readonly actionCtx: ActionContext;
  /** Workloads started by actions, by name: running (its handle) or stopped (undefined). */
  private readonly named = new Map<string, { stopUs: number } | undefined>();
  /** How many workloads actions have started: the next one's index after the scenario's. */
  private started = 0;
  /**
   * Hears the answer to every request an action made (the quick client bar shows them), but the
   * etcdctl action's, which go to onEtcdctlAnswer.
   */
  onActionAnswer: ((method: ClientRequest['method'], response: ClientResponse) => void) | undefined;
  /**
   * Hears the answer to every etcdctl action (the playground's console prints them), replayed
   * ones included.
   */
  onEtcdctlAnswer: ((node: number, command: string, response: ClientResponse) => void) | undefined;
  /** Snapshot files saved in this run (snapshot-save actions), by name. */
  readonly backups = new Map<string, Uint8Array>();
  /**
   * When this run's cluster first started from a snapshot file (0: restored from the start): the
   * key-value history after it starts from the file's keyspace, not from an empty store.
   */
  restoredAtUs: number | undefined;
  /**
   * Hears that an etcdctl watch ended with no answer to say so (its member went down), replayed
   * ones included.
   */
  onEtcdctlWatchEnd: ((node: number, command: string, reason: string) => void) | undefined;
  /** Open watch streams (the etcdctl action's, workload watchers'), answered through onResponse. */
  private readonly streams = new WatchStreams((node, clientId, request) => {
    const requestId = this.nextRequestId++;
    this.dial(node, clientId, requestId, request);
    return requestId;
  });
  /** The proxy in front of the cluster, when the settings put one there (source article 001). */
  readonly proxy: ProxyNode | undefined;
  /** What the workloads' watchers have received: responses, and the events in them. */
  readonly watchStats = { watchers: 0, responses: 0, events: 0 };

  private constructor(
    readonly scenario: Scenario,
    readonly cluster: Cluster,
    timeline: Timeline,
    metrics: MetricsRecorder,
    /** Raft's and etcd's safety properties, checked at every trace record (src/check). */
    readonly invariants: InvariantChecker,
  ) {
    this.timeline = timeline;
    this.metrics = metrics;
    this.pending = [...scenario.actions];
    if (scenario.settings.proxy) {
      this.proxy = new ProxyNode(
        cluster.conductor,
        (r) => this.onResponse(r),
        scenario.settings.cpuCores,
      );
    }
    this.actionCtx = {
      cluster,
      leader: () => this.leaderNow(),
      send: (node, request, onDone, quiet) =>
        this.send(node, ACTION_CLIENT, `action:${request.method}`, request, (r) => {
          onDone?.(r);
          if (!quiet) this.onActionAnswer?.(request.method, r);
        }),
      etcdctlAnswer: (node, command, r) => this.onEtcdctlAnswer?.(node, command, r),
      backups: this.backups,
      watch: (node, request, handlers) =>
        this.streams.watch(node, ACTION_CLIENT, request, handlers),
      interruptWatches: () => this.streams.interrupt(ACTION_CLIENT),
      etcdctlWatchEnd: (node, command, reason) => this.onEtcdctlWatchEnd?.(node, command, reason),
      startWorkload: (name, spec, node) => this.startWorkload(name, spec, node),
      stopWorkload: (name) => this.stopWorkload(name),
      proxy: scenario.settings.proxy,
    };
    this.restoredAtUs = scenario.restore ? 0 : undefined;
  }

  /** The member leading the highest term now, as the timeline tells it (a down one leads none). */
  private leaderNow(): number | undefined {
    let best: { id: number; term: number } | undefined;
    for (const n of this.timeline.nodesAt(this.nowUs)) {
      if (n.role === 'StateLeader' && n.liveness !== 'down' && (!best || n.term > best.term))
        best = { id: n.id, term: n.term };
    }
    return best?.id;
  }

  /**
   * A leader proposes revoking an expired lease: the revoke deletes the keys attached to it at
   * some later revision, or never (a new leader proposes again). For the history it is a delete of
   * the lease's key (lease-put attaches one) that may take effect any time from now: a call no
   * client made, so a system one (client 0) that never returns.
   */
  private onLeaseExpired(r: TraceRecord): void {
    if (typeof r.lease !== 'number') return;
    this.history.push({
      id: this.history.length,
      clientId: 0,
      callUs: r.atUs,
      request: { method: 'deleteRange', body: { key: utf8.encode(leaseKey(r.lease)) } },
    });
  }

  static async start(input: Scenario, opts: SessionOptions = {}): Promise<Session> {
    checkActions(input.actions);
    const scenario: Scenario = { ...input, actions: [...input.actions] };
    const ids = Array.from({ length: scenario.settings.size }, (_, i) => i + 1);
    const timeline = new Timeline(ids);
    const metrics = new MetricsRecorder();
    const invariants = new InvariantChecker();
    // The cluster starts before the session exists; responses only come once it runs.
    const holder: { session?: Session } = {};
    const cluster = await startCluster({
      settings: scenario.settings,
      seed: scenario.seed,
      ...(scenario.restore ? { restore: scenario.restore } : {}),
      ...(opts.host ? { host: opts.host } : {}),
      onTrace: (r) => {
        timeline.push(r);
        const broke = invariants.observe(r);
        // The violation goes into the trace itself, at the record that caused it: the feed
        // narrates it, the timeline can jump to it, and a share link reproduces it.
        if (broke) {
          holder.session?.cluster.conductor.note('invariant-violated', {
            invariant: broke.invariant,
            message: broke.message,
            ...(broke.node !== undefined ? { node: broke.node } : {}),
          });
        }
        if (r.kind === 'lease-expired') holder.session?.onLeaseExpired(r);
        if (r.kind === 'cluster-restored' && holder.session) holder.session.restoredAtUs ??= r.atUs;
        // a member that goes down drops its clients' connections: its watches end
        if (r.kind === 'crash' && typeof r.node === 'number') {
          holder.session?.streams.memberDown(r.node, `n${r.node} went down: the watch ended`);
          holder.session?.proxy?.memberDown(r.node);
        }
        if (r.kind === 'leader-change' && r.to === r.node) metrics.recordLeaderChange();
        opts.onTrace?.(r);
      },
      onResponse: (r) => holder.session?.onResponse(r),
      onRequestLost: (r) => {
        if (r.clientId === PROXY_CLIENT)
          return holder.session?.proxy?.refused(r.requestId, refused(r.node));
        const op = holder.session?.inflight.get(`${r.clientId}/${r.requestId}`);
        const response = refused(r.node);
        if (op) response.method = op.method as ClientRequest['method'];
        // Never delivered: certainly not applied.
        holder.session?.onResponse({ ...r, response, lost: true });
      },
    });
    const session = new Session(scenario, cluster, timeline, metrics, invariants);
    holder.session = session;
    session.startWorkloads();
    return session;
  }

  /** Starts a scenario and runs it to its cursor: what opening a share link does. */
  static async open(scenario: Scenario, opts: SessionOptions = {}): Promise<Session> {
    const s = await Session.start(scenario, opts);
    await s.runToPlace(scenario.cursorUs, scenario.cursorEvents);
    return s;
  }

  /**
   * Runs to a place: `atUs`, and when `afterEvents` is given, exactly that many events (the
   * viewer's place between events of the same microsecond).
   */
  async runToPlace(
    atUs: number,
    afterEvents?: number,
    shouldYield?: () => boolean,
  ): Promise<boolean> {
    if (afterEvents === undefined) return this.runTo(atUs, shouldYield);
    const c = this.cluster.conductor;
    // Up to the last microsecond before the cursor, then event by event.
    if (atUs > 0 && !(await this.runTo(atUs - 1, shouldYield))) return false;
    while (c.eventsProcessed < afterEvents && (await this.step())) {
      if (c.now > atUs)
        throw new Error(`replay diverged: passed ${atUs} µs before event ${afterEvents}`);
    }
    // Actions taken at this very place come before the cursor.
    while (this.pending[0]?.afterEvents === c.eventsProcessed) await this.step();
    c.advanceClockTo(atUs);
    return true;
  }

  get nowUs(): number {
    return this.cluster.conductor.now;
  }

  get traceHash(): string {
    return this.cluster.conductor.traceHash;
  }

  /** How many etcdctl watches are streaming now. */
  get openWatches(): number {
    return this.streams.open;
  }

  // ---- running ----

  /**
   * Runs to `untilUs`, performing the scenario's actions at their places. With `shouldYield` it
   * may stop early (returns false) so a UI keeps its frames; call again to go on.
   */
  async runTo(untilUs: number, shouldYield?: () => boolean): Promise<boolean> {
    const c = this.cluster.conductor;
    for (;;) {
      const next = this.pending[0];
      if (!next || next.atUs > untilUs) break;
      if (!(await this.reach(next, shouldYield))) return false;
      this.pending.shift();
      await performAction(next, this.actionCtx);
    }
    return c.runUntil(untilUs, shouldYield);
  }

  /** Runs to the exact place of `a`; false if it yielded first. */
  private async reach(a: Action, shouldYield?: () => boolean): Promise<boolean> {
    const c = this.cluster.conductor;
    const after = typeof a.afterEvents === 'number' ? a.afterEvents : undefined;
    if (after === undefined) return c.runUntil(a.atUs, shouldYield);
    let n = 0;
    while (c.eventsProcessed < after) {
      const head = c.nextEventAtUs();
      if (head === undefined || head > a.atUs) break; // the run ended early: act at its time
      await c.step();
      if (shouldYield && ++n % 64 === 0 && shouldYield()) return false;
    }
    if (c.eventsProcessed > after) {
      throw new Error(
        `replay diverged: action ${a.kind} was taken after event ${after}, but ${c.eventsProcessed} have run`,
      );
    }
    // Live, the action came after exactly these events, with the clock perhaps moved on past the
    // last of them (paused): move it without running anything else.
    c.advanceClockTo(a.atUs);
    return true;
  }

  /** Processes exactly one event (or the action due at this place); false when nothing is left. */
  async step(): Promise<boolean> {
    const c = this.cluster.conductor;
    const next = this.pending[0];
    const head = c.nextEventAtUs();
    const due =
      next &&
      (next.afterEvents === c.eventsProcessed ||
        (next.afterEvents === undefined && (head === undefined || head > next.atUs)));
    if (next && due) {
      if (next.afterEvents === undefined) await c.runUntil(next.atUs);
      else c.advanceClockTo(next.atUs);
      this.pending.shift();
      await performAction(next, this.actionCtx);
      return true;
    }
    return c.step();
  }

  /** When the next event is due (undefined: nothing scheduled). */
  nextEventAtUs(): number | undefined {
    return this.cluster.conductor.nextEventAtUs();
  }

  // ---- acting ----

  /** Performs a user action now and records it in the scenario, at this exact place. */
  async act(action: { kind: string; [arg: string]: unknown }): Promise<void> {
    const c = this.cluster.conductor;
    const a: Action = { ...action, atUs: c.now, afterEvents: c.eventsProcessed };
    checkActions([a]);
    this.scenario.actions.push(a);
    await performAction(a, this.actionCtx);
  }

  /**
   * Runs an etcdctl command line against a node, recorded as an action (so a share link replays
   * it); its answer goes to `onEtcdctlAnswer`. A malformed line throws before anything is done.
   */
  etcdctl(node: number, command: string): Promise<void> {
    return this.act({ kind: 'etcdctl', node, command });
  }

  /** Ctrl+C in the console: stops every etcdctl watch now, recorded as an action. */
  interruptEtcdctl(): Promise<void> {
    return this.act({ kind: 'etcdctl-interrupt' });
  }

  /**
   * The scenario as it stands, with the viewer's cursor: what a share link carries. A cursor at
   * the head of the run also records how many events have run, to be exact between events of the
   * same microsecond.
   */
  toScenario(cursorUs: number): Scenario {
    const c = this.cluster.conductor;
    const out: Scenario = { ...this.scenario, actions: [...this.scenario.actions], cursorUs };
    if (cursorUs === c.now) out.cursorEvents = c.eventsProcessed;
    else delete out.cursorEvents;
    return out;
  }

  summary(): RunMetrics {
    const starts = this.scenario.workloads.map((w) => Math.round(w.startMs * 1000));
    return this.metrics.summary(this.nowUs - Math.min(this.nowUs, ...starts));
  }

  async dispose(): Promise<void> {
    await this.cluster.host.close();
  }

  // ---- clients ----

  private send(
    node: number,
    clientId: number,
    kind: string,
    request: ClientRequest,
    onDone?: (r: ClientResponse) => void,
  ): void {
    const requestId = this.nextRequestId++;
    const entry: Inflight = { kind, sentUs: this.nowUs, method: request.method };
    if (onDone) entry.onDone = onDone;
    if (KV_METHODS.has(request.method)) {
      entry.op = {
        id: this.history.length,
        clientId,
        callUs: this.nowUs,
        request: request as HistoryOp['request'],
        node,
        kind,
      };
      this.history.push(entry.op);
    }
    this.inflight.set(`${clientId}/${requestId}`, entry);
    this.dial(node, clientId, requestId, request);
  }

  /** Puts a client's call on its way: to a member, or to the proxy (PROXY_NODE). */
  private dial(node: number, clientId: number, requestId: number, request: ClientRequest): void {
    if (node !== PROXY_NODE) this.cluster.conductor.request(node, clientId, requestId, request);
    else if (this.proxy) this.proxy.request(clientId, requestId, request);
    else throw new Error('there is no proxy in this run: turn it on in the settings');
  }

  private onResponse(r: {
    clientId: number;
    requestId: number;
    response: ClientResponse;
    atUs: number;
    /** The member that answered (a proxy's answer has none). */
    node?: number;
    /** The member was down: the call never reached it. */
    lost?: boolean;
  }): void {
    if (r.clientId === PROXY_CLIENT && r.node !== undefined)
      return this.proxy?.fromMember(r.node, r.requestId, r.response);
    if (this.streams.answer(r.clientId, r.requestId, r.response)) return;
    const key = `${r.clientId}/${r.requestId}`;
    const op = this.inflight.get(key);
    if (!op) return;
    this.inflight.delete(key);
    if (op.op) {
      op.op.returnUs = r.atUs;
      if (r.response.ok) op.op.response = r.response.body as KvResponse;
      else {
        op.op.error = r.response.error.message;
        op.op.definite = r.lost === true || definitelyNotApplied(r.response.error.message);
      }
    }
    const error = r.response.ok ? undefined : r.response.error.message;
    this.metrics.recordOp(op.kind, r.atUs - op.sentUs, r.response.ok, error);
    if (!r.response.ok && WRITE_METHODS.has(op.method as ClientRequest['method']))
      this.metrics.recordFailedProposal();
    op.onDone?.(r.response);
  }

  private startWorkloads(): void {
    this.scenario.workloads.forEach((spec, w) => {
      const startUs = Math.round(spec.startMs * 1000);
      const stopUs =
        spec.stopMs === undefined ? Number.MAX_SAFE_INTEGER : Math.round(spec.stopMs * 1000);
      this.runWorkload(spec, w, startUs, { stopUs });
    });
  }

  /**
   * Starts a named workload now (the start-workload action). Its PRNG stream and client ids come
   * after the scenario's workloads and those started before it, so a replay draws the same.
   */
  startWorkload(name: string, spec: Workload, node?: number): void {
    if (this.named.get(name)) throw new Error(`workload ${name} is already running`);
    const running = [...this.named.values()].filter((h) => h !== undefined).length;
    if (running >= MAX_WORKLOADS)
      throw new Error(`${MAX_WORKLOADS} workloads are running already: stop one first`);
    const w = this.scenario.workloads.length + this.started++;
    const handle = { stopUs: Number.MAX_SAFE_INTEGER };
    this.named.set(name, handle);
    this.runWorkload(spec, w, this.nowUs, handle, node);
  }

  /** Stops a named workload now: no call is made from here on (those in flight still return). */
  stopWorkload(name: string): void {
    const handle = this.named.get(name);
    if (!handle) throw new Error(`no workload named ${name} is running`);
    handle.stopUs = this.nowUs;
    this.named.set(name, undefined);
  }

  /**
   * Runs workload `w` from `startUs` until `handle.stopUs` (which may move: stop-workload),
   * sending every call to `node` if given, else to a node drawn for each call.
   */
  private runWorkload(
    spec: Workload,
    w: number,
    startUs: number,
    handle: { stopUs: number },
    node?: number,
  ): void {
    const c = this.cluster.conductor;
    const gen = new WorkloadGenerator(spec, this.scenario.seed, w, () => c.nodeIds());
    // With a proxy, every workload client calls it; the member is drawn all the same, so the
    // requests are the same with and without the proxy. A workload started on a chosen node
    // calls that node.
    const route = (pick: () => number) => {
      if (node !== undefined) return node;
      const picked = pick();
      return this.proxy ? PROXY_NODE : picked;
    };
    const target = () => route(() => gen.pickNode());
    const running = () => c.now < handle.stopUs;
    if (spec.mode === 'open') {
      const arrive = () => {
        if (!running()) return;
        const op = gen.nextOp();
        this.send(target(), 1000 + 1000 * w, op.kind, op.request);
        c.at(c.now + gen.nextGapUs(), 'arrival', arrive);
      };
      c.at(startUs + gen.nextGapUs(), 'arrival', arrive);
    } else {
      for (let k = 0; k < spec.concurrency; k++) {
        const clientId = 1000 + 1000 * w + k + 1;
        const next = () => {
          if (!running()) return;
          const op = gen.nextOp();
          this.send(target(), clientId, op.kind, op.request, (r) => {
            // A client backs off after a failure (etcd's clientv3 retries after a pause),
            // rather than hammering a down member within the same microsecond.
            if (r.ok) next();
            else c.at(c.now + RETRY_BACKOFF_US, 'client-retry', next);
          });
        };
        c.at(startUs, 'client-start', next);
      }
    }
    planWatchers(spec, this.scenario.seed, w).forEach(({ afterUs, body, pick }, k) => {
      const clientId = WATCHER_CLIENTS + 10_000 * w + k;
      // a spread watcher draws its member from its own stream (the requests' stay as they were)
      const to = () => (pick === undefined ? target() : route(() => pickOf(pick, c.nodeIds())));
      c.at(startUs + afterUs, 'watcher-start', () => {
        this.watchStats.watchers++;
        this.streams.watch(
          to(),
          clientId,
          { method: 'watch', body },
          {
            onResponse: (r) => {
              if (!r.ok) return;
              this.watchStats.responses++;
              this.watchStats.events += (r.body as WatchStreamResponse).events.length;
            },
            onEnd: () => {},
          },
        );
      });
    });
  }
}
