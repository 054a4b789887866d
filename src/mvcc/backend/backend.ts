// etcd's backend (server/storage/backend) as a timing model: which transaction holds which lock
// when, in simulated time. It stores no data; the MVCC store does the reads and writes and tells
// the backend how much work each one was, and the backend answers when it was granted and when it
// completed, given the lock mode and every transaction already in flight.
//
// Two locks, as in etcd:
// - batchTx: the mutex of the buffered batch (write) transaction. Writes apply into batchTx under
//   it; a commit holds it for its whole run (etcd's batchTxBuffered.Commit locks it first).
// - readTx: the RWMutex over the read buffer (txReadBuffer) and the read-only bbolt tx. A commit
//   locks it exclusively (etcd: "all read txs must be closed to acquire boltdb commit rwlock"),
//   writes the batch back to the read buffer and begins a new read tx.
// Both are TimedLocks (./lock.ts): a shared request waits for every exclusive one placed before
// it, an exclusive request for every request placed before it. Requests are placed in arrival
// order, so every grant is final when placed and calls can answer synchronously and exactly.
//
// Rules per lock mode (a mode applies to requests placed while it is set; in-flight ones keep
// their schedule, and the rules below stay safe when modes mix):
// - 'coarse' (3.1): a read holds batchTx exclusively for its whole run, so reads, writes and
//   commits all serialise in arrival order.
// - 'rwlock' (3.2/3.3): a read holds readTx shared for its whole run. Reads run side by side,
//   but a commit waits for every read already in, and reads arriving after the commit wait for
//   it: one long read stalls the commit, every write queued on batchTx behind the commit, and
//   every read after it (the article's head-of-line blocking).
// - 'concurrent' (3.4): a read holds readTx shared only while it copies the read buffer (cost
//   bufferCopy*), then runs on its own concurrentReadTx with no lock ('concurrentReadTx', mode
//   'none', in events). A commit waits only for copies in progress; reads arriving during a
//   commit wait for it, then copy the new buffer.
// In every mode:
// - a write holds batchTx exclusively while it applies; its operations become pending;
// - a commit requests batchTx and readTx at the same instant, holds batchTx from its grant, and
//   holds readTx and does its work (cost commitBase + perKeyCommitted × pending) once it has both;
//   it releases both together. etcd requests readTx only once it holds batchTx; requesting both
//   at once differs only while a write is applying at the commit's due time (tens of µs), and it
//   is what keeps every grant final when placed. In 'coarse' mode nothing else takes readTx, so
//   it never adds waiting there; commits still take it so that switching modes mid-run is safe.
// - a commit writes the batch back to the read buffer (its keys are what a later concurrent read
//   copies) and resets pending;
// - commits become due as in etcd's backend.run loop: a timer of batchInterval, re-armed when
//   the tick's commit completes; a tick with nothing pending commits nothing. A write that brings
//   pending to batchLimit places a commit right behind itself, at its own arrival (etcd commits
//   inside that write's batchTx.Unlock, so nothing can slip in between).
// - at equal times, a due commit is placed before a request arriving at that time.
import {
  DEFAULT_COST_MODEL,
  bufferCopyCostUs,
  checkWork,
  commitCostUs,
  defragCostUs,
  mergeCostModel,
  readCostUs,
  writeCostUs,
} from './cost';
import { EventQueue } from './events';
import { FREELIST_TYPES } from './freelist';
import { TimedLock } from './lock';
import { PageFile } from './pages';
import type {
  BackendEvent,
  BackendOptions,
  BackendSettings,
  BackendSettingsPatch,
  BackendStats,
  BackendWork,
  HoldMode,
  LockName,
  ReadWork,
  TxnKind,
  TxnTiming,
  WriteWork,
} from './types';

export const DEFAULT_BATCH_INTERVAL_MS = 100;
export const DEFAULT_BATCH_LIMIT = 10_000;

const LOCK_MODES = new Set(['coarse', 'rwlock', 'concurrent']);

function checkTimeUs(name: string, value: number): number {
  if (!Number.isFinite(value))
    throw new RangeError(`backend: ${name} must be finite, got ${value}`);
  return Math.round(value);
}

