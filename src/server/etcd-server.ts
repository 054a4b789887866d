// One etcd member: a Raft node and an MVCC store joined as etcd's EtcdServer joins them. It only
// reacts — to a tick, a peer message, a client request, a disk completion, a wake-up — and
// answers with what to send, what to write, and whom to respond to. No clock, no I/O: simulated
// time comes with each input, and the host performs the writes it asks for, telling it when they
// are durable.
//
// A write: client -> (this node) propose -> Ready: entries + hard state -> disk write -> durable
// -> messages out -> ... -> committed -> applied to the store -> response to the client that
// asked, from the node it asked (etcd's wait registry, keyed by request id).
//
// A linearizable read (read-index, lease): it joins the pending batch; one ReadIndex round at a
// time carries the batch (etcd 3.4's linearizableReadLoop); when the ReadState for the round's
// context arrives, every read of the batch is served once applied >= its index. Reads arriving
// while a round is in flight wait for the next one: that is how concurrent reads share rounds.
import { MvccStore, encodeBackup } from '../mvcc';
import { Backend, type AgedFileSpec, type BackendSettingsPatch } from '../mvcc/backend';
import { EtcdError } from '../mvcc/errors';
import {
  MemoryStorage,
  ProposalDroppedError,
  RawNode,
  decodeConfChange,
  encodeConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Ready,
} from '../raft';
import type { DiskState, DiskWrite } from '../storage/disk';
import { AuthModel, type AuthSettings } from './auth';
import { serverError } from './errors';
import { inspectBackend, inspectNode, type InspectOptions, type NodeInspection } from './inspect';
import { ServerMetrics, type MetricsView } from './metrics';
import { LoadMeter } from './load';
import { checkAdd, checkPromote, checkRemove, type MembershipView } from './membership';
import { isForward, type PeerMessage } from './peer';
import {
  AlarmStore,
  alarmText,
  quotaAvailable,
  refusedWhileCapped,
  unwrapSnapshot,
  wrapSnapshot,
  type AlarmMember,
  type AlarmRequest,
} from './quota';
import type {
  ClientRequest,
  ClientResponse,
  ConfigureRequest,
  Member,
  ResponseBodies,
  ServerResponseHeader,
  StatusResponse,
  WatchStreamResponse,
} from './requests';
import { WRITE_METHODS, isTxnReadOnly } from './requests';
import type { UnsafeSetting } from '../scenario/schema';
import type { BackendSpec } from './node-spec';
import { crc32 } from '../storage/crc32';
import { WatchServer } from './watch';
import { decodeValue, encodeValue, type Value } from './value-codec';

/**
 * How a linearizable read is served: a ReadIndex round (etcd 3.1+), through the log (etcd 3.0),
 * on the leader's lease, or 'serializable': every range and read-only txn is served locally on the
 * node asked, as if it had asked for a serializable read (fast, and possibly stale).
 */
export type ReadPath = 'read-index' | 'log' | 'lease' | 'serializable';

export interface ServerConfig {
  id: number;
  /** The voters a brand-new cluster starts with (ignored when the disk already has a log). */
  initialCluster: readonly number[];
  /** Raft's tick, the heartbeat interval, in simulated microseconds. */
  tickUs: number;
  electionTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  readPath: ReadPath;
  /** How long a request may wait before "request timed out" (etcd: 5 s + 2 x election timeout). */
  requestTimeoutUs: number;
  /** Randomness for Raft's election timeouts: a seeded stream from the conductor. */
  rand: () => number;
  /** How clients authenticate, and the CPU that pays for it (source article 000). */
  auth: AuthSettings;
  /** The storage backend: lock mode, batch interval and batch limit (source article 004). */
  backend: BackendSpec;
  /** etcd's --quota-backend-bytes: past it the member raises NOSPACE (quota.ts). */
  quotaBackendBytes: number;
  /**
   * etcd's --snapshot-count: after this many applied entries the member snapshots its store and
   * compacts its log, keeping SNAPSHOT_CATCH_UP_ENTRIES behind for slow followers.
   */
  snapshotCount: number;
  /**
   * Deliberately unsafe behaviours for teaching (none by default): each breaks one rule that
   * Raft or etcd relies on, and raftlab's checker must catch the anomaly it allows.
   */
  unsafe?: readonly UnsafeSetting[];
  /**
   * etcdctl snapshot restore: a store snapshot (checked, from a snapshot file) that a brand-new
   * member of the initial cluster starts from instead of an empty store (restoredDisk).
   */
  restore?: Uint8Array;
  /** The backend's file starts aged (src/mvcc/backend/aged.ts): a long-running file's pages. */
  agedFile?: AgedFileSpec;
}

/** Calls from operators (stopping a member, forcing a campaign, settings), not from clients. */
const OPERATOR_METHODS: ReadonlySet<ClientRequest['method']> = new Set([
  'stop',
  'campaign',
  'configure',
]);

/** etcd's SnapshotCatchUpEntries: entries kept after a snapshot so a slow follower can catch up. */
export const SNAPSHOT_CATCH_UP_ENTRIES = 5000;

export interface ServerOutput {
  messages: PeerMessage[];
  /** Writes to make durable, by id; the host reports each back with a 'durable' input. */
  writes: { writeId: number; write: DiskWrite }[];
  responses: { clientId: number; requestId: number; response: ClientResponse }[];
  wakeAtUs?: number;
  trace: Record<string, unknown>[];
}

interface Waiter {
  clientId: number;
  requestId: number;
  method: ClientRequest['method'];
  deadlineUs: number;
  /** Set when the call was forwarded here by a peer: the answer goes back to it. */
  forward?: { to: number; fwdId: number };
}

interface PendingRead extends Waiter {
  request: ClientRequest;
}

interface ReadRound {
  ctx: string;
  reads: PendingRead[];
  /** Set when the ReadState for this round's context has arrived. */
  index?: number;
  startedUs: number;
}

