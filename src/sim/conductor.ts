// The conductor: owns simulated time, the network, the disks and every node's life. It pops the
// earliest event (time, then scheduling order), hands it to the node it concerns, waits for that
// node's output, and schedules what the output asks for. Nothing here reads a clock or draws
// unseeded randomness, so the same seed and the same actions give the same trace, whichever host
// runs the nodes.
import { fromWireError, type BatchBounds, type BatchStep, type TimedInput } from './batch';
import { DiskModel, type DiskSettings, DEFAULT_DISK } from './disk-model';
import { EventQueue } from './event-queue';
import type { Envelope, NodeHost, NodeInput, NodeOutput } from './host-contract';
import { DEFAULT_LINK, Network, type LinkModel } from './network';
import { Prng } from './prng';
import { TraceHasher } from './trace-hash';

export type NodeState = 'up' | 'down' | 'paused';

export type SimEvent<M extends Envelope, Req> =
  | { kind: 'tick'; node: number; chain: number }
  | { kind: 'deliver'; node: number; message: M; msgId: number; sentAtUs: number }
  | { kind: 'request'; node: number; clientId: number; requestId: number; request: Req }
  | { kind: 'durable'; node: number; writeId: number; epoch: number }
  | { kind: 'wake'; node: number; epoch: number; version: number }
  | { kind: 'action'; label: string; run: () => Promise<void> | void; quiet?: boolean };

export interface TraceRecord {
  atUs: number;
  kind: string;
  node?: number;
  [field: string]: unknown;
}

export interface ConductorOptions<M extends Envelope, Req, Res> {
  seed: number;
  nodes: readonly number[];
  host: NodeHost<M, Req, Res>;
  /** Raft's tick: the heartbeat interval, in microseconds. */
  tickUs: number;
  link?: LinkModel;
  disk?: DiskSettings;
  /**
   * How long a client's call takes to reach a member, in microseconds (default 0: at once). Above
   * zero it is also the least time between a member answering a client and that client's next
   * call reaching any member, which lets a host with stepMany run several nodes' inputs at once.
   */
  clientUs?: number;
  /** Called with every client response, at the simulated time it arrives. */
  onResponse?: (r: {
    clientId: number;
    requestId: number;
    response: Res;
    atUs: number;
    node: number;
  }) => void;
  /** What of a client request goes into its trace record (its method, its key, ...). */
  describeRequest?: (r: Req) => Record<string, unknown>;
  /** What of a response goes into its trace record (ok, the error, the revision). */
  describeResponse?: (r: Res) => Record<string, unknown>;
  /** What of a message goes into its send record beside its type and ends (its term, ...). */
  describe?: (m: M) => Record<string, unknown>;
  /**
   * Whether the network may deliver a message twice (default: every message may). Messages that
   * carry a client's call must not be: a second copy would make the cluster act on it twice.
   */
  duplicable?: (m: M) => boolean;
  /** Called when a client's request reaches a member that is down (the client is refused). */
  onRequestLost?: (r: { clientId: number; requestId: number; node: number; atUs: number }) => void;
  /** Called with every trace record as it is made (the UI's feed, the checkers). */
  onTrace?: (r: TraceRecord) => void;
  /**
   * A request handed to a node as it (re)starts, before any other input, as client 0: settings
   * changed since the node's host was given its spec (src/sim/cluster.ts), so that a node that
   * was down when they changed starts with them.
   */
  bootRequest?: (node: number) => Req | undefined;
}

interface NodeSlot<M extends Envelope, Req> {
  state: NodeState;
  /** Bumped at every crash and restart: events of an older life are ignored. */
  epoch: number;
  /** Bumped whenever the tick chain restarts (boot, resume): older ticks are ignored. */
  tickChain: number;
  disk: DiskModel;
  /** The latest wake requested; older wake events are stale. */
  wakeVersion: number;
  wakeAtUs: number | undefined;
  /** Inputs that arrived while paused, delivered in order on resume. */
  backlog: NodeInput<M, Req>[];
}