function applyPatch(base: BackendSettings, patch: BackendSettingsPatch): BackendSettings {
  const next: BackendSettings = {
    lockMode: patch.lockMode ?? base.lockMode,
    batchIntervalMs: patch.batchIntervalMs ?? base.batchIntervalMs,
    batchLimit: patch.batchLimit ?? base.batchLimit,
    freelistType: patch.freelistType ?? base.freelistType,
    cost: mergeCostModel(base.cost, patch.cost),
  };
  if (!FREELIST_TYPES.includes(next.freelistType)) {
    throw new RangeError(`backend: unknown freelist type ${String(next.freelistType)}`);
  }
  if (!LOCK_MODES.has(next.lockMode)) {
    throw new RangeError(`backend: unknown lock mode ${String(next.lockMode)}`);
  }
  // Under 1 µs the timer would re-arm at the same instant forever.
  if (!(Number.isFinite(next.batchIntervalMs) && next.batchIntervalMs >= 0.001)) {
    throw new RangeError(`backend: batchIntervalMs must be >= 0.001, got ${next.batchIntervalMs}`);
  }
  if (!(Number.isInteger(next.batchLimit) && next.batchLimit >= 1)) {
    throw new RangeError(`backend: batchLimit must be an integer >= 1, got ${next.batchLimit}`);
  }
  return Object.freeze(next);
}

export class Backend {
  /** Receives every lock event in simulated-time order; may be replaced at any time. */
  onEvent: ((event: BackendEvent) => void) | undefined;

  private current: BackendSettings;
  private readonly batchTx = new TimedLock();
  private readonly readTx = new TimedLock();
  private readonly events = new EventQueue();
  private nextTxnId = 1;
  private nowUs: number;
  /** When backend.run last re-armed its timer: the last tick, or the completion of its commit. */
  private timerResetUs: number;
  /** batchTx.pending: operations applied since the last commit was placed. */
  private pending = 0;
  private readBufferKeys = 0;
  private commits = 0;
  private defrags = 0;
  /**
   * The file in pages (./pages.ts): the store reports each revision it writes or removes, every
   * commit writes them out, and dbSize / dbSizeInUse say how big the file is.
   */
  readonly pages: PageFile;

  constructor(options: BackendOptions = {}) {
    this.current = applyPatch(
      {
        lockMode: 'concurrent',
        batchIntervalMs: DEFAULT_BATCH_INTERVAL_MS,
        batchLimit: DEFAULT_BATCH_LIMIT,
        freelistType: 'array',
        cost: DEFAULT_COST_MODEL,
      },
      options,
    );
    this.pages = new PageFile(this.current.freelistType, options.aged);
    this.nowUs = checkTimeUs('startUs', options.startUs ?? 0);
    this.timerResetUs = this.nowUs;
    this.onEvent = options.onEvent;
  }

  get settings(): BackendSettings {
    return this.current;
  }

  /** Changes settings from now on; transactions already placed keep their schedule. */
  configure(patch: BackendSettingsPatch): void {
    this.current = applyPatch(this.current, patch);
    this.pages.setFreelistType(this.current.freelistType);
  }

  /** etcd's backend Size(): the file's bytes up to its high-water mark, as of the last commit. */
  get dbSize(): number {
    return this.pages.dbSize;
  }

  /** etcd's backend SizeInUse(): dbSize less the pages on the freelist. */
  get dbSizeInUse(): number {
    return this.pages.dbSizeInUse;
  }

  get stats(): BackendStats {
    return {
      nowUs: this.nowUs,
      commits: this.commits,
      pendingOps: this.pending,
      readBufferKeys: this.readBufferKeys,
      defrags: this.defrags,
    };
  }

  /** Runs one store operation as the store reports it. */
  submit(atUs: number, work: BackendWork): TxnTiming {
    return work.kind === 'read' ? this.read(atUs, work) : this.write(atUs, work);
  }