/** The payload of a normal entry: etcd's InternalRaftRequest, an id and one request. */
interface InternalRequest {
  id: string;
  request: ClientRequest;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

type ConfChangeSingleType =
  'ConfChangeAddNode' | 'ConfChangeAddLearnerNode' | 'ConfChangeRemoveNode';

/** An answer on its way: to a client, or back to the peer that forwarded the call. */
type Delivery = { response: ServerOutput['responses'][number] } | { message: PeerMessage };

export class EtcdServer {
  readonly id: number;
  private readonly cfg: ServerConfig;
  private readonly storage: MemoryStorage;
  private readonly raw: RawNode;
  private store: MvccStore;
  /** etcd's backend as a timing model: when each store operation completes, given the locks. */
  private readonly backend: Backend;
  /** Responses that wait for their backend transaction to complete, in time order. */
  private delayed: { atUs: number; item: Delivery }[] = [];
  private nowUs = 0;
  /** Unique per boot, so request ids from a past life never match a waiter of this one. */
  private readonly bootTag: string;
  /** Derived from the initial members, as etcd derives its cluster ID from its members. */
  private readonly clusterId: number;
  private nextRequestSeq = 1;
  private nextWriteId = 1;
  /**
   * The Ready waiting for its disk write to become durable; none may be taken until then. `sent`:
   * its messages already went out (a leader's, see drive()). `ticked`: a tick already came while
   * it waits (see tick()).
   */
  private pendingReady: { rd: Ready; writeId: number; sent: boolean; ticked: boolean } | undefined;
  private raftState = 'StateFollower';
  private applied = 0;
  private lead = 0;
  private term = 0;
  /** The hard state of the last Ready that had one (raft's prevHardSt), for raft.MustSync. */
  private lastHardState: HardState;
  private readonly waiters = new Map<string, Waiter>();
  private readQueue: PendingRead[] = [];
  private readRound: ReadRound | undefined;
  private nextReadCtx = 1;
  private confState: ConfState;
  private out: ServerOutput = emptyOutput();
  /** When each peer was last heard from (etcd's transport ActiveSince), for the health check. */
  private readonly lastHeardUs = new Map<number, number>();
  /** Members known to have started (etcd: published their attributes). */
  private readonly started = new Set<number>();
  /** Calls this member forwarded to the leader, by forward id. */
  private readonly forwarded = new Map<number, Waiter>();
  private nextFwdId = 1;
  /** Calls answered when a given member becomes leader (move-leader, graceful stop). */
  private leaderWaits: { target: number; waiter: Waiter; onTimeout: 'error' | 'answer' }[] = [];
  /** This member applied its own removal: it serves nothing more (etcd stops such a member). */
  private removed = false;
  /** The index of this member's latest snapshot. */
  private snapshotIndex = 0;
  /** When this leader sent a follower a snapshot it has not yet confirmed, by follower. */
  private readonly snapshotsInFlight = new Map<number, number>();
  private readonly storeClock = () => this.nowUs / 1000;
  /** Expired leases whose revoke this leader has proposed and not yet applied. */
  private readonly revoking = new Set<number>();
  private readonly auth: AuthModel;
  /** Requests waiting for their authentication check on this member's CPU, in time order. */
  private authQueue: { readyUs: number; waiter: Waiter; request: ClientRequest }[] = [];
  /** The watches this member serves (watch.ts). */
  private readonly watches: WatchServer<Waiter>;
  /**
   * Watch responses made during a store operation: they go out when its backend transaction
   * completes, beside the operation's own answer (etcd sends them as the write txn ends).
   */
  private watchOut: { w: Waiter; body: WatchStreamResponse }[] = [];
  private readonly unsafe: ReadonlySet<UnsafeSetting>;
  /** etcd's metrics for this life of the member (a restart starts them again from zero). */
  private readonly metrics: ServerMetrics;
  /**
   * The commit index on disk at boot. The store lives in memory, so a restart applies the log
   * again up to here; etcd's backend already holds those entries and skips them, so they are not
   * counted in the mvcc and apply metrics.
   */
  private readonly replayedUpTo: number;
  /** The active alarms, as every member applied them from the log (etcd's alarm bucket). */
  private readonly alarms = new AlarmStore();
  /** This member proposed a NOSPACE alarm that is not applied yet: it does not propose another. */
  private raisingNoSpace = false;
  /** Requests refused over the quota, answered once that alarm applies (refuseOverQuota). */
  private noSpaceWaiters: Waiter[] = [];
  /** Client-facing CPU and bytes (load.ts), reported at each tick as a 'client-load' record. */
  private readonly load = new LoadMeter();

  constructor(cfg: ServerConfig, onDisk: DiskState, nowUs: number) {
    this.cfg = { ...cfg }; // configure() changes it
    this.id = cfg.id;
    this.nowUs = nowUs;
    this.bootTag = `${cfg.id}.${nowUs}`;
    this.clusterId = fnv1a32([...cfg.initialCluster].sort((a, b) => a - b).join(','));
    this.started.add(cfg.id);
    this.auth = new AuthModel(cfg.auth);
    this.unsafe = new Set(cfg.unsafe ?? []);
    this.metrics = new ServerMetrics(nowUs);
    this.backend = new Backend({
      ...backendSettings(cfg.backend),
      startUs: nowUs,
      ...(cfg.agedFile ? { aged: cfg.agedFile } : {}),
      onEvent: (e) => {
        this.metrics.backendEvent(e);
        this.trace({
          kind: 'lock',
          lockAtUs: e.atUs,
          txnId: e.txnId,
          txn: e.kind,
          phase: e.phase,
          lock: e.lock,
          mode: e.mode,
        });
      },
    });
    this.store = new MvccStore({ clock: this.storeClock, backend: this.backend });
    this.watches = new WatchServer((w, body) => this.respondLater(w, body));
    this.storage = new MemoryStorage();
    const fresh = !onDisk.snapshot && onDisk.entries.length === 0 && onDisk.hardState.term === 0;
    const disk =
      fresh && cfg.restore && cfg.initialCluster.includes(cfg.id)
        ? this.restoredDisk(cfg.restore)
        : onDisk;
    this.replayedUpTo = disk.hardState.commit;
    if (disk.snapshot) this.storage.applySnapshot(disk.snapshot);
    if (disk.entries.length > 0) this.storage.append(disk.entries);
    this.storage.setHardState(disk.hardState);
    this.lastHardState = disk.hardState;
    // Raft reads its log and commit index from storage when it is built: bootstrap first.
    if (fresh && disk === onDisk) this.bootstrap();
    this.confState = disk.snapshot?.metadata.confState ?? emptyConfState();
    this.raw = new RawNode({
      id: cfg.id,
      electionTick: cfg.electionTicks,
      heartbeatTick: 1,
      storage: this.storage,
      applied: disk.snapshot?.metadata.index ?? 0,
      checkQuorum: cfg.checkQuorum,
      preVote: cfg.preVote,
      readOnlyOption: readOnlyOption(cfg.readPath),
      maxSizePerMsg: 1024 * 1024,
      maxInflightMsgs: 256,
      unsafeCommitEarlierTerms: this.unsafe.has('figure8-commit'),
      rand: cfg.rand,
    });
    // Kept from each Ready's hard state after this (status() allocates, and runs per response).
    this.term = this.raw.status().term;
    if (disk.snapshot) {
      this.restoreStore(disk.snapshot.data);
      this.applied = disk.snapshot.metadata.index;
      this.snapshotIndex = disk.snapshot.metadata.index;
    }
  }

  /**
   * A brand-new member writes the initial membership as conf-change entries at term 1, committed
   * (as etcd-io/raft's Bootstrap does), so a restart rebuilds membership by replaying its log.
   */
  private bootstrap(): void {
    const peers = [...this.cfg.initialCluster].sort((a, b) => a - b);
    if (!peers.includes(this.id)) {
      // A member added later starts empty and learns the configuration from the leader.
      return;
    }
    const entries: Entry[] = peers.map((nodeId, i) => ({
      term: 1,
      index: i + 1,
      type: 'EntryConfChange',
      data: encodeConfChange({ type: 'ConfChangeAddNode', nodeId }),
    }));
    this.storage.append(entries);
    const hardState = { term: 1, vote: 0, commit: entries.length };
    this.storage.setHardState(hardState);
    this.lastHardState = hardState;
    const writeId = this.nextWriteId++;
    this.out.writes.push({ writeId, write: { entries, hardState } });
    this.metrics.walWriteIssued(writeId, this.nowUs);
    this.trace({
      kind: 'persist',
      writeId,
      entries: entries.length,
      hardState,
      ents: logMarks(entries),
    });
  }

  /**
   * etcdctl snapshot restore: the data dir of a brand-new member of a new cluster, built from a
   * backup. etcd's restore writes the members' conf changes to a fresh WAL at term 1 and a Raft
   * snapshot at the last of them whose configuration holds every member; the keyspace and leases
   * come from the backup (revision kept), the membership from the flags (here the initial
   * cluster), never from the file. Persisted as the first write, as bootstrap() persists its log.
   */
  private restoredDisk(storeSnapshot: Uint8Array): DiskState {
    const voters = [...this.cfg.initialCluster].sort((a, b) => a - b);
    const snapshot = {
      data: storeSnapshot,
      metadata: { index: voters.length, term: 1, confState: { ...emptyConfState(), voters } },
    };
    const hardState = { term: 1, vote: 0, commit: voters.length };
    const writeId = this.nextWriteId++;
    this.out.writes.push({ writeId, write: { snapshot, hardState } });
    this.trace({
      kind: 'persist',
      writeId,
      entries: 0,
      hardState,
      ents: [],
      snapIndex: snapshot.metadata.index,
      snapTerm: 1,
    });
    return { hardState, snapshot, entries: [], backend: new Map() };
  }