/** An output a host computed ahead (NodeHost.stepMany) for one event, or what the node threw. */
interface Ahead<M extends Envelope, Res> {
  node: number;
  out?: NodeOutput<M, Res>;
  error?: Error;
}

/** A wake-up a node's batch delivered itself (runBatch), waiting for its wake event. */
interface OwnWake<M extends Envelope, Res> {
  atUs: number;
  out?: NodeOutput<M, Res>;
  error?: Error;
}

/** The most inputs handed to a node in one stepMany call. */
const MAX_AHEAD = 16;

export class Conductor<M extends Envelope, Req, Res> {
  readonly network: Network;
  private readonly queue = new EventQueue<SimEvent<M, Req>>();
  private readonly slots = new Map<number, NodeSlot<M, Req>>();
  private readonly hasher = new TraceHasher();
  private readonly tickRng: Prng;
  private nowUs = 0;
  /** Events popped so far: where in the run an action happened, beyond its time (ties). */
  private processed = 0;
  private nextMsgId = 1;
  /** Why each node that failed to start did (its latest attempt). */
  private readonly startFailures = new Map<number, string>();
  private started = false;
  /** Raft's tick (the heartbeat interval): opts.tickUs until setTickUs changes it. */
  private tickUs: number;
  /** Outputs hosts computed ahead, by the event whose input each answers (see runAhead). */
  private readonly ahead = new Map<SimEvent<M, Req>, Ahead<M, Res>>();
  /** Wake-ups nodes delivered themselves in a batch, in order: each joins `ahead` as absorb()
   *  schedules its wake event. */
  private readonly ownWakes = new Map<number, OwnWake<M, Res>[]>();
  /** How many outputs each node has computed ahead (`ahead` and `ownWakes`). */
  private readonly aheadByNode = new Map<number, number>();
  /** A client's call's trip to a member (ConductorOptions.clientUs). */
  private clientUs: number;
  /**
   * Whether runAhead may run several nodes' inputs at once when clientUs allows it. A component
   * that reacts to a member's output sooner than clientUs later (the proxy answers from its cache
   * at once) turns it off.
   */
  crossNodeAhead = true;

  private duplicable(m: M): boolean {
    return this.opts.duplicable?.(m) ?? true;
  }

  constructor(private readonly opts: ConductorOptions<M, Req, Res>) {
    this.tickUs = checkTick(opts.tickUs);
    this.clientUs = checkClientUs(opts.clientUs ?? 0);
    if (
      new Set(opts.nodes).size !== opts.nodes.length ||
      opts.nodes.some((n) => !Number.isInteger(n) || n <= 0)
    ) {
      throw new RangeError(
        `conductor: node ids must be distinct positive integers, got ${opts.nodes.join(', ')}`,
      );
    }
    this.network = new Network(Prng.stream(opts.seed, 'net'), opts.link ?? DEFAULT_LINK);
    this.tickRng = Prng.stream(opts.seed, 'ticks');
    for (const id of opts.nodes) this.addSlot(id);
  }

  private addSlot(id: number): NodeSlot<M, Req> {
    const slot: NodeSlot<M, Req> = {
      state: 'down',
      epoch: 0,
      tickChain: 0,
      disk: new DiskModel(
        Prng.stream(this.opts.seed, `disk:${id}`),
        this.opts.disk ?? DEFAULT_DISK,
      ),
      wakeVersion: 0,
      wakeAtUs: undefined,
      backlog: [],
    };
    this.slots.set(id, slot);
    return slot;
  }

  get now(): number {
    return this.nowUs;
  }

  get traceHash(): string {
    return this.hasher.digest();
  }

  get traceLength(): number {
    return this.hasher.events;
  }

  nodeIds(): number[] {
    return [...this.slots.keys()].sort((a, b) => a - b);
  }

  nodeState(id: number): NodeState {
    return this.slot(id).state;
  }

  /** Why node `id` failed to start at its latest attempt, if it did. */
  startFailure(id: number): string | undefined {
    return this.startFailures.get(id);
  }

  disk(id: number): DiskModel {
    return this.slot(id).disk;
  }

