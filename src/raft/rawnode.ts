// RawNode: the application's handle on a Raft node (etcd's RawNode). The contract:
//
//   1. Feed it input: tick(), step(m) for messages from peers, propose(...), campaign(), ...
//   2. While hasReady(): rd = ready(); persist rd.hardState, rd.entries and rd.snapshot; then
//      send rd.messages; apply rd.committedEntries (calling applyConfChange for conf changes);
//      serve rd.readStates; then advance(rd).
//
// Durability is what `advance` vouches for: it steps back in the node's own acknowledgements of
// what that Ready persisted (a leader's ack of its entries, a candidate's vote for itself), marks
// the entries stable and the committed ones applied. A leader's entry therefore counts toward
// commit only after it is durable, exactly as in etcd-io/raft.
import { asV2, encodeConfChange, isConfChangeV2, validateConfChange } from './confchange';
import type { RaftConfig, Reconfig } from './config';
import { StepLocalMsgError, StepPeerNotFoundError } from './errors';
import { Raft } from './raft';
import { isEmptySnap } from './storage';
import { MessageType } from './types';
import type {
  ConfChange,
  ConfChangeV2,
  ConfState,
  Entry,
  HardState,
  Message,
  MessageInput,
  Progress,
  Ready,
  SoftState,
  Status,
} from './types';
import { EMPTY_BYTES, NONE, entriesSize, isLocalMsg, isResponseMsg, newMessage } from './util';

/** What advance() must do for the Ready that was last handed out, in etcd's order. */
type AdvanceStep =
  | { kind: 'step'; m: Message }
  | { kind: 'appended'; term: number; index: number; logTerm: number; snapshot?: Ready['snapshot'] }
  | { kind: 'applied'; entries: Entry[] };

const NO_MESSAGES: Message[] = [];
const knownTypes: ReadonlySet<unknown> = new Set<unknown>(Object.values(MessageType));
const encoder = new TextEncoder();

function toBytes(v: Uint8Array | string, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return v.length === 0 ? EMPTY_BYTES : encoder.encode(v);
  throw new TypeError(`${what} must be a Uint8Array or a string, got ${typeof v}`);
}