  /** The output of the boot itself (the bootstrap write, replayed applies). */
  boot(): ServerOutput {
    this.drive();
    return this.flush();
  }

  // ---- inputs ----

  tick(nowUs: number): ServerOutput {
    this.advanceTo(nowUs);
    // etcd's raftNode takes ticks and Readys in one loop: while it is inside storage.Save (the
    // WAL fsync) it takes no tick, and its time.Ticker's channel holds one, dropping the rest.
    // So a member whose fsync outlasts a heartbeat interval loses ticks: a leader sends no
    // heartbeat meanwhile (followers stop hearing from it: "failed to send out heartbeat on time,
    // ... likely from slow disk") and a follower's election clock stands still. The one held
    // tick runs here at once rather than when the fsync returns: its messages wait for the next
    // Ready either way.
    const blocked = this.pendingReady;
    if (blocked?.ticked) this.trace({ kind: 'tick-missed', writeId: blocked.writeId });
    else {
      if (blocked) blocked.ticked = true;
      this.raw.tick();
    }
    const load = this.load.take();
    if (load) this.trace({ kind: 'client-load', ...load });
    this.expireRequests();
    if (this.isLeader()) {
      this.revokeExpiredLeases();
      this.checkSnapshotsInFlight();
    }
    this.drive();
    return this.flush();
  }

  receive(nowUs: number, m: PeerMessage): ServerOutput {
    this.advanceTo(nowUs);
    this.lastHeardUs.set(m.from, nowUs);
    this.started.add(m.from);
    if (isForward(m)) {
      if (m.type === 'MsgForward') {
        const w: Waiter = {
          clientId: 0,
          requestId: 0,
          method: m.request.method,
          deadlineUs: nowUs + this.cfg.requestTimeoutUs,
          forward: { to: m.from, fwdId: m.fwdId },
        };
        this.handle(w, m.request);
      } else {
        const w = this.forwarded.get(m.fwdId);
        this.forwarded.delete(m.fwdId);
        if (w) this.deliver(w, m.response);
      }
      this.drive();
      return this.flush();
    }
    if (m.type === 'MsgHeartbeatResp') this.metrics.heartbeatAnsweredBy(m.from, nowUs);
    try {
      this.raw.step(m);
    } catch (err) {
      // A message raft refuses (a stale response, a local-only type) is dropped, as etcd does.
      this.trace({ kind: 'step-refused', type: m.type, from: m.from, error: String(err) });
    }
    this.drive();
    return this.flush();
  }

  durable(nowUs: number, writeId: number): ServerOutput {
    this.advanceTo(nowUs);
    this.metrics.walWriteDurable(writeId, nowUs);
    const pending = this.pendingReady;
    if (pending && pending.writeId === writeId) {
      this.pendingReady = undefined;
      this.persisted(pending.rd);
      this.finishReady(pending.rd, pending.sent);
    }
    // Otherwise it is the bootstrap write (already in MemoryStorage) or a stale id: nothing waits.
    this.drive();
    return this.flush();
  }

  wake(nowUs: number): ServerOutput {
    this.advanceTo(nowUs);
    this.expireRequests();
    this.drive();
    return this.flush();
  }

  request(
    nowUs: number,
    clientId: number,
    requestId: number,
    request: ClientRequest,
  ): ServerOutput {
    this.advanceTo(nowUs);
    const waiter: Waiter = {
      clientId,
      requestId,
      method: request.method,
      deadlineUs: nowUs + this.cfg.requestTimeoutUs,
    };
    // Operators (stopping a member, forcing a campaign, changing settings) are not clients;
    // everyone else authenticates first.
    const operator = OPERATOR_METHODS.has(request.method);
    // client 0 is the conductor's own (settings, status polls), not a client's connection
    if (!operator && clientId !== 0) this.load.request(request);
    const admitted = operator ? undefined : this.auth.admit(clientId, nowUs);
    if (admitted && admitted.check !== 'none') {
      this.trace({
        kind: 'auth',
        clientId,
        check: admitted.check,
        costUs: admitted.costUs,
        readyUs: admitted.readyUs,
      });
    }
    if (!admitted || admitted.readyUs <= nowUs) this.handle(waiter, request);
    else {
      let i = this.authQueue.length;
      while (i > 0 && this.authQueue[i - 1]!.readyUs > admitted.readyUs) i--;
      this.authQueue.splice(i, 0, { readyUs: admitted.readyUs, waiter, request });
    }
    this.drive();
    return this.flush();
  }

  private handle(w: Waiter, request: ClientRequest): void {
    try {
      if (this.removed) throw serverError('Stopped');
      this.dispatch(w, request);
    } catch (err) {
      this.fail(w, err);
    }
  }

  /** Hands a call that must run on the leader to the leader; its answer comes back to `w`. */
  private forwardToLeader(w: Waiter, request: ClientRequest): void {
    if (this.lead === 0) throw serverError('NoLeader');
    const fwdId = this.nextFwdId++;
    this.forwarded.set(fwdId, w);
    this.out.messages.push({ type: 'MsgForward', from: this.id, to: this.lead, fwdId, request });
  }

  private isMember(): boolean {
    return this.confState.voters.includes(this.id) || this.confState.learners.includes(this.id);
  }

  private isLeader(): boolean {
    return this.lead === this.id;
  }

  /** Moves this node to `nowUs`: backend commits due by then, responses whose time has come. */
  private advanceTo(nowUs: number): void {
    this.metrics.advance(nowUs); // scrapes due see the state the last input left
    this.nowUs = nowUs;
    this.backend.advanceTo(nowUs);
    // (This runs on every input: splice only when something is due, not an empty array each time.)
    let due = 0;
    while (due < this.delayed.length && this.delayed[due]!.atUs <= nowUs) due++;
    if (due > 0) for (const d of this.delayed.splice(0, due)) this.emit(d.item);
    let authed = 0;
    while (authed < this.authQueue.length && this.authQueue[authed]!.readyUs <= nowUs) authed++;
    if (authed > 0)
      for (const a of this.authQueue.splice(0, authed)) this.handle(a.waiter, a.request);
  }

  /** Runs one store operation and says when its backend transaction completes. */
  private timed<T>(op: () => T): [T, number] {
    this.store.takeTiming(); // forget any earlier operation's timing
    let result: T;
    try {
      result = op();
    } finally {
      this.sendWatchResponses(this.nowUs);
    }
    const atUs = Math.max(this.nowUs, this.store.takeTiming()?.completedUs ?? this.nowUs);
    this.sendWatchResponses(atUs);
    return [result, atUs];
  }

  private respondLater(w: Waiter, body: WatchStreamResponse): void {
    this.watchOut.push({ w, body });
  }

  private sendWatchResponses(atUs: number): void {
    if (this.watchOut.length === 0) return;
    const out = this.watchOut;
    this.watchOut = [];
    for (const { w, body } of out) this.respond(w, body, atUs);
  }

  /** Answers with a store operation's result once its backend transaction completes. */
  private respondTimed(w: Waiter, op: () => ResponseBodies[ClientRequest['method']]): void {
    const [body, atUs] = this.timed(op);
    this.respond(w, body, atUs);
  }

  // ---- client calls ----