  private slot(id: number): NodeSlot<M, Req> {
    const s = this.slots.get(id);
    if (!s) throw new Error(`conductor: no node ${id}`);
    return s;
  }

  /** Adds a record of the caller's to the trace (an action's outcome, say), at the current time. */
  note(kind: string, fields: Record<string, unknown> = {}): void {
    this.record({ ...fields, atUs: this.nowUs, kind });
  }

  private record(r: TraceRecord): void {
    this.hasher.add(r);
    this.opts.onTrace?.(r);
  }

  /** A member added while the cluster runs: a slot and a host node, down until restarted. */
  addNode(id: number): void {
    if (this.slots.has(id)) throw new Error(`conductor: node ${id} already exists`);
    if (!Number.isInteger(id) || id <= 0)
      throw new RangeError(`conductor: node ids are positive integers, got ${id}`);
    this.addSlot(id);
    this.opts.host.addNode(id);
    this.record({ atUs: this.nowUs, kind: 'node-added', node: id });
  }

  /** Starts every node from its disk. Call once, before running. */
  async start(): Promise<void> {
    if (this.started) throw new Error('conductor: already started');
    this.started = true;
    for (const id of this.nodeIds()) await this.bootNode(id);
  }

  private async bootNode(id: number): Promise<void> {
    const slot = this.slot(id);
    slot.state = 'up';
    slot.epoch++;
    slot.tickChain++;
    slot.wakeAtUs = undefined;
    slot.backlog = [];
    this.record({ atUs: this.nowUs, kind: 'node-start', node: id, epoch: slot.epoch });
    let out: NodeOutput<M, Res>;
    try {
      out = await this.opts.host.start(id, this.nowUs);
    } catch (err) {
      // A node that cannot start (a corrupt disk, say) stays down and says why; the rest of the
      // cluster runs on without it.
      slot.state = 'down';
      slot.epoch++;
      const error = err instanceof Error ? err.message : String(err);
      this.record({ atUs: this.nowUs, kind: 'start-failed', node: id, error });
      this.startFailures.set(id, error);
      return;
    }
    this.startFailures.delete(id);
    this.scheduleTick(id, this.tickRng.int(1, this.tickUs + 1));
    this.absorb(id, out);
    const request = this.opts.bootRequest?.(id);
    if (request !== undefined)
      await this.dispatch({ kind: 'request', node: id, clientId: 0, requestId: 0, request });
  }

  /**
   * Changes the tick interval (a heartbeat changed mid-run): each node's tick already scheduled
   * keeps its time, and the ticks after it follow the new interval.
   */
  setTickUs(tickUs: number): void {
    this.tickUs = checkTick(tickUs);
  }

  /** Changes how long a client's call takes to reach a member (a setting changed mid-run). */
  setClientUs(clientUs: number): void {
    this.clientUs = checkClientUs(clientUs);
  }

  private scheduleTick(id: number, afterUs: number): void {
    this.queue.push(this.nowUs + afterUs, {
      kind: 'tick',
      node: id,
      chain: this.slot(id).tickChain,
    });
  }

  /**
   * Schedules a client request to `node` at `atUs` (default: after the client's trip, now plus
   * clientUs). A component that models its own wire (the proxy) passes the time it arrives.
   */
  request(
    node: number,
    clientId: number,
    requestId: number,
    request: Req,
    atUs = this.nowUs + this.clientUs,
  ): void {
    this.slot(node);
    this.queue.push(Math.max(atUs, this.nowUs), {
      kind: 'request',
      node,
      clientId,
      requestId,
      request,
    });
  }

  /** Schedules `run` at `atUs` (default: now), in order with every other event. */
  at(atUs: number, label: string, run: () => Promise<void> | void): void {
    this.queue.push(Math.max(atUs, this.nowUs), { kind: 'action', label, run });
  }

  /**
   * Schedules `run` at `atUs` with no 'action' record of its own: for a conductor-level component
   * (the proxy) whose work records itself. Like an action, it is a barrier to batching.
   */
  later(atUs: number, label: string, run: () => void): void {
    this.queue.push(Math.max(atUs, this.nowUs), { kind: 'action', label, run, quiet: true });
  }