export class RawNode {
  private readonly raft: Raft;
  private prevSoftSt: SoftState;
  private prevHardSt: HardState;
  private stepsOnAdvance: AdvanceStep[] = [];

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoftSt = this.raft.softState();
    this.prevHardSt = this.raft.hardState();
  }

  /** Advances the logical clock by one tick (elections, heartbeats, CheckQuorum). */
  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (a pre-vote first when preVote is on). */
  campaign(): void {
    this.raft.step(newMessage({ type: 'MsgHup' }));
  }

  /**
   * Changes the election timeout, PreVote, CheckQuorum or the read-only option of this running
   * node, keeping all its state (see Raft.reconfigure).
   */
  reconfigure(c: Reconfig): void {
    this.raft.reconfigure(c);
  }

  /**
   * Proposes `data` for the log (a string is stored as its UTF-8 bytes). Throws
   * ProposalDroppedError if it cannot be accepted.
   */
  propose(input: Uint8Array | string): void {
    const data = toBytes(input, 'propose: data');
    this.raft.step({
      type: 'MsgProp',
      to: NONE,
      from: this.raft.id,
      term: 0,
      logTerm: 0,
      index: 0,
      entries: [{ term: 0, index: 0, type: 'EntryNormal', data }],
      commit: 0,
      snapshot: undefined,
      reject: false,
      rejectHint: 0,
      context: undefined,
    });
  }

  /** Proposes a membership change (ConfChange or ConfChangeV2). */
  proposeConfChange(cc: ConfChange | ConfChangeV2): void {
    validateConfChange(cc);
    const type = isConfChangeV2(cc) ? 'EntryConfChangeV2' : 'EntryConfChange';
    this.raft.step(
      newMessage({
        type: 'MsgProp',
        from: this.raft.id,
        entries: [{ term: 0, index: 0, type, data: encodeConfChange(cc) }],
      }),
    );
  }

  /**
   * Applies a committed conf change to this node's configuration and returns the new ConfState.
   * Call it when applying the conf-change entry (unless the application rejects the change).
   */
  applyConfChange(cc: ConfChange | ConfChangeV2): ConfState {
    validateConfChange(cc);
    return this.raft.applyConfChange(asV2(cc));
  }

  /** Steps a message received from a peer. Unset fields default to zero values. */
  step(input: MessageInput): void {
    if (!knownTypes.has(input?.type)) {
      throw new TypeError(`step: unknown message type ${String(input?.type)}`);
    }
    const m = newMessage(input);
    for (const k of ['to', 'from', 'term', 'logTerm', 'index', 'commit', 'rejectHint'] as const) {
      const v = m[k];
      if (!Number.isInteger(v) || v < 0) {
        throw new TypeError(`step: ${m.type}.${k} must be a non-negative integer, got ${v}`);
      }
    }
    // Local messages must not come from the network.
    if (isLocalMsg(m.type)) throw new StepLocalMsgError(m.type);
    if (isResponseMsg(m.type) && !this.raft.trk.progress.has(m.from)) {
      throw new StepPeerNotFoundError(m.type, m.from);
    }
    this.raft.step(m);
  }

  /**
   * Requests a linearizable read: a ReadState with `ctx` and the read index appears in a later
   * Ready; serve the read once applied >= that index.
   */
  readIndex(ctx: Uint8Array | string): void {
    const data = toBytes(ctx, 'readIndex: ctx');
    this.raft.step(
      newMessage({
        type: 'MsgReadIndex',
        entries: [{ term: 0, index: 0, type: 'EntryNormal', data }],
      }),
    );
  }

  /** Asks the leader (this node or, forwarded, the current one) to hand leadership to `to`. */
  transferLeader(to: number): void {
    this.raft.step(newMessage({ type: 'MsgTransferLeader', from: to }));
  }

  /** Reports that the last message to `id` could not be delivered. */
  reportUnreachable(id: number): void {
    this.raft.step(newMessage({ type: 'MsgUnreachable', from: id }));
  }

  /**
   * Reports whether the snapshot sent to `id` was delivered (true, or etcd's 'SnapshotFinish')
   * or failed (false, 'SnapshotFailure').
   */
  reportSnapshot(id: number, status: boolean | 'SnapshotFinish' | 'SnapshotFailure'): void {
    const ok = status === true || status === 'SnapshotFinish';
    if (!ok && status !== false && status !== 'SnapshotFailure') {
      throw new TypeError(`reportSnapshot: status must be a boolean, got ${String(status)}`);
    }
    this.raft.step(newMessage({ type: 'MsgSnapStatus', from: id, reject: !ok }));
  }

  hasReady(): boolean {
    const r = this.raft;
    if (r.lead !== this.prevSoftSt.lead || r.state !== this.prevSoftSt.raftState) return true;
    const hs = this.prevHardSt;
    if (
      !(r.term === 0 && r.vote === 0 && r.raftLog.committed === 0) &&
      (r.term !== hs.term || r.vote !== hs.vote || r.raftLog.committed !== hs.commit)
    ) {
      return true;
    }
    if (r.raftLog.nextUnstableSnapshot() !== undefined) return true;
    if (r.msgs.length > 0 || r.msgsAfterAppend.length > 0) return true;
    if (r.raftLog.hasNextUnstableEnts() || r.raftLog.hasNextCommittedEnts(true)) return true;
    return r.readStates.length > 0;
  }

  /**
   * The outstanding work. Handle all of it, then call advance(). Calling ready() twice without
   * advance() in between is an error.
   */
  ready(): Ready {
    if (this.stepsOnAdvance.length > 0) {
      throw new Error('ready() called twice without advance() in between');
    }
    const r = this.raft;
    const entries = r.raftLog.nextUnstableEnts();
    const committedEntries = r.raftLog.nextCommittedEnts(true);
    let messages = r.msgs.length > 0 ? r.msgs : NO_MESSAGES;
    for (const m of r.msgsAfterAppend) {
      if (m.to !== r.id) {
        if (messages === NO_MESSAGES) messages = [];
        messages.push(m);
      }
    }
    const rd: Ready = {
      softState: undefined,
      hardState: undefined,
      readStates: r.readStates,
      entries,
      snapshot: r.raftLog.nextUnstableSnapshot(),
      committedEntries,
      messages: messages === NO_MESSAGES ? [] : messages,
      mustSync: false,
    };
    if (r.lead !== this.prevSoftSt.lead || r.state !== this.prevSoftSt.raftState) {
      rd.softState = r.softState();
    }
    const hs = this.prevHardSt;
    if (r.term !== hs.term || r.vote !== hs.vote || r.raftLog.committed !== hs.commit) {
      rd.hardState = r.hardState();
    }
    rd.mustSync = entries.length > 0 || r.term !== hs.term || r.vote !== hs.vote;
    this.acceptReady(rd);
    return rd;
  }

  private acceptReady(rd: Ready): void {
    const r = this.raft;
    if (rd.softState) this.prevSoftSt = rd.softState;
    if (rd.hardState) this.prevHardSt = rd.hardState;
    if (rd.readStates.length > 0) r.readStates = [];
    // Self-addressed responses (own vote, own append ack) are stepped on advance, i.e. after
    // the application has made this Ready's state durable.
    for (const m of r.msgsAfterAppend) {
      if (m.to === r.id) this.stepsOnAdvance.push({ kind: 'step', m });
    }
    // Entries in the unstable log are stable once this Ready is persisted. Attach the last
    // (index, term) rather than rd.entries' last: if the term changed, a newer write will tell.
    if (r.raftLog.hasNextOrInProgressUnstableEnts() || !isEmptySnap(rd.snapshot)) {
      const hasEnts = r.raftLog.hasNextOrInProgressUnstableEnts();
      const index = hasEnts ? r.raftLog.lastIndex() : 0;
      this.stepsOnAdvance.push({
        kind: 'appended',
        term: r.term,
        index,
        logTerm: hasEnts ? r.raftLog.lastTerm() : 0,
        snapshot: isEmptySnap(rd.snapshot) ? undefined : rd.snapshot,
      });
    }
    if (rd.committedEntries.length > 0) {
      this.stepsOnAdvance.push({ kind: 'applied', entries: rd.committedEntries });
    }
    r.msgs = [];
    r.msgsAfterAppend = [];
    r.raftLog.acceptUnstable();
    if (rd.committedEntries.length > 0) {
      const ents = rd.committedEntries;
      const last = (ents[ents.length - 1] as Entry).index;
      r.raftLog.acceptApplying(last, entriesSize(ents), true);
    }
  }

  /**
   * Tells the node the last Ready has been handled: its state persisted, its messages sent, its
   * committed entries applied.
   */
  advance(_rd?: Ready): void {
    const steps = this.stepsOnAdvance;
    this.stepsOnAdvance = [];
    const r = this.raft;
    for (const s of steps) {
      if (s.kind === 'step') r.step(s.m);
      else if (s.kind === 'appended') r.onStorageAppended(s.term, s.index, s.logTerm, s.snapshot);
      else r.onApplied(s.entries);
    }
  }

  status(): Status {
    const r = this.raft;
    const st: Status = {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.raftLog.committed,
      lead: r.lead,
      applied: r.raftLog.applied,
      raftState: r.state,
      electionElapsed: r.electionElapsed,
      heartbeatElapsed: r.heartbeatElapsed,
      randomizedElectionTimeout: r.randomizedElectionTimeout,
    };
    if (r.state === 'StateLeader') {
      const progress: Record<number, Progress> = {};
      for (const id of r.trk.ids()) {
        const pr = r.trk.progress.get(id);
        if (pr === undefined) continue;
        progress[id] = {
          match: pr.match,
          next: pr.next,
          state: pr.state,
          inflight: pr.inflights.countInflight,
        };
      }
      st.progress = progress;
    }
    return st;
  }

  /** The current membership. */
  confState(): ConfState {
    return this.raft.trk.confState();
  }

  /** Internal state for tests and tracing in this package (not part of the stable API). */
  get internal(): Raft {
    return this.raft;
  }
}