  private dispatch(w: Waiter, req: ClientRequest): void {
    if (req.method === 'put' || req.method === 'txn' || req.method === 'leaseGrant') {
      if (this.refuseOverQuota(w, req)) return;
    }
    switch (req.method) {
      case 'range':
        if (req.body.serializable) return this.respondTimed(w, () => this.executeRead(req));
        return this.linearizableRead(w, req);
      case 'txn':
        if (isTxnReadOnly(req.body)) return this.linearizableRead(w, req);
        return this.propose(w, req);
      case 'memberList':
        return this.respond(w, { header: this.header(), members: this.members() });
      case 'status':
        return this.respond(w, this.status());
      case 'leaseLeases':
        return this.respondTimed(w, () => this.store.leaseLeases());
      case 'leaseTimeToLive':
      case 'leaseKeepAlive':
      case 'memberAdd':
      case 'memberRemove':
      case 'memberPromote':
        // etcd 3.4 serves lease keep-alive and time-to-live on the leader; membership checks
        // need the leader's view of who is active.
        if (!this.isLeader()) return this.forwardToLeader(w, req);
        return this.onLeader(w, req);
      case 'moveLeader':
        return this.moveLeader(w, req.body.targetID);
      case 'watch':
        // served here, from this member's applied state, as etcd serves a watch on the member
        // the client is connected to; the catch-up is a read on the backend
        return void this.timed(() => this.watches.open(w, req.body, this.store, this.header()));
      case 'watchCancel':
        return this.watches.cancel(w, req.body.watch_id, this.header());
      case 'stop':
        return this.gracefulStop(w);
      case 'campaign':
        this.raw.campaign();
        return this.respond(w, { header: this.header() });
      case 'configure':
        this.configure(req.body);
        return this.respond(w, { header: this.header() });
      case 'alarm':
        if ((req.body.action ?? 'GET') === 'GET')
          return this.respond(w, { header: this.header(), alarms: this.alarms.get() });
        return this.propose(w, req);
      case 'defragment':
        return this.defragment(w);
      default:
        if (WRITE_METHODS.has(req.method)) return this.propose(w, req);
        throw new EtcdError(`etcdserver: unknown method ${(req as { method: string }).method}`, 12);
    }
  }

  /**
   * quotaKVServer / quotaLeaseServer: a put, a txn with puts or a lease grant that would not fit
   * in the quota is refused here, before it is proposed, and the member raises NOSPACE. etcd
   * answers the refusal once its alarm request has gone through Raft (qa.a.Alarm waits), so an
   * `alarm list` right after sees the alarm; the refusal waits for this member's alarm too.
   * Returns false when the request fits.
   */
  private refuseOverQuota(w: Waiter, req: ClientRequest): boolean {
    if (quotaAvailable(req, this.backend.dbSize, this.cfg.quotaBackendBytes)) return false;
    this.raiseNoSpace();
    if (!this.raisingNoSpace) throw serverError('NoSpace');
    this.noSpaceWaiters.push(w);
    return true;
  }

  /** Answers the refusals that waited for this member's NOSPACE alarm (or gave up on it). */
  private refuseWaiting(): void {
    const waiting = this.noSpaceWaiters;
    this.noSpaceWaiters = [];
    for (const w of waiting) this.fail(w, serverError('NoSpace'));
  }

  /**
   * Proposes a NOSPACE alarm for this member, as etcd does through Raft so every member caps its
   * applier at the same index. Deviation: etcd proposes one with every request it refuses; here a
   * member proposes none while its alarm is active or one of its own is still in flight.
   */
  private raiseNoSpace(): void {
    if (this.raisingNoSpace || this.lead === 0) return;
    if (this.alarms.get('NOSPACE').some((a) => a.memberID === this.id)) return;
    const id = `${this.bootTag}.${this.nextRequestSeq++}`;
    const body: AlarmRequest = { action: 'ACTIVATE', memberID: this.id, alarm: 'NOSPACE' };
    const internal: InternalRequest = { id, request: { method: 'alarm', body } };
    try {
      this.raw.propose(encodeValue(internal as unknown as Value));
    } catch (err) {
      if (err instanceof ProposalDroppedError) return;
      throw err;
    }
    this.raisingNoSpace = true;
    this.trace({ kind: 'alarm-raise', alarm: 'NOSPACE', dbSize: this.backend.dbSize });
  }

  /** etcd's Defragment: this member's backend only, answered once the copy is done. */
  private defragment(w: Waiter): void {
    const before = this.backend.dbSize;
    const t = this.backend.defrag(this.nowUs);
    this.trace({
      kind: 'defrag',
      dbSize: before,
      after: this.backend.dbSize,
      doneUs: t.completedUs,
    });
    this.respond(w, { header: this.header() }, t.completedUs);
  }

  /** applyAlarm: activate or deactivate; the answer lists the alarms that changed. */
  private applyAlarm(req: AlarmRequest): AlarmMember[] {
    const { action = 'GET', memberID = 0, alarm = 'NONE' } = req;
    if (action === 'ACTIVATE') {
      if (memberID === this.id) {
        this.raisingNoSpace = false;
        this.refuseWaiting();
      }
      const m = this.alarms.activate(memberID, alarm);
      if (m) this.trace({ kind: 'alarm', action, memberID, alarm });
      return m ? [m] : [];
    }
    if (action !== 'DEACTIVATE') return this.alarms.get();
    // etcdctl's `alarm disarm` (member 0, alarm NONE) disarms every alarm listed; raftlab does it
    // in one entry, etcdctl with one request per alarm.
    const targets = memberID === 0 && alarm === 'NONE' ? this.alarms.get() : [{ memberID, alarm }];
    const done: AlarmMember[] = [];
    for (const t of targets) {
      const m = this.alarms.deactivate(t.memberID, t.alarm);
      if (m) done.push(m);
    }
    if (done.length > 0) this.trace({ kind: 'alarm', action, disarmed: done.length });
    return done;
  }

  private onLeader(w: Waiter, req: ClientRequest): void {
    switch (req.method) {
      case 'leaseTimeToLive':
        return this.respondTimed(w, () => this.store.leaseTimeToLive(req.body));
      case 'leaseKeepAlive':
        return this.respondTimed(w, () => this.store.leaseKeepAlive(req.body));
      case 'memberAdd': {
        const { ID, isLearner = false } = req.body;
        this.refuse(checkAdd(this.membershipView(), ID, isLearner));
        return this.proposeConfChange(w, {
          type: isLearner ? 'ConfChangeAddLearnerNode' : 'ConfChangeAddNode',
          nodeId: ID,
        });
      }
      case 'memberRemove': {
        const view = this.membershipView();
        const refusal = checkRemove(view, req.body.ID);
        // Removing the last voter is refused even so: Raft cannot apply a configuration with none.
        if (view.voters.length === 1 && view.voters[0] === req.body.ID)
          this.refuse('NotEnoughStartedMembers');
        // skip-health-check (unsafe): only "no such member" still refuses.
        if (refusal === 'MemberNotFound' || !this.unsafe.has('skip-health-check'))
          this.refuse(refusal);
        return this.proposeConfChange(w, { type: 'ConfChangeRemoveNode', nodeId: req.body.ID });
      }
      case 'memberPromote': {
        const progress = this.raw.status().progress ?? {};
        const leaderMatch = progress[this.id]?.match ?? 0;
        const learnerMatch = progress[req.body.ID]?.match ?? 0;
        this.refuse(checkPromote(this.membershipView(), req.body.ID, leaderMatch, learnerMatch));
        return this.proposeConfChange(w, { type: 'ConfChangeAddNode', nodeId: req.body.ID });
      }
      default:
        throw new Error(`${req.method} does not run on the leader`);
    }
  }

  private refuse(error: Parameters<typeof serverError>[0] | undefined): void {
    if (error) {
      this.trace({ kind: 'membership-refused', error });
      throw serverError(error);
    }
  }

  private membershipView(): MembershipView {
    return {
      self: this.id,
      voters: this.confState.voters,
      learners: this.confState.learners,
      started: this.started,
      lastHeardUs: this.lastHeardUs,
      nowUs: this.nowUs,
    };
  }