  /**
   * A message between a conductor-level component and a member (the proxy's calls and their
   * answers), on a link that never loses one (Network.deliveryUs): recorded as a 'send' so the
   * view draws it; `arrive` runs when it is delivered. Returns its delivery time.
   */
  wire(
    from: number,
    to: number,
    type: string,
    arrive: () => void,
    fields: Record<string, unknown> = {},
  ): number {
    const msgId = this.nextMsgId++;
    const at = this.network.deliveryUs(from, to, this.nowUs);
    this.record({
      atUs: this.nowUs,
      kind: 'send',
      node: from,
      msgId,
      to,
      type,
      deliverAtUs: [at],
      ...fields,
    });
    this.later(at, type, arrive);
    return at;
  }

  /** How many events have been processed (user actions record it to replay exactly). */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** Processes the next event; returns false when there is none. */
  async step(): Promise<boolean> {
    const next = this.queue.pop();
    if (!next) return false;
    this.processed++;
    this.nowUs = next.atUs;
    await this.dispatch(next.event);
    if (this.ahead.size > 0 && this.ahead.has(next.event)) {
      // Its node ran the input ahead, and then something made the event not deliver it (a cut
      // link, a crash): one-at-a-time delivery would have differed. runAhead's bounds rule this
      // out; if they ever fail to, say so rather than let the trace quietly diverge.
      throw new Error(
        `conductor: node ${this.ahead.get(next.event)!.node} ran an input ahead that was then not delivered`,
      );
    }
    return true;
  }

  /**
   * Processes every event up to and including `untilUs`, then sets the clock to it. With
   * `shouldYield` (checked every 64 events), it may stop early and return false, leaving the clock
   * at the last event processed: the UI uses it to keep frames on time.
   */
  async runUntil(untilUs: number, shouldYield?: () => boolean): Promise<boolean> {
    let n = 0;
    const batching = this.opts.host.stepMany !== undefined;
    for (let head = this.queue.peek(); head && head.atUs <= untilUs; head = this.queue.peek()) {
      // Run ahead from the head unless it was run ahead already, or its node has inputs run ahead
      // (then it is one of those, or step() says the bounds failed).
      if (
        batching &&
        !(this.ahead.size > 0 && this.ahead.has(head.event)) &&
        !(head.event.kind !== 'action' && this.aheadByNode.has(head.event.node))
      )
        await this.runAhead(untilUs);
      await this.step();
      // Never stop with outputs computed ahead: a user action now could change what comes next.
      if (shouldYield && ++n >= 64 && this.aheadByNode.size === 0) {
        n = 0;
        if (shouldYield()) return false;
      }
    }
    this.nowUs = Math.max(this.nowUs, untilUs);
    return true;
  }

  /**
   * Moves the clock to `tUs` without processing anything: for replaying an action taken while
   * paused after the last event. Refuses to skip an event due before `tUs`.
   */
  advanceClockTo(tUs: number): void {
    const head = this.queue.peek();
    if (head && head.atUs < tUs) {
      throw new Error(
        `conductor: cannot move the clock to ${tUs} µs past an event due at ${head.atUs} µs`,
      );
    }
    this.nowUs = Math.max(this.nowUs, tUs);
  }

  /** When the next event is due, if any. */
  nextEventAtUs(): number | undefined {
    return this.queue.peek()?.atUs;
  }