  /** A read transaction (etcd's store.Read) doing `work`, arriving at atUs. */
  read(atUs: number, work: ReadWork): TxnTiming {
    checkWork(work);
    this.enter(atUs);
    const t = this.nowUs;
    const id = this.nextTxnId++;
    const { cost, lockMode } = this.current;
    const runUs = readCostUs(cost, work);
    let timing: TxnTiming;
    if (lockMode === 'coarse') {
      timing = this.hold(id, 'read', t, 'batchTx', 'exclusive', runUs);
    } else if (lockMode === 'rwlock') {
      timing = this.hold(id, 'read', t, 'readTx', 'shared', runUs);
    } else {
      const copyUs = bufferCopyCostUs(cost, this.readBufferKeys);
      const copy = this.hold(id, 'read', t, 'readTx', 'shared', copyUs);
      const doneUs = copy.completedUs + runUs;
      this.queueHold(
        id,
        'read',
        'concurrentReadTx',
        'none',
        copy.completedUs,
        copy.completedUs,
        doneUs,
      );
      timing = { ...copy, completedUs: doneUs };
    }
    this.events.flush(this.nowUs, this.onEvent);
    return timing;
  }

  /** A write transaction (etcd's store.Write) applying `work` into batchTx, arriving at atUs. */
  write(atUs: number, work: WriteWork): TxnTiming {
    checkWork(work);
    this.enter(atUs);
    const t = this.nowUs;
    const id = this.nextTxnId++;
    const timing = this.hold(
      id,
      'write',
      t,
      'batchTx',
      'exclusive',
      writeCostUs(this.current.cost, work),
    );
    // Every write txn puts at least etcd's consistent index, hence at least one pending op.
    this.pending += Math.max(1, work.keysWritten);
    if (this.pending >= this.current.batchLimit) this.placeCommit(t);
    this.events.flush(this.nowUs, this.onEvent);
    return timing;
  }

  /** etcd's ForceCommit: commits now if anything is pending (the run loop's timer is untouched). */
  forceCommit(atUs: number): TxnTiming | undefined {
    this.enter(atUs);
    const t = this.nowUs;
    const timing = this.pending > 0 ? this.placeCommit(t) : undefined;
    this.events.flush(this.nowUs, this.onEvent);
    return timing;
  }

  /**
   * etcd's Defrag: commits what is pending, then holds batchTx and readTx exclusively while it
   * copies every key into a new, compact file (pages.ts); reads and writes wait for it.
   */
  defrag(atUs: number): TxnTiming {
    this.enter(atUs);
    const t = this.nowUs;
    if (this.pending > 0) this.placeCommit(t);
    const id = this.nextTxnId++;
    const durationUs = defragCostUs(this.current.cost, this.pages.defrag());
    const grantUs = Math.max(this.batchTx.exclusiveGrantUs(t), this.readTx.exclusiveGrantUs(t));
    const releaseUs = grantUs + durationUs;
    this.batchTx.holdExclusive(releaseUs);
    this.readTx.holdExclusive(releaseUs);
    for (const lock of ['batchTx', 'readTx'] as const) {
      this.queueHold(id, 'defrag', lock, 'exclusive', t, grantUs, releaseUs);
    }
    this.defrags++;
    this.events.flush(this.nowUs, this.onEvent);
    return {
      txnId: id,
      kind: 'defrag',
      requestedUs: t,
      grantedUs: grantUs,
      completedUs: releaseUs,
    };
  }

  /**
   * Moves simulated time to nowUs: places the batch-interval commits due by then and emits the
   * events up to then. Returns the commits placed.
   */
  advanceTo(nowUs: number): TxnTiming[] {
    return this.enter(nowUs);
  }

  /**
   * The next time the backend has something to do: its next due commit or its next event. A
   * conductor calls advanceTo at that time; undefined when idle.
   */
  nextDeadlineUs(): number | undefined {
    const eventUs = this.events.peekUs();
    const commitUs = this.nextCommitDueUs();
    if (eventUs === undefined || commitUs === undefined) return eventUs ?? commitUs;
    return Math.min(eventUs, commitUs);
  }

  /**
   * When the next batch-interval commit is due; undefined while nothing is pending (the timer
   * then ticks without committing). A conductor that only needs exact timings, not timely
   * events, may wake the backend at this time alone: every call emits the events up to its time.
   */
  nextCommitDueUs(): number | undefined {
    return this.pending === 0 ? undefined : this.nextTickUs();
  }

  private get batchIntervalUs(): number {
    return Math.max(1, Math.round(this.current.batchIntervalMs * 1000));
  }