  private proposeConfChange(w: Waiter, cc: { type: ConfChangeSingleType; nodeId: number }): void {
    const id = `${this.bootTag}.${this.nextRequestSeq++}`;
    try {
      this.raw.proposeConfChange({ ...cc, context: utf8.encode(id) });
    } catch (err) {
      if (err instanceof ProposalDroppedError)
        throw serverError(this.lead === 0 ? 'NoLeader' : 'LeaderChanged');
      throw err;
    }
    this.waiters.set(id, w);
    this.trace({ kind: 'propose-conf', id, change: cc.type, nodeId: cc.nodeId });
  }

  /** etcd's MoveLeader: only the leader moves leadership, and only to a voter. */
  private moveLeader(w: Waiter, target: number): void {
    if (!this.isLeader()) throw serverError('NotLeader');
    if (!this.confState.voters.includes(target)) throw serverError('BadLeaderTransferee');
    if (target === this.id) return this.respond(w, { header: this.header() });
    this.raw.transferLeader(target);
    this.leaderWaits.push({ target, waiter: w, onTimeout: 'error' });
    this.trace({ kind: 'transfer-leader', to: target });
  }

  /**
   * Operator-only: settings changed while the cluster runs, or missed while this node was down.
   * Only the fields given change; the node keeps its log, store and state. Reads waiting for a
   * read round under an old read path are read again under the new one.
   */
  private configure(c: ConfigureRequest): void {
    const cfg = { ...this.cfg, ...c };
    this.raw.reconfigure({
      electionTick: cfg.electionTicks,
      preVote: cfg.preVote,
      checkQuorum: cfg.checkQuorum,
      readOnlyOption: readOnlyOption(cfg.readPath),
    }); // throws before anything changed if the combination is invalid
    if (c.auth) this.auth.configure({ mode: c.auth.mode, bcryptCost: c.auth.bcryptCost });
    if (c.backend) this.backend.configure(backendSettings(c.backend));
    const readPathChanged = cfg.readPath !== this.cfg.readPath;
    Object.assign(this.cfg, c);
    this.trace({ kind: 'configured', ...c });
    if (!readPathChanged) return;
    // A round that has its read index is served as it is; one still waiting for it is not.
    const round = this.readRound?.index === undefined ? this.readRound : undefined;
    if (round) this.readRound = undefined;
    const reads = [...(round?.reads ?? []), ...this.readQueue];
    this.readQueue = [];
    for (const r of reads) this.handle(r, r.request);
  }

  /**
   * etcd's graceful stop (TransferLeadershipOnShutdown): a leader with other voters first hands
   * leadership to the most up-to-date of them, so the cluster is never without a leader for
   * longer than that transfer; then it answers, and the host stops it.
   */
  private gracefulStop(w: Waiter): void {
    const others = this.confState.voters.filter((v) => v !== this.id);
    if (!this.isLeader() || others.length === 0) {
      return this.respond(w, { header: this.header(), transferredTo: 0 });
    }
    const progress = this.raw.status().progress ?? {};
    const target = others.reduce((best, v) =>
      (progress[v]?.match ?? 0) > (progress[best]?.match ?? 0) ? v : best,
    );
    this.raw.transferLeader(target);
    // etcd gives the transfer one election timeout and stops regardless.
    const deadlineUs = this.nowUs + this.cfg.electionTicks * this.cfg.tickUs;
    this.leaderWaits.push({ target, waiter: { ...w, deadlineUs }, onTimeout: 'answer' });
    this.trace({ kind: 'graceful-stop', transferTo: target });
  }

  /**
   * etcd's lessor tells only the leader which leases are due; the leader proposes a LeaseRevoke
   * for each, so every member deletes the lease's keys at the same revision.
   */
  private revokeExpiredLeases(): void {
    for (const ID of this.store.expiredLeases()) {
      if (this.revoking.has(ID)) continue;
      const id = `${this.bootTag}.${this.nextRequestSeq++}`;
      const internal: InternalRequest = { id, request: { method: 'leaseRevoke', body: { ID } } };
      try {
        this.raw.propose(encodeValue(internal as unknown as Value));
      } catch (err) {
        if (err instanceof ProposalDroppedError) return; // leadership is moving; the next leader will
        throw err;
      }
      this.revoking.add(ID);
      this.trace({ kind: 'lease-expired', lease: ID });
    }
  }

  private propose(w: Waiter, request: ClientRequest): void {
    if (this.lead === 0) {
      this.metrics.inc('proposalsFailed');
      throw serverError('NoLeader');
    }
    const id = `${this.bootTag}.${this.nextRequestSeq++}`;
    const internal: InternalRequest = { id, request };
    const data = encodeValue(internal as unknown as Value);
    try {
      this.raw.propose(data);
    } catch (err) {
      if (err instanceof ProposalDroppedError) {
        this.metrics.inc('proposalsFailed');
        throw serverError(this.lead === 0 ? 'NoLeader' : 'LeaderChanged');
      }
      throw err;
    }
    this.waiters.set(id, w);
    // The entry's CRC, as persist records list it: it finds the entry (and so its index) in the
    // leader's log, even when the proposal went there as a MsgProp (the playground draws a read
    // through the log from it).
    this.trace({ kind: 'propose', id, method: request.method, crc: crc32(data) });
  }

  private linearizableRead(w: Waiter, request: ClientRequest): void {
    const local = this.unsafe.has('local-reads');
    // Which way this read goes, so a viewer can follow it (it waits in the queue for a round, is
    // proposed, or is answered at once); a read taken again after a read path change says so again.
    this.trace({
      kind: 'read',
      path: local ? 'local' : this.cfg.readPath,
      clientId: w.clientId,
      requestId: w.requestId,
    });
    // local-reads (unsafe): answer from this member's store as it stands, as a serializable read
    // would: a follower behind, or a leader deposed without knowing it, answers stale data.
    if (local) return this.respondTimed(w, () => this.executeRead(request));
    if (this.cfg.readPath === 'log') return this.propose(w, request);
    if (this.cfg.readPath === 'serializable')
      return this.respondTimed(w, () => this.executeRead(request));
    this.readQueue.push({ ...w, request });
    this.startReadRound();
  }

  /** One round at a time: a round carries every read queued when it starts. */
  private startReadRound(): void {
    if (this.readRound || this.readQueue.length === 0) return;
    const ctx = `${this.bootTag}.r${this.nextReadCtx++}`;
    const reads = this.readQueue;
    this.readQueue = [];
    this.readRound = { ctx, reads, startedUs: this.nowUs };
    // The reads the round carries, as `clientId/requestId` (the keys of their 'read' records).
    const reqs = reads.map((r) => `${r.clientId}/${r.requestId}`);
    this.trace({ kind: 'read-index', ctx, batch: reads.length, reqs });
    this.raw.readIndex(utf8.encode(ctx));
  }

  private serveReads(): void {
    const round = this.readRound;
    if (!round || round.index === undefined || this.applied < round.index) return;
    this.readRound = undefined;
    this.trace({
      kind: 'read-served',
      ctx: round.ctx,
      index: round.index,
      batch: round.reads.length,
    });
    for (const r of round.reads) {
      try {
        this.respondTimed(r, () => this.executeRead(r.request));
      } catch (err) {
        this.fail(r, err);
      }
    }
    this.startReadRound();
  }

  private executeRead(req: ClientRequest): ResponseBodies[ClientRequest['method']] {
    if (req.method === 'range') {
      this.metrics.storeOp(req);
      return this.store.range(req.body);
    }
    if (req.method === 'txn') {
      const result = this.store.txn(req.body);
      this.metrics.storeOp(req, result.succeeded);
      return result;
    }
    throw new Error(`not a read: ${req.method}`);
  }

  // ---- the Ready loop ----