  private async dispatch(e: SimEvent<M, Req>): Promise<void> {
    switch (e.kind) {
      case 'action':
        if (!e.quiet) this.record({ atUs: this.nowUs, kind: 'action', label: e.label });
        await e.run();
        return;
      case 'tick': {
        const slot = this.slot(e.node);
        if (e.chain !== slot.tickChain || slot.state !== 'up') return; // an old chain, or paused
        this.scheduleTick(e.node, this.tickUs);
        await this.input(e.node, { kind: 'tick' }, e);
        return;
      }
      case 'deliver': {
        const { message } = e;
        const slot = this.slot(e.node);
        const reason = !this.network.connected(message.from, message.to)
          ? 'cut'
          : slot.state === 'down'
            ? 'node-down'
            : undefined;
        if (reason) {
          this.record({
            atUs: this.nowUs,
            kind: 'drop',
            node: e.node,
            msgId: e.msgId,
            reason,
            type: message.type,
          });
          return;
        }
        this.record({
          atUs: this.nowUs,
          kind: 'recv',
          node: e.node,
          msgId: e.msgId,
          from: message.from,
          type: message.type,
        });
        await this.input(e.node, { kind: 'message', message }, e);
        return;
      }
      case 'request': {
        const slot = this.slot(e.node);
        this.record({
          atUs: this.nowUs,
          kind: 'request',
          node: e.node,
          clientId: e.clientId,
          requestId: e.requestId,
          ...this.opts.describeRequest?.(e.request),
        });
        if (slot.state === 'down') {
          this.record({
            atUs: this.nowUs,
            kind: 'request-lost',
            node: e.node,
            clientId: e.clientId,
            requestId: e.requestId,
          });
          // A client dialing a down member is refused at once, as a real connection would be.
          this.opts.onRequestLost?.({
            clientId: e.clientId,
            requestId: e.requestId,
            node: e.node,
            atUs: this.nowUs,
          });
          return;
        }
        await this.input(
          e.node,
          { kind: 'request', clientId: e.clientId, requestId: e.requestId, request: e.request },
          e,
        );
        return;
      }
      case 'durable': {
        const slot = this.slot(e.node);
        if (e.epoch !== slot.epoch) return; // the node crashed before this write became durable
        this.record({ atUs: this.nowUs, kind: 'durable', node: e.node, writeId: e.writeId });
        await this.input(e.node, { kind: 'durable', writeId: e.writeId }, e);
        return;
      }
      case 'wake': {
        const slot = this.slot(e.node);
        if (e.epoch !== slot.epoch || e.version !== slot.wakeVersion) return;
        slot.wakeAtUs = undefined;
        await this.input(e.node, { kind: 'wake' }, e);
        return;
      }
    }
  }

  private async input(
    id: number,
    input: NodeInput<M, Req>,
    event?: SimEvent<M, Req>,
  ): Promise<void> {
    const slot = this.slot(id);
    if (slot.state === 'paused') {
      slot.backlog.push(input);
      return;
    }
    if (slot.state === 'down') return;
    const out =
      (this.aheadByNode.size > 0 && this.takeAhead(id, event)) ||
      (await this.opts.host.step(id, this.nowUs, input));
    this.absorb(id, out);
  }

  /** The output computed ahead for `event`, if it was; throws what the node threw for it. */
  private takeAhead(id: number, event: SimEvent<M, Req> | undefined): NodeOutput<M, Res> | false {
    const a = event && this.ahead.get(event);
    if (!a) {
      if (this.aheadByNode.has(id)) {
        throw new Error(
          `conductor: node ${id} was handed an input before those it ran ahead (one-at-a-time delivery would differ)`,
        );
      }
      return false;
    }
    this.ahead.delete(event);
    const left = this.aheadByNode.get(id)! - 1;
    if (left > 0) this.aheadByNode.set(id, left);
    else this.aheadByNode.delete(id);
    if (a.error) throw a.error;
    return a.out!;
  }

  /** Throws if node `id` has outputs computed ahead: a fault now would make them wrong. */
  private noAhead(id: number, what: string): void {
    if (this.aheadByNode.has(id))
      throw new Error(`conductor: node ${id} ${what} while it had inputs run ahead`);
  }