  /** Never in the past: a shortened interval makes the tick due now, not before now. */
  private nextTickUs(): number {
    return Math.max(this.timerResetUs + this.batchIntervalUs, this.nowUs);
  }

  /** Validates and moves the clock, placing due commits and emitting events up to it. */
  private enter(atUs: number): TxnTiming[] {
    const t = checkTimeUs('atUs', atUs);
    if (t < this.nowUs) {
      throw new RangeError(`backend: time went backwards (${t} µs < ${this.nowUs} µs)`);
    }
    const placed: TxnTiming[] = [];
    for (let tickUs = this.nextTickUs(); tickUs <= t; tickUs = this.nextTickUs()) {
      if (this.pending === 0) {
        // Idle ticks only re-arm the timer: skip to the last one at or before t.
        const interval = this.batchIntervalUs;
        this.timerResetUs = tickUs + Math.floor((t - tickUs) / interval) * interval;
        break;
      }
      this.nowUs = tickUs;
      const commit = this.placeCommit(tickUs);
      // backend.run re-arms its timer only once Commit() returns.
      this.timerResetUs = commit.completedUs;
      placed.push(commit);
    }
    this.nowUs = t;
    this.events.flush(t, this.onEvent);
    return placed;
  }

  private placeCommit(atUs: number): TxnTiming {
    const id = this.nextTxnId++;
    // bbolt's commit allocates pages for what changed (pages.ts); the freelist's work is part
    // of its duration.
    const durationUs = commitCostUs(this.current.cost, this.pending, this.pages.commit());
    const batchGrantUs = this.batchTx.exclusiveGrantUs(atUs);
    const grantUs = Math.max(batchGrantUs, this.readTx.exclusiveGrantUs(atUs));
    const releaseUs = grantUs + durationUs;
    this.batchTx.holdExclusive(releaseUs);
    this.readTx.holdExclusive(releaseUs);
    // Queued in the order etcd does it: lock batchTx, lock readTx, commit, unlock readTx, unlock
    // batchTx (ties in time keep this order).
    const ev = (phase: BackendEvent['phase'], lock: LockName, at: number): void =>
      this.events.push({ txnId: id, kind: 'commit', phase, atUs: at, lock, mode: 'exclusive' });
    ev('requested', 'batchTx', atUs);
    ev('requested', 'readTx', atUs);
    ev('granted', 'batchTx', batchGrantUs);
    ev('granted', 'readTx', grantUs);
    ev('released', 'readTx', releaseUs);
    ev('released', 'batchTx', releaseUs);
    // The commit writes the batch back to the read buffer and starts a new batch.
    this.readBufferKeys = this.pending;
    this.pending = 0;
    this.commits++;
    return {
      txnId: id,
      kind: 'commit',
      requestedUs: atUs,
      grantedUs: grantUs,
      completedUs: releaseUs,
    };
  }

  /** Places one request for one lock and queues its events. */
  private hold(
    txnId: number,
    kind: TxnKind,
    atUs: number,
    lock: 'batchTx' | 'readTx',
    mode: 'exclusive' | 'shared',
    durationUs: number,
  ): TxnTiming {
    const timed = lock === 'batchTx' ? this.batchTx : this.readTx;
    const grantedUs = mode === 'shared' ? timed.sharedGrantUs(atUs) : timed.exclusiveGrantUs(atUs);
    const completedUs = grantedUs + durationUs;
    if (mode === 'shared') timed.holdShared(completedUs);
    else timed.holdExclusive(completedUs);
    this.queueHold(txnId, kind, lock, mode, atUs, grantedUs, completedUs);
    return { txnId, kind, requestedUs: atUs, grantedUs, completedUs };
  }

  private queueHold(
    txnId: number,
    kind: TxnKind,
    lock: LockName,
    mode: HoldMode,
    requestedUs: number,
    grantedUs: number,
    releasedUs: number,
  ): void {
    this.events.push({ txnId, kind, phase: 'requested', atUs: requestedUs, lock, mode });
    this.events.push({ txnId, kind, phase: 'granted', atUs: grantedUs, lock, mode });
    this.events.push({ txnId, kind, phase: 'released', atUs: releasedUs, lock, mode });
  }
}