  private drive(): void {
    for (let guard = 0; guard < 10_000; guard++) {
      if (this.pendingReady || !this.raw.hasReady()) break;
      let rd = this.raw.ready();
      if (rd.softState) this.onSoftState(rd.softState.lead, rd.softState.raftState);
      if (rd.hardState) this.term = rd.hardState.term;
      const needsWrite = !!rd.hardState || rd.entries.length > 0 || !!rd.snapshot;
      // raft.MustSync: only new entries, a snapshot, or a new term or vote must reach the disk
      // before the Ready goes on. A hard state that only moves the commit index is written and
      // not waited for, as etcd's WAL.Save skips its fsync then: a crash may lose it, and the
      // commit index is learned again from the leader.
      const mustSync =
        rd.entries.length > 0 ||
        !!rd.snapshot ||
        (!!rd.hardState &&
          (rd.hardState.term !== this.lastHardState.term ||
            rd.hardState.vote !== this.lastHardState.vote));
      if (rd.hardState) this.lastHardState = rd.hardState;
      if (needsWrite) {
        const writeId = this.nextWriteId++;
        const write: DiskWrite = {};
        // no-vote-persist (unsafe): the vote never reaches the disk, so a restart forgets it and
        // the member may vote again in the same term.
        if (rd.hardState)
          write.hardState = this.unsafe.has('no-vote-persist')
            ? { ...rd.hardState, vote: 0 }
            : rd.hardState;
        if (rd.entries.length > 0) write.entries = rd.entries;
        if (rd.snapshot) write.snapshot = rd.snapshot;
        this.out.writes.push({ writeId, write });
        // etcd_disk_wal_fsync_duration_seconds times the WAL's fsyncs, and a write MustSync
        // lets go unsynced has none.
        if (mustSync) this.metrics.walWriteIssued(writeId, this.nowUs);
        // etcd's raftNode: a leader sends before its own WAL write, because its own entries count
        // toward commit only once they are persisted (after advance), so replicating to the
        // followers in parallel with its fsync is safe; followers and candidates send after.
        const sent = this.raftState === 'StateLeader';
        if (sent) this.send(rd.messages);
        else if (this.unsafe.has('no-vote-persist')) {
          // ...and the vote is granted at once, not after a write (there is none to wait for).
          const isVote = (m: PeerMessage) => m.type === 'MsgVoteResp';
          this.send(rd.messages.filter(isVote));
          rd = { ...rd, messages: rd.messages.filter((m) => !isVote(m)) };
        }
        this.trace({
          kind: 'persist',
          writeId,
          ...(mustSync ? {} : { sync: false }),
          entries: rd.entries.length,
          hardState: rd.hardState,
          // Each entry's index, term and a CRC of its data: the invariant checker rebuilds every
          // member's log from these (log matching, leader completeness).
          ents: logMarks(rd.entries),
          ...(rd.snapshot
            ? { snapIndex: rd.snapshot.metadata.index, snapTerm: rd.snapshot.metadata.term }
            : {}),
        });
        if (!mustSync || this.unsafe.has('ack-before-fsync')) {
          // Nothing waits for a write MustSync lets go unsynced. ack-before-fsync (unsafe): nor
          // for any other, as if it were durable already; a crash before the disk finishes loses
          // what this member has acknowledged.
          this.persisted(rd);
          this.finishReady(rd, sent);
          continue;
        }
        this.pendingReady = { rd, writeId, sent, ticked: false };
        break;
      }
      this.finishReady(rd);
    }
    this.serveReads();
  }

  /** The Ready's writes are durable: raft may now read them from storage. */
  private persisted(rd: Ready): void {
    if (rd.snapshot) this.storage.applySnapshot(rd.snapshot);
    if (rd.entries.length > 0) this.storage.append(rd.entries);
    if (rd.hardState) this.storage.setHardState(rd.hardState);
  }

  private send(messages: readonly PeerMessage[]): void {
    for (const m of messages) {
      if (m.type === 'MsgSnap') this.snapshotsInFlight.set(m.to, this.nowUs);
      else if (m.type === 'MsgHeartbeat') this.metrics.heartbeatSentTo(m.to, this.nowUs);
      this.out.messages.push(m);
    }
  }

  private finishReady(rd: Ready, sent = false): void {
    if (rd.snapshot && rd.snapshot.metadata.index > this.applied) {
      this.restoreStore(rd.snapshot.data);
      this.applied = rd.snapshot.metadata.index;
      this.snapshotIndex = rd.snapshot.metadata.index;
      this.confState = rd.snapshot.metadata.confState;
      this.trace({
        kind: 'snapshot-restored',
        index: this.applied,
        term: rd.snapshot.metadata.term,
        ...this.storeMark(),
      });
    }
    if (!sent) this.send(rd.messages);
    for (const rs of rd.readStates) {
      const ctx = utf8Decoder.decode(rs.requestCtx);
      this.trace({ kind: 'read-state', index: rs.index, ctx });
      if (this.readRound && this.readRound.ctx === ctx) this.readRound.index = rs.index;
    }
    for (const e of rd.committedEntries) this.apply(e);
    this.raw.advance(rd);
    this.maybeSnapshot();
  }

  private onSoftState(lead: number, raftState: string): void {
    if (raftState !== this.raftState) {
      this.trace({
        kind: 'state',
        from: this.raftState,
        to: raftState,
        term: this.raw.status().term,
      });
      if (this.raftState === 'StateLeader') this.metrics.leadershipLost();
      this.raftState = raftState;
    }
    if (lead === this.id && this.lead !== this.id) {
      // lessor.Promote: a new leader gives every lease a full TTL plus one election timeout,
      // because it cannot know how long the old leader had let them run.
      this.store.promoteLeases((this.cfg.electionTicks * this.cfg.tickUs) / 1000);
      this.revoking.clear();
    }
    if (lead !== this.lead && lead !== 0) {
      const done = this.leaderWaits.filter((lw) => lw.target === lead);
      this.leaderWaits = this.leaderWaits.filter((lw) => lw.target !== lead);
      for (const lw of done) {
        this.respond(
          lw.waiter,
          lw.waiter.method === 'stop'
            ? { header: this.header(), transferredTo: lead }
            : { header: this.header() },
        );
      }
    }
    if (lead !== this.lead) {
      this.metrics.leader(this.lead, lead);
      this.trace({ kind: 'leader-change', from: this.lead, to: lead, raftState });
      this.lead = lead;
      // A proposal in flight across a change of leader may be lost: the next refusal raises again.
      this.raisingNoSpace = false;
      this.refuseWaiting();
      // etcd 3.4's linearizableReadLoop answers the reads in flight with "leader changed" when a
      // new leader becomes known (from none too: a ReadIndex sent with no leader was dropped by
      // raft and would otherwise wait for the request timeout).
      if (lead !== 0 && this.readRound && this.readRound.index === undefined) {
        const round = this.readRound;
        this.readRound = undefined;
        this.metrics.inc('readIndexesFailed');
        for (const r of round.reads) this.fail(r, serverError('LeaderChanged'));
        this.startReadRound(); // reads queued meanwhile go in the next round
      }
    }
  }

  // ---- apply ----