  /**
   * Hands nodes the events leading the queue (up to `untilUs`) in stepMany calls, one per node and
   * all at once; each host runs as many as one-at-a-time delivery would have run in the same
   * order (src/sim/batch.ts), and step() then uses their outputs in turn.
   *
   * Which events may run before those ahead of them are absorbed: a node's own consequences
   * (wake-ups, fsyncs, ticks, its next client call) are runBatch's to bound. Another node's can
   * reach it no sooner than a message's least latency, or, through a client it answered, the
   * client's trip (clientUs): so events within that much of the head are independent across
   * nodes. With clientUs 0 a client's next call may reach any node at once, and only the leading
   * run of one node's events goes ahead. Actions are barriers: they may do anything.
   */
  private async runAhead(untilUs: number): Promise<void> {
    const head = this.queue.peek();
    if (!head || head.event.kind === 'action') return;
    const first = head.event.node;
    const messageUs = this.network.minLatencyUs();
    const cross = this.crossNodeAhead && this.clientUs > 0;
    // Every event not yet absorbed, those run ahead included, is at or after the head: what any of
    // them causes on another node comes no sooner than the head's time plus the bound.
    const horizonUs = cross ? head.atUs + Math.min(messageUs, this.clientUs) : -Infinity;
    const batches = new Map<
      number,
      { inputs: TimedInput<M, Req>[]; events: SimEvent<M, Req>[]; leftUs?: number }
    >();
    /** Nodes none of whose later events may go ahead (down, paused, run ahead, a full batch). */
    const closed = new Set<number>();
    let others = false;
    /** Where the scan ended: nothing it left can come sooner (Infinity: it left nothing). */
    let stopUs = Infinity;
    let lastUs = Infinity;
    const stop = (atUs: number) => {
      stopUs = atUs;
      return false;
    };
    const visit = MAX_AHEAD * Math.max(1, this.slots.size);
    const seen = this.queue.leading(visit, ({ atUs, event }) => {
      lastUs = atUs;
      if (atUs > untilUs || event.kind === 'action') return stop(atUs);
      const id = event.node;
      // Past the horizon (or not crossing nodes at all) only the head node's leading run goes on.
      if (atUs > horizonUs && (id !== first || others)) return stop(atUs);
      if (id !== first) others = true;
      if (closed.has(id)) {
        const b = batches.get(id);
        if (b) b.leftUs ??= atUs;
        return cross || stop(atUs); // alone, a node's run ends with its batch
      }
      const slot = this.slot(id);
      // A node with inputs run ahead stopped its batch where its own outputs could come first:
      // its later events wait until those are absorbed.
      if (slot.state !== 'up' || this.aheadByNode.has(id)) {
        closed.add(id);
        return true;
      }
      const input = this.inputFor(event, slot);
      if (!input) return true;
      let b = batches.get(id);
      if (!b) batches.set(id, (b = { inputs: [], events: [] }));
      b.inputs.push({ atUs, input });
      b.events.push(event);
      if (b.inputs.length >= MAX_AHEAD) closed.add(id);
      return true;
    });
    if (batches.size === 0) return;
    // On the limit, the events left are at or after the last one seen.
    if (stopUs === Infinity && seen.length >= visit) stopUs = lastUs;
    // A node's own wake-ups may go in its batch while nothing left out can reach it first: not
    // past this run (a person may act next), the scan's end, its own next event left out, nor
    // (side by side) the horizon.
    const wakesBefore = Math.min(untilUs + 1, stopUs, cross ? horizonUs : Infinity);
    const runs = [...batches].map(async ([id, b]) => {
      const slot = this.slot(id);
      const bounds: BatchBounds = {
        messageUs,
        durableUs: slot.disk.minLatencyUs(),
        tickUs: this.tickUs,
        clientUs: this.clientUs,
        wakesBeforeUs: Math.min(wakesBefore, b.leftUs ?? Infinity),
        ...(slot.wakeAtUs !== undefined ? { wakeAtUs: slot.wakeAtUs } : {}),
      };
      return [id, b.events, await this.opts.host.stepMany!(id, b.inputs, bounds)] as const;
    });
    for (const [id, events, result] of await Promise.all(runs)) {
      const own: OwnWake<M, Res>[] = [];
      const place = (step: BatchStep, a: { out?: NodeOutput<M, Res>; error?: Error }) => {
        if ('input' in step) this.ahead.set(events[step.input]!, { node: id, ...a });
        else own.push({ atUs: step.wakeUs, ...a });
      };
      result.outputs.forEach((out, k) => place(result.steps[k]!, { out }));
      let n = result.outputs.length;
      if (result.failed) {
        place(result.failed.step, { error: fromWireError(result.failed) });
        n++;
      }
      if (own.length > 0) this.ownWakes.set(id, own);
      if (n > 0) this.aheadByNode.set(id, n);
    }
  }

  /**
   * The input `e` gives its node if dispatched now (undefined: none, it is stale or dropped): the
   * checks dispatch() makes, without its effects. Only for a node that is up.
   */
  private inputFor(e: SimEvent<M, Req>, slot: NodeSlot<M, Req>): NodeInput<M, Req> | undefined {
    switch (e.kind) {
      case 'tick':
        return e.chain === slot.tickChain ? { kind: 'tick' } : undefined;
      case 'deliver':
        return this.network.connected(e.message.from, e.message.to)
          ? { kind: 'message', message: e.message }
          : undefined;
      case 'request':
        return {
          kind: 'request',
          clientId: e.clientId,
          requestId: e.requestId,
          request: e.request,
        };
      case 'durable':
        return e.epoch === slot.epoch ? { kind: 'durable', writeId: e.writeId } : undefined;
      case 'wake':
        return e.epoch === slot.epoch && e.version === slot.wakeVersion
          ? { kind: 'wake' }
          : undefined;
      case 'action':
        return undefined;
    }
  }

  /** Schedules what a node's output asks for. */
  private absorb(id: number, out: NodeOutput<M, Res>): void {
    const slot = this.slot(id);
    // A node's trace records are fresh objects handed over to the conductor (a worker's arrive as
    // copies): stamp them in place, with the same fields and key order a copy would have, rather
    // than copying each one (a copy per record was a tenth of a loaded run's time).
    for (const t of out.trace) {
      t.atUs = this.nowUs;
      t.node = id;
      t.kind = String(t.kind ?? 'node');
      this.record(t as TraceRecord);
    }
    for (const writeId of out.writes) {
      const at = slot.disk.write(this.nowUs);
      this.queue.push(at, { kind: 'durable', node: id, writeId, epoch: slot.epoch });
    }
    for (const m of out.messages) this.send(m);
    for (const r of out.responses) {
      this.record({
        atUs: this.nowUs,
        kind: 'response',
        node: id,
        clientId: r.clientId,
        requestId: r.requestId,
        ...this.opts.describeResponse?.(r.response),
      });
      this.opts.onResponse?.({ ...r, atUs: this.nowUs, node: id });
    }
    if (
      out.wakeAtUs !== undefined &&
      (slot.wakeAtUs === undefined || out.wakeAtUs < slot.wakeAtUs)
    ) {
      slot.wakeAtUs = Math.max(out.wakeAtUs, this.nowUs);
      slot.wakeVersion++;
      const wake: SimEvent<M, Req> = {
        kind: 'wake',
        node: id,
        epoch: slot.epoch,
        version: slot.wakeVersion,
      };
      this.queue.push(slot.wakeAtUs, wake);
      // The node's batch delivered this wake-up already: its output waits for this event.
      const own = this.ownWakes.get(id);
      if (own && own[0]!.atUs === slot.wakeAtUs) {
        const { out: o, error } = own.shift()!;
        if (own.length === 0) this.ownWakes.delete(id);
        this.ahead.set(wake, { node: id, ...(o ? { out: o } : {}), ...(error ? { error } : {}) });
      }
    }
  }

  private send(m: M): void {
    const msgId = this.nextMsgId++;
    if (!this.slots.has(m.to)) {
      this.record({
        atUs: this.nowUs,
        kind: 'drop',
        node: m.from,
        msgId,
        reason: 'no-such-node',
        to: m.to,
        type: m.type,
      });
      return;
    }
    const fate = this.network.send(m.from, m.to, this.nowUs, this.duplicable(m));
    if (fate.kind === 'dropped') {
      this.record({
        atUs: this.nowUs,
        kind: 'drop',
        node: m.from,
        msgId,
        reason: fate.reason,
        to: m.to,
        type: m.type,
      });
      return;
    }
    this.record({
      atUs: this.nowUs,
      kind: 'send',
      node: m.from,
      msgId,
      to: m.to,
      type: m.type,
      deliverAtUs: fate.deliverAtUs,
      ...this.opts.describe?.(m),
    });
    for (const at of fate.deliverAtUs) {
      this.queue.push(at, { kind: 'deliver', node: m.to, message: m, msgId, sentAtUs: this.nowUs });
    }
  }