  private apply(e: Entry): void {
    if (e.index <= this.applied) return;
    this.applied = e.index;
    if (e.type === 'EntryNormal') {
      if (e.data.length === 0) {
        // A new leader's empty entry: nothing for the store, but applied moves on.
        this.trace({
          kind: 'apply',
          index: e.index,
          term: e.term,
          empty: true,
          ...this.storeMark(),
        });
        return;
      }
      const internal = decodeValue(e.data) as unknown as InternalRequest;
      const waiter = this.waiters.get(internal.id);
      this.waiters.delete(internal.id);
      let result: ResponseBodies[ClientRequest['method']] | undefined;
      let doneUs = this.nowUs;
      let error: unknown;
      try {
        [result, doneUs] = this.timed(() => this.applyRequest(internal.request));
        if (e.index > this.replayedUpTo) {
          this.metrics.storeOp(internal.request, (result as { succeeded?: boolean }).succeeded);
          this.metrics.applied(doneUs - this.nowUs);
        }
      } catch (err) {
        error = err;
      }
      if (internal.request.method === 'leaseRevoke') this.revoking.delete(internal.request.body.ID);
      // applyEntryNormal: a write that no longer fits raises NOSPACE on this member.
      if (error instanceof EtcdError && error.code === 8 && !this.alarms.has('NOSPACE'))
        this.raiseNoSpace();
      this.trace({
        kind: 'apply',
        index: e.index,
        term: e.term,
        method: internal.request.method,
        ok: error === undefined,
        ...this.storeMark(),
      });
      if (waiter) {
        if (error !== undefined) this.fail(waiter, error);
        else this.respond(waiter, result!, doneUs);
      }
      return;
    }
    const cc = decodeConfChange(e);
    const wasMember = this.isMember();
    this.confState = this.raw.applyConfChange(cc);
    const ctx = cc.context && cc.context.length > 0 ? utf8Decoder.decode(cc.context) : '';
    const waiter = ctx ? this.waiters.get(ctx) : undefined;
    if (waiter) {
      this.waiters.delete(ctx);
      const members = this.members();
      // MemberAddResponse names the member added, as etcd's does.
      const ids = 'changes' in cc ? cc.changes.map((c) => c.nodeId) : [cc.nodeId];
      const added = members.find((m) => m.ID === ids[0]);
      this.respond(
        waiter,
        waiter.method === 'memberAdd' && added
          ? { header: this.header(), member: added, members }
          : { header: this.header(), members },
      );
    }
    if (wasMember && !this.isMember()) {
      this.removed = true;
      this.trace({ kind: 'removed' });
      this.watches.endAll(this.header(), serverError('Stopped').message);
    }
    this.trace({
      kind: 'apply-conf',
      index: e.index,
      term: e.term,
      ...this.storeMark(),
      voters: this.confState.voters,
      learners: this.confState.learners,
    });
  }

  /** The store's revision and content fingerprint, for apply records (invariants compare them). */
  private storeMark(): { rev: number; kv: number } {
    return { rev: this.store.revision, kv: this.store.kvHash };
  }

  private applyRequest(req: ClientRequest): ResponseBodies[ClientRequest['method']] {
    // applierV3Capped while NOSPACE is active; quotaApplierV3 otherwise: a write that no longer
    // fits this member's backend is applied, and answered with the error.
    if (refusedWhileCapped(req) && this.alarms.has('NOSPACE')) throw serverError('NoSpace');
    const fits = quotaAvailable(req, this.backend.dbSize, this.cfg.quotaBackendBytes);
    const result = this.applyToStore(req);
    if (!fits) throw serverError('NoSpace');
    return result;
  }

  private applyToStore(req: ClientRequest): ResponseBodies[ClientRequest['method']] {
    switch (req.method) {
      case 'alarm':
        return { header: this.header(), alarms: this.applyAlarm(req.body) };
      case 'put':
        return this.store.put(req.body);
      case 'deleteRange':
        return this.store.deleteRange(req.body);
      case 'txn':
        return this.store.txn(req.body);
      case 'compact':
        return this.store.compact(req.body);
      case 'leaseGrant':
        return this.store.leaseGrant(req.body);
      case 'leaseRevoke':
        return this.store.leaseRevoke(req.body);
      case 'range':
        return this.store.range(req.body); // the 'log' read path: a read through Raft
      default:
        throw new Error(`cannot apply ${req.method}`);
    }
  }

  private restoreStore(data: Uint8Array): void {
    const old = this.store;
    const { store, alarms } = unwrapSnapshot(data);
    this.store = MvccStore.restore(store, { clock: this.storeClock, backend: this.backend });
    this.alarms.load(alarms);
    // etcd's watchableStore.Restore: the watches go on from the revision each is owed
    this.timed(() => this.store.adoptWatchers(old));
  }

  /**
   * etcd's triggerSnapshot: every snapshotCount applied entries, snapshot the store, compact the
   * in-memory log (keeping a catch-up tail) and persist the snapshot, which lets the disk drop
   * the WAL it covers.
   */
  private maybeSnapshot(): void {
    if (this.applied - this.snapshotIndex < this.cfg.snapshotCount) return;
    const data = wrapSnapshot(this.store.snapshot(), this.alarms.get());
    const snap = this.storage.createSnapshot(this.applied, this.confState, data);
    const keep = Math.min(SNAPSHOT_CATCH_UP_ENTRIES, Math.floor(this.cfg.snapshotCount / 2));
    if (this.applied - keep > this.storage.firstIndex()) this.storage.compact(this.applied - keep);
    this.snapshotIndex = this.applied;
    this.out.writes.push({ writeId: this.nextWriteId++, write: { snapshot: snap } });
    this.trace({ kind: 'snapshot', index: this.applied, bytes: snap.data.length });
  }

  /**
   * A snapshot whose follower has not confirmed it within an election timeout was probably lost:
   * tell Raft, which goes back to probing and sends it again (etcd reports SnapshotFailure when
   * the send fails).
   */
  private checkSnapshotsInFlight(): void {
    const progress = this.raw.status().progress ?? {};
    const timeoutUs = this.cfg.electionTicks * this.cfg.tickUs;
    for (const [id, sentUs] of this.snapshotsInFlight) {
      if (progress[id]?.state !== 'StateSnapshot') this.snapshotsInFlight.delete(id);
      else if (this.nowUs - sentUs > timeoutUs) {
        this.snapshotsInFlight.delete(id);
        this.raw.reportSnapshot(id, false);
        this.trace({ kind: 'snapshot-failed', to: id });
      }
    }
  }

  // ---- responses ----

  private respond(
    w: Waiter,
    body: ResponseBodies[ClientRequest['method']],
    atUs = this.nowUs,
  ): void {
    // etcd's server fills the top-level header (its header.fill); nested txn headers keep only
    // the revision, exactly as etcd's gateway shows them.
    const revision = w.method === 'memberList' ? 0 : body.header.revision;
    const header: ServerResponseHeader = {
      cluster_id: this.clusterId,
      member_id: this.id,
      revision,
      raft_term: this.term,
    };
    body = { ...body, header };
    this.deliver(w, { ok: true, method: w.method, body }, atUs);
  }

  /** Sends an answer to whoever asked: a client, or the peer that forwarded the call. */
  private deliver(w: Waiter, response: ClientResponse, atUs = this.nowUs): void {
    const item: Delivery = w.forward
      ? {
          message: {
            type: 'MsgForwardResp',
            from: this.id,
            to: w.forward.to,
            fwdId: w.forward.fwdId,
            response,
          },
        }
      : { response: { clientId: w.clientId, requestId: w.requestId, response } };
    if (!w.forward && w.clientId !== 0 && !OPERATOR_METHODS.has(w.method)) {
      const streamed =
        response.ok && w.method === 'watch' && !(response.body as WatchStreamResponse).created;
      this.load.answered(response, streamed);
    }
    if (atUs <= this.nowUs) {
      this.emit(item);
      return;
    }
    // Waits for its backend transaction; keep the list in time order (ties: arrival order).
    let i = this.delayed.length;
    while (i > 0 && this.delayed[i - 1]!.atUs > atUs) i--;
    this.delayed.splice(i, 0, { atUs, item });
  }

  private emit(item: Delivery): void {
    if ('message' in item) this.out.messages.push(item.message);
    else this.out.responses.push(item.response);
  }

  private fail(w: Waiter, err: unknown): void {
    const error =
      err instanceof EtcdError
        ? { message: err.message, code: err.code }
        : { message: err instanceof Error ? err.message : String(err), code: 2 };
    this.deliver(w, { ok: false, method: w.method, error });
  }