  // ---- faults: each takes effect at the current simulated time ----

  async crash(id: number): Promise<void> {
    const slot = this.slot(id);
    if (slot.state === 'down') return;
    this.noAhead(id, 'crashed');
    slot.state = 'down';
    slot.epoch++; // pending ticks, wakes and durable notifications die with this life
    slot.backlog = [];
    slot.disk.crash(this.nowUs);
    this.record({ atUs: this.nowUs, kind: 'crash', node: id });
    await this.opts.host.crash(id);
  }

  async restart(id: number): Promise<void> {
    if (this.slot(id).state !== 'down') throw new Error(`conductor: node ${id} is not down`);
    await this.bootNode(id);
  }

  pause(id: number): void {
    const slot = this.slot(id);
    if (slot.state !== 'up') return;
    this.noAhead(id, 'was paused');
    slot.state = 'paused';
    this.record({ atUs: this.nowUs, kind: 'pause', node: id });
  }

  async resume(id: number): Promise<void> {
    const slot = this.slot(id);
    if (slot.state !== 'paused') return;
    slot.state = 'up';
    this.record({ atUs: this.nowUs, kind: 'resume', node: id });
    slot.tickChain++; // the old tick chain stopped while paused; start a fresh one
    this.scheduleTick(id, this.tickUs);
    const backlog = slot.backlog;
    slot.backlog = [];
    for (const input of backlog) await this.input(id, input);
  }

  /**
   * Drops a message still on the wire (every copy), as a person can in the playground. Returns
   * false if it was already delivered or dropped.
   */
  dropMessage(msgId: number): boolean {
    let to: number | undefined;
    let type: string | undefined;
    const removed = this.queue.removeWhere((e) => {
      if (e.kind !== 'deliver' || e.msgId !== msgId) return false;
      to = e.node;
      type = e.message.type;
      return true;
    });
    if (removed === 0) return false;
    this.record({ atUs: this.nowUs, kind: 'drop', node: to, msgId, reason: 'user', type });
    return true;
  }

  /** Delivers a message still on the wire a second time, right after the first. */
  duplicateMessage(msgId: number): boolean {
    const copy = this.queue
      .toSortedArray()
      .find((s) => s.event.kind === 'deliver' && s.event.msgId === msgId);
    if (!copy || copy.event.kind !== 'deliver') return false;
    if (!this.duplicable(copy.event.message)) {
      throw new Error(
        `a ${copy.event.message.type} is not duplicated: it carries a client's call, and etcd's transport (TCP) never delivers one twice`,
      );
    }
    const atUs = copy.atUs + 1;
    this.queue.push(atUs, copy.event);
    this.record({
      atUs: this.nowUs,
      kind: 'duplicate',
      node: copy.event.message.from,
      msgId,
      to: copy.event.node,
      deliverAtUs: atUs,
    });
    return true;
  }

  setSlowDisk(id: number, factor: number): void {
    this.slot(id).disk.setSlow(factor);
    this.record({ atUs: this.nowUs, kind: 'slow-disk', node: id, factor });
  }
}

function checkTick(tickUs: number): number {
  if (!Number.isSafeInteger(tickUs) || tickUs <= 0)
    throw new RangeError(`conductor: tickUs must be a positive integer, got ${tickUs}`);
  return tickUs;
}

function checkClientUs(clientUs: number): number {
  if (!Number.isSafeInteger(clientUs) || clientUs < 0)
    throw new RangeError(`conductor: clientUs must be a whole number of µs ≥ 0, got ${clientUs}`);
  return clientUs;
}