  private expireRequests(): void {
    if (this.noSpaceWaiters.some((w) => w.deadlineUs <= this.nowUs)) {
      // The alarm never came through (a lost proposal): refuse now, and raise again next time.
      this.raisingNoSpace = false;
      this.refuseWaiting();
    }
    for (const [fwdId, w] of this.forwarded) {
      if (w.deadlineUs <= this.nowUs) {
        this.forwarded.delete(fwdId);
        this.fail(w, serverError('Timeout'));
      }
    }
    if (this.leaderWaits.length > 0) {
      // (Guarded: this runs on every tick and wake, and there is rarely a leader wait.)
      const expired = this.leaderWaits.filter((lw) => lw.waiter.deadlineUs <= this.nowUs);
      this.leaderWaits = this.leaderWaits.filter((lw) => lw.waiter.deadlineUs > this.nowUs);
      for (const lw of expired) {
        if (lw.onTimeout === 'answer')
          this.respond(lw.waiter, { header: this.header(), transferredTo: 0 });
        else this.fail(lw.waiter, serverError('TimeoutLeaderTransfer'));
      }
    }
    for (const [id, w] of this.waiters) {
      if (w.deadlineUs <= this.nowUs) {
        this.waiters.delete(id);
        if (isProposal(w)) this.metrics.inc('proposalsFailed');
        this.fail(w, serverError('Timeout'));
      }
    }
    const round = this.readRound;
    if (round && round.reads.some((r) => r.deadlineUs <= this.nowUs)) {
      // etcd 3.4 gives up on a round that took too long and times out its reads.
      this.readRound = undefined;
      this.metrics.inc('slowReadIndexes');
      for (const r of round.reads) this.fail(r, serverError('Timeout'));
      this.startReadRound();
    }
  }

  private flush(): ServerOutput {
    this.sendWatchResponses(this.nowUs);
    const out = this.out;
    this.out = emptyOutput();
    // The earliest deadline of anything waiting. A running minimum rather than an array of every
    // deadline: this runs once per input, on every node.
    let wake = Infinity;
    for (const w of this.waiters.values()) if (w.deadlineUs < wake) wake = w.deadlineUs;
    if (this.readRound) {
      for (const r of this.readRound.reads) if (r.deadlineUs < wake) wake = r.deadlineUs;
    }
    if (this.delayed[0] && this.delayed[0].atUs < wake) wake = this.delayed[0].atUs;
    if (this.authQueue[0] && this.authQueue[0].readyUs < wake) wake = this.authQueue[0].readyUs;
    for (const w of this.forwarded.values()) if (w.deadlineUs < wake) wake = w.deadlineUs;
    for (const w of this.noSpaceWaiters) if (w.deadlineUs < wake) wake = w.deadlineUs;
    for (const lw of this.leaderWaits) if (lw.waiter.deadlineUs < wake) wake = lw.waiter.deadlineUs;
    const backendDue = this.backend.nextDeadlineUs();
    if (backendDue !== undefined && backendDue < wake) wake = backendDue;
    if (wake !== Infinity) out.wakeAtUs = wake;
    return out;
  }

  private trace(r: Record<string, unknown>): void {
    this.out.trace.push(r);
  }

  // ---- views ----

  private header() {
    // The store's own revision: a range here would place a read on the backend model (lock
    // events, timing) just to answer a status call.
    return { revision: this.store.revision };
  }

  members(): Member[] {
    return [
      ...this.confState.voters.map((ID) => ({ ID, name: `n${ID}` })),
      ...this.confState.learners.map((ID) => ({ ID, name: `n${ID}`, isLearner: true })),
    ].sort((a, b) => a.ID - b.ID);
  }

  status(): StatusResponse {
    const s = this.raw.status();
    return {
      header: this.header(),
      version: VERSION,
      dbSize: this.backend.dbSize,
      leader: s.lead,
      raftIndex: this.storage.lastIndex(),
      raftTerm: s.term,
      raftAppliedIndex: this.applied,
      ...(this.alarms.has('NONE') ? { errors: this.alarms.get().map(alarmText) } : {}),
      dbSizeInUse: this.backend.dbSizeInUse,
      isLearner: this.confState.learners.includes(this.id),
    };
  }

  /** The member's log, key-value state and leases (and metrics if asked), read without side effects. */
  inspect(opts: InspectOptions = {}): NodeInspection {
    const status = this.raw.status();
    const view = inspectNode(this.storage, this.store, {
      commit: status.commit,
      applied: this.applied,
      snapshotIndex: this.snapshotIndex,
      ...(status.progress ? { progress: status.progress } : {}),
    });
    const alarms = this.alarms.get().map(alarmText);
    const withBackend = {
      ...view,
      backend: inspectBackend(this.backend, this.cfg.quotaBackendBytes, alarms),
    };
    return opts.metrics ? { ...withBackend, metrics: this.metricsView() } : withBackend;
  }

  /** etcd's /metrics for this member, and the scrapes it kept for the alert rules. */
  metricsView(): MetricsView {
    let pending = 0;
    for (const w of this.waiters.values()) if (isProposal(w)) pending++;
    return this.metrics.view({
      id: this.id,
      version: VERSION,
      lead: this.lead,
      isLearner: this.confState.learners.includes(this.id),
      commit: this.raw.status().commit,
      applied: this.applied,
      proposalsPending: pending,
      store: this.store,
      dbSize: this.backend.dbSize,
      dbSizeInUse: this.backend.dbSizeInUse,
      quotaBackendBytes: this.cfg.quotaBackendBytes,
    });
  }

  /**
   * etcdctl snapshot save (etcd's maintenance Snapshot RPC): this member's store as a snapshot
   * file (src/mvcc/backup.ts), with its applied index as the consistent index. A read without side
   * effects, like inspect(): it places nothing on the backend model and changes no state.
   */
  backup(): Uint8Array {
    return encodeBackup(
      { memberId: this.id, consistentIndex: this.applied, term: this.storage.term(this.applied) },
      this.store.snapshot(),
    );
  }

  /** Raft's own view, for the inspector. */
  raftStatus() {
    return this.raw.status();
  }

  appliedIndex(): number {
    return this.applied;
  }

  /** The backend file's size in bytes (etcd_mvcc_db_total_size_in_bytes), as of its last commit. */
  dbSize(): number {
    return this.backend.dbSize;
  }

  /** The backend's bytes in use (etcd_mvcc_db_total_size_in_use_in_bytes): dbSize less free pages. */
  dbSizeInUse(): number {
    return this.backend.dbSizeInUse;
  }

  currentTerm(): number {
    return this.term;
  }

  kv(): MvccStore {
    return this.store;
  }
}

const VERSION = '3.4.0-raftlab';

/** A client's proposal (a write, or a read through the log), not a membership change. */
function isProposal(w: Waiter): boolean {
  return !w.method.startsWith('member');
}

function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function readOnlyOption(path: ReadPath): 'safe' | 'lease-based' {
  return path === 'lease' ? 'lease-based' : 'safe';
}

function emptyOutput(): ServerOutput {
  return { messages: [], writes: [], responses: [], trace: [] };
}

function emptyConfState(): ConfState {
  return { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

/** Each entry's index, term and a CRC of its data: what the invariant checker needs of a log. */
function logMarks(entries: readonly Entry[]): [number, number, number][] {
  return entries.map((e) => [e.index, e.term, crc32(e.data)]);
}

/** A node spec's backend as the backend model takes it (the commit's fixed cost in ns). */
function backendSettings(b: Partial<BackendSpec>): BackendSettingsPatch {
  const { commitBaseUs, ...rest } = b;
  return commitBaseUs === undefined
    ? rest
    : { ...rest, cost: { commitBaseNs: commitBaseUs * 1000 } };
}
