// The Raft state machine, shaped like etcd-io/raft's `raft` struct. One object holds the state of
// every role; becoming follower, (pre-)candidate or leader swaps which step and tick functions run.
// Timers are ticks, and their expiry becomes a local message (MsgHup, MsgBeat, MsgCheckQuorum)
// that goes through the same `step` as everything from the network. Nothing is sent or written
// here: outgoing messages queue in `msgs` / `msgsAfterAppend` and RawNode hands them out in Ready.
import { validateConfig } from './config';
import type { RaftConfig, Reconfig, ValidConfig } from './config';
import {
  Changer,
  asV2,
  decodeConfChange,
  enterJoint,
  leaveJoint,
  restore as restoreConfState,
} from './confchange';
import type { ChangeResult } from './confchange';
import { ProposalDroppedError, SnapshotTemporarilyUnavailableError } from './errors';
import { RaftLog } from './log';
import { jointIds, jointVoteResult } from './quorum';
import { ReadOnly } from './read_only';
import { isEmptySnap } from './storage';
import { Inflights, ProgressTracker } from './tracker';
import type { ProgressMap, ProgressState, TrackerConfig } from './tracker';
import type {
  ConfChangeV2,
  ConfState,
  Entry,
  HardState,
  Message,
  MessageType,
  ReadState,
  Snapshot,
  SoftState,
  StateType,
} from './types';
import { EMPTY_BYTES, NONE, bytesEqual, entriesSize, payloadsSize, voteRespMsgType } from './util';

type CampaignType = 'CampaignPreElection' | 'CampaignElection' | 'CampaignTransfer';

/** The context of a MsgVote sent on a leader's request: it overrides the receivers' lease. */
const CAMPAIGN_TRANSFER_CTX = new TextEncoder().encode('CampaignTransfer');

type StepFn = (r: Raft, m: Message) => void;

/** A message with zero values in every field but the given ones (hot path: one literal). */
function msg(
  type: MessageType,
  to: number,
  f?: {
    term?: number;
    logTerm?: number;
    index?: number;
    entries?: Entry[];
    commit?: number;
    snapshot?: Snapshot;
    reject?: boolean;
    rejectHint?: number;
    context?: Uint8Array;
  },
): Message {
  return {
    type,
    to,
    from: NONE,
    term: f?.term ?? 0,
    logTerm: f?.logTerm ?? 0,
    index: f?.index ?? 0,
    entries: f?.entries ?? [],
    commit: f?.commit ?? 0,
    snapshot: f?.snapshot,
    reject: f?.reject ?? false,
    rejectHint: f?.rejectHint ?? 0,
    context: f?.context,
  };
}

export class Raft {
  readonly id: number;
  term = 0;
  vote = NONE;
  readStates: ReadState[] = [];
  readonly raftLog: RaftLog;
  readonly maxMsgSize: number;
  trk: ProgressTracker;
  state: StateType = 'StateFollower';
  /** Whether this node is a learner in the current configuration. */
  isLearner = false;
  /** Messages to send once the current Ready's writes are durable (etcd's `msgs`). */
  msgs: Message[] = [];
  /**
   * Responses that vouch for local durable state (MsgAppResp, votes): sent only after the
   * Ready's entries and hard state are persisted. Self-addressed ones (the leader's own ack of
   * its entries, a candidate's own vote) are stepped back in on advance.
   */
  msgsAfterAppend: Message[] = [];
  lead = NONE;
  /** Id of the leadership transfer target, or NONE when no transfer is in progress. */
  leadTransferee = NONE;
  /**
   * Index of the newest conf change the leader may have pending: a new one is refused until
   * the applied index reaches it (one change in flight at a time).
   */
  pendingConfIndex = 0;
  readOnly: ReadOnly;
  /** Ticks since the last election timeout, or (follower) since hearing from the leader. */
  electionElapsed = 0;
  /** Leader only: ticks since the last heartbeat broadcast. */
  heartbeatElapsed = 0;
  /** These three may change on a running node: see reconfigure(). */
  checkQuorum: boolean;
  preVote: boolean;
  readonly heartbeatTimeout: number;
  electionTimeout: number;
  /** In [electionTimeout, 2 * electionTimeout), redrawn on each reset. */
  randomizedElectionTimeout = 0;
  readonly disableProposalForwarding: boolean;
  readonly stepDownOnRemoval: boolean;
  private readonly unsafeCommitEarlierTerms: boolean;
  private readonly rand: () => number;
  private tickFn: () => void;
  private stepFn: StepFn;
  /** Reads that arrived before this leader committed an entry of its term; served after. */
  pendingReadIndexMessages: Message[] = [];
  /** Ticks since this node started: the clock lease-based reads are measured on. */
  private ticks = 0;
  /** While `ticks` is below this, a lease-based read is answered without a round (leaseValid). */
  leaseUntilTick = 0;

  constructor(config: RaftConfig) {
    const c: ValidConfig = validateConfig(config);
    this.id = c.id;
    this.raftLog = new RaftLog(c.storage, c.maxCommittedSizePerReady);
    const { hardState, confState } = c.storage.initialState();
    this.maxMsgSize = c.maxSizePerMsg;
    this.trk = new ProgressTracker(c.maxInflightMsgs, c.maxInflightBytes);
    this.electionTimeout = c.electionTick;
    this.heartbeatTimeout = c.heartbeatTick;
    this.checkQuorum = c.checkQuorum;
    this.preVote = c.preVote;
    this.readOnly = new ReadOnly(c.readOnlyOption);
    this.disableProposalForwarding = c.disableProposalForwarding;
    this.stepDownOnRemoval = c.stepDownOnRemoval;
    this.unsafeCommitEarlierTerms = c.unsafeCommitEarlierTerms;
    this.rand = c.rand;
    this.tickFn = this.tickElection;
    this.stepFn = stepFollower;

    const [cfg, prs] = restoreConfState(this.trk, this.raftLog.lastIndex(), confState);
    this.switchToConfig(cfg, prs);
    if (hardState.term !== 0 || hardState.vote !== 0 || hardState.commit !== 0) {
      this.loadState(hardState);
    }
    if (c.applied > 0) this.raftLog.appliedTo(c.applied, 0);
    this.becomeFollower(this.term, NONE);
  }

  hasLeader(): boolean {
    return this.lead !== NONE;
  }

  softState(): SoftState {
    return { lead: this.lead, raftState: this.state };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  tick(): void {
    this.ticks++;
    this.tickFn();
  }

  /**
   * Lease-based reads: the lease holds while fewer than `electionTimeout - 2` ticks have passed
   * since a quorum-acknowledged heartbeat round began (thesis 6.4.1). A follower that heard from
   * us refuses votes (CheckQuorum's inLease) and does not time out for a full election timeout of
   * its own ticks, at least (electionTimeout - 1) ticks of time; our tick count may lag the real
   * start of the round by up to one more. etcd-raft's lease lasts until CheckQuorum deposes the
   * leader, up to two election timeouts after it was cut off: a new leader may be writing by then.
   */
  private leaseValid(): boolean {
    return this.ticks < this.leaseUntilTick;
  }

  /**
   * Queues `m` for sending, filling in `from` and the term. Responses that vouch for durable
   * state wait in msgsAfterAppend (see there).
   */
  send(m: Message): void {
    if (m.from === NONE) m.from = this.id;
    const t = m.type;
    if (t === 'MsgVote' || t === 'MsgVoteResp' || t === 'MsgPreVote' || t === 'MsgPreVoteResp') {
      // Campaign messages carry the term they are about (a pre-vote's is in the future).
      if (m.term === 0) throw new Error(`term should be set when sending ${t}`);
    } else {
      if (m.term !== 0) throw new Error(`term should not be set when sending ${t} (was ${m.term})`);
      // Proposals and read requests forwarded to the leader are local in spirit: no term.
      if (t !== 'MsgProp' && t !== 'MsgReadIndex') m.term = this.term;
    }
    if (t === 'MsgAppResp' || t === 'MsgVoteResp' || t === 'MsgPreVoteResp') {
      this.msgsAfterAppend.push(m);
    } else {
      if (m.to === this.id)
        throw new Error(`message should not be self-addressed when sending ${t}`);
      this.msgs.push(m);
    }
  }

  sendAppend(to: number): void {
    this.maybeSendAppend(to, true);
  }

  /**
   * Sends a MsgApp with new entries (if any) and the commit index to `to`, unless flow control
   * pauses it. Empty messages are sent only if `sendIfEmpty`. Falls back to a snapshot if the
   * entries were compacted. Returns whether a message was sent.
   */
  maybeSendAppend(to: number, sendIfEmpty: boolean): boolean {
    const pr = this.trk.progress.get(to);
    if (pr === undefined || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.raftLog.termOf(prevIndex);
    if (prevTerm < 0) {
      // The log was truncated at or after next: the follower can only catch up by snapshot.
      return this.maybeSendSnapshot(to, pr);
    }
    let ents: Entry[] | undefined = [];
    // A throttled replicating follower only gets empty MsgApps (to keep acks flowing).
    if (pr.state !== 'StateReplicate' || !pr.inflights.full()) {
      ents = this.raftLog.entries(pr.next, this.maxMsgSize);
    }
    if ((ents === undefined || ents.length === 0) && !sendIfEmpty) return false;
    if (ents === undefined) return this.maybeSendSnapshot(to, pr);
    const commit = this.raftLog.committed;
    this.send(msg('MsgApp', to, { index: prevIndex, logTerm: prevTerm, entries: ents, commit }));
    pr.sentEntries(ents.length, ents.length === 0 ? 0 : payloadsSize(ents));
    pr.recordSentCommit(commit);
    return true;
  }

  private maybeSendSnapshot(to: number, pr: ProgressState): boolean {
    // Only to a peer we heard from recently: a snapshot is expensive to waste.
    if (!pr.recentActive) return false;
    let snapshot: Snapshot;
    try {
      snapshot = this.raftLog.snapshot();
    } catch (err) {
      if (err instanceof SnapshotTemporarilyUnavailableError) return false;
      throw err;
    }
    if (isEmptySnap(snapshot)) throw new Error('need non-empty snapshot');
    pr.becomeSnapshot(snapshot.metadata.index);
    this.send(msg('MsgSnap', to, { snapshot }));
    return true;
  }

  /** Heartbeats carry min(match, committed): never a commit index the follower may not hold. */
  private sendHeartbeat(to: number, ctx: Uint8Array | undefined): void {
    const pr = this.trk.progress.get(to) as ProgressState;
    const commit = Math.min(pr.match, this.raftLog.committed);
    this.send(msg('MsgHeartbeat', to, { commit, context: ctx }));
    pr.recordSentCommit(commit);
  }

  bcastAppend(): void {
    for (const id of this.trk.ids()) {
      if (id !== this.id) this.sendAppend(id);
    }
  }

  bcastHeartbeat(): void {
    // Carry the newest pending read's context: its acks confirm all earlier reads too.
    const last = this.readOnly.lastPendingRequest();
    const ctx = last?.entries[0]?.data;
    this.bcastHeartbeatWithCtx(ctx !== undefined && ctx.length > 0 ? ctx : undefined);
  }

  private bcastHeartbeatWithCtx(ctx: Uint8Array | undefined): void {
    for (const id of this.trk.ids()) {
      if (id !== this.id) this.sendHeartbeat(id, ctx);
    }
  }

  appliedTo(index: number, size: number): void {
    const newApplied = Math.max(index, this.raftLog.applied);
    this.raftLog.appliedTo(newApplied, size);
    if (
      this.trk.config.autoLeave &&
      newApplied >= this.pendingConfIndex &&
      this.state === 'StateLeader'
    ) {
      // The joint config we entered is applied and asked to be left automatically. The empty
      // change is never refused for size; it may be dropped during a leadership transfer, in
      // which case we try again on the next apply (or the new leader does it).
      const m = msg('MsgProp', NONE, {
        entries: [{ term: 0, index: 0, type: 'EntryConfChangeV2', data: EMPTY_BYTES }],
      });
      m.from = this.id;
      try {
        this.step(m);
      } catch (err) {
        if (!(err instanceof ProposalDroppedError)) throw err;
      }
    }
  }

  appliedSnap(snap: Snapshot): void {
    const index = snap.metadata.index;
    this.raftLog.stableSnapTo(index);
    this.appliedTo(index, 0);
  }

  /** Advances the commit index to what a quorum has acked, if that entry is of our term. */
  maybeCommit(): boolean {
    const index = this.trk.committed();
    if (this.unsafeCommitEarlierTerms) {
      // Figure 8's mistake: counting replicas commits an old-term entry that a later leader,
      // elected without it, may still overwrite.
      return this.raftLog.maybeCommit(index, this.raftLog.termOrZero(index));
    }
    return this.raftLog.maybeCommit(index, this.term);
  }

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.leaseUntilTick = 0; // a lease belongs to one term's leadership
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.trk.resetVotes();
    const last = this.raftLog.lastIndex();
    for (const [id, pr] of this.trk.progress) {
      pr.reinit(
        last + 1,
        id === this.id ? last : 0,
        new Inflights(this.trk.maxInflight, this.trk.maxInflightBytes),
      );
    }
    this.pendingConfIndex = 0;
    this.readOnly = new ReadOnly(this.readOnly.option);
  }

  /**
   * Appends entries of the current term to the leader's log. The leader's own ack is a
   * self-addressed MsgAppResp that RawNode steps back in once the entries are durable, so the
   * leader's copy counts toward commit only after it is persisted.
   */
  appendEntry(es: readonly Entry[]): void {
    const li = this.raftLog.lastIndex();
    // Fresh objects: proposals may arrive in messages shared with other nodes or duplicated.
    const ents: Entry[] = new Array<Entry>(es.length);
    for (let i = 0; i < es.length; i++) {
      const e = es[i] as Entry;
      ents[i] = { term: this.term, index: li + 1 + i, type: e.type, data: e.data };
    }
    const last = this.raftLog.append(ents);
    this.send(msg('MsgAppResp', this.id, { index: last }));
  }

  private tickElection = (): void => {
    this.electionElapsed++;
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0;
      this.step(msg('MsgHup', NONE, {}));
    }
  };

  private tickHeartbeat = (): void => {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.step(withFrom(msg('MsgCheckQuorum', NONE), this.id));
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.state === 'StateLeader' && this.leadTransferee !== NONE) this.abortLeaderTransfer();
    }
    if (this.state !== 'StateLeader') return;
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.step(withFrom(msg('MsgBeat', NONE), this.id));
    }
  };

  becomeFollower(term: number, lead: number): void {
    this.stepFn = stepFollower;
    this.reset(term);
    this.tickFn = this.tickElection;
    this.lead = lead;
    this.state = 'StateFollower';
  }

  becomeCandidate(): void {
    if (this.state === 'StateLeader') throw new Error('invalid transition [leader -> candidate]');
    this.stepFn = stepCandidate;
    this.reset(this.term + 1);
    this.tickFn = this.tickElection;
    this.vote = this.id;
    this.state = 'StateCandidate';
  }

  /** A pre-candidate changes neither term nor vote: that is the point of PreVote. */
  becomePreCandidate(): void {
    if (this.state === 'StateLeader')
      throw new Error('invalid transition [leader -> pre-candidate]');
    this.stepFn = stepCandidate;
    this.trk.resetVotes();
    this.tickFn = this.tickElection;
    this.lead = NONE;
    this.state = 'StatePreCandidate';
  }

  becomeLeader(): void {
    if (this.state === 'StateFollower') throw new Error('invalid transition [follower -> leader]');
    this.stepFn = stepLeader;
    this.reset(this.term);
    this.tickFn = this.tickHeartbeat;
    this.lead = this.id;
    this.state = 'StateLeader';
    // The leader trivially replicates to itself; reset() set its match to the last index.
    const pr = this.trk.progress.get(this.id);
    if (pr) {
      pr.becomeReplicate();
      pr.recentActive = true;
    }
    // There may be an unapplied conf change in the log; refuse new ones until everything we have
    // is applied rather than scan the tail.
    this.pendingConfIndex = this.raftLog.lastIndex();
    // An empty entry of our term: committing it commits everything before it (Figure 8). The
    // unsafe figure8-commit mode leaves it out, as the paper's Figure 8 leader does: old-term
    // entries then commit by counting replicas alone, which is the mistake it shows.
    if (!this.unsafeCommitEarlierTerms)
      this.appendEntry([{ term: 0, index: 0, type: 'EntryNormal', data: EMPTY_BYTES }]);
  }

  hup(t: CampaignType): void {
    if (this.state === 'StateLeader') return;
    if (!this.promotable()) return;
    // A committed but unapplied conf change could make this node a non-voter: wait for it.
    if (this.hasUnappliedConfChanges()) return;
    this.campaign(t);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.raftLog.applied >= this.raftLog.committed) return false;
    const ents = this.raftLog.slice(this.raftLog.applied + 1, this.raftLog.committed + 1, Infinity);
    if (ents === undefined) return false;
    for (const e of ents) {
      if (e.type === 'EntryConfChange' || e.type === 'EntryConfChangeV2') return true;
    }
    return false;
  }

  campaign(t: CampaignType): void {
    let term: number;
    let voteMsg: MessageType;
    if (t === 'CampaignPreElection') {
      this.becomePreCandidate();
      voteMsg = 'MsgPreVote';
      // Pre-votes are for the term we would campaign in, without incrementing ours yet.
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteMsg = 'MsgVote';
      term = this.term;
    }
    const ids = [...this.trk.voterIds()].sort((a, b) => a - b);
    const lastIndex = this.raftLog.lastIndex();
    const lastTerm = this.raftLog.lastTerm();
    for (const id of ids) {
      if (id === this.id) {
        // Our own vote counts once it is durable: it comes back on advance.
        this.send(msg(voteRespMsgType(voteMsg), id, { term }));
        continue;
      }
      const context = t === 'CampaignTransfer' ? CAMPAIGN_TRANSFER_CTX : undefined;
      this.send(msg(voteMsg, id, { term, index: lastIndex, logTerm: lastTerm, context }));
    }
  }

  poll(id: number, granted: boolean): 'VotePending' | 'VoteLost' | 'VoteWon' {
    this.trk.recordVote(id, granted);
    return this.trk.tallyVotes().result;
  }

  /** Every message goes through here: first the term rules, then the role's step function. */
  step(m: Message): void {
    if (m.term === 0) {
      // Local message.
    } else if (m.term > this.term) {
      if (m.type === 'MsgVote' || m.type === 'MsgPreVote') {
        const force = bytesEqual(m.context, CAMPAIGN_TRANSFER_CTX);
        const inLease =
          this.checkQuorum && this.lead !== NONE && this.electionElapsed < this.electionTimeout;
        // Within the lease of a live leader we neither bump our term nor vote (thesis 4.2.3),
        // unless the leader itself asked for this election (a transfer).
        if (!force && inLease) return;
      }
      if (m.type === 'MsgPreVote') {
        // Never change our term in response to a PreVote.
      } else if (m.type === 'MsgPreVoteResp' && !m.reject) {
        // A granted pre-vote carries the term we will campaign in; we bump it when we win.
      } else if (m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if (
        (this.checkQuorum || this.preVote) &&
        (m.type === 'MsgHeartbeat' || m.type === 'MsgApp')
      ) {
        // A stale leader: with CheckQuorum/PreVote our higher term may never reach it through
        // votes, so tell it directly (the response carries our term and makes it step down).
        this.send(msg('MsgAppResp', m.from));
      } else if (m.type === 'MsgPreVote') {
        // Reject explicitly so a pre-candidate with an old term learns ours instead of waiting.
        this.send(msg('MsgPreVoteResp', m.from, { term: this.term, reject: true }));
      }
      return;
    }

    switch (m.type) {
      case 'MsgHup':
        this.hup(this.preVote ? 'CampaignPreElection' : 'CampaignElection');
        break;
      case 'MsgVote':
      case 'MsgPreVote': {
        // We can vote if this repeats a vote we cast, if we have not voted and know no leader in
        // this term, or if it is a pre-vote for a future term...
        const canVote =
          this.vote === m.from ||
          (this.vote === NONE && this.lead === NONE) ||
          (m.type === 'MsgPreVote' && m.term > this.term);
        // ...and the candidate's log is at least as up to date as ours. Learners vote too: a
        // learner may have been promoted without knowing it yet.
        if (canVote && this.raftLog.isUpToDate(m.index, m.logTerm)) {
          // Reply with the message's term: a pre-vote's is ahead of ours.
          this.send(msg(voteRespMsgType(m.type), m.from, { term: m.term }));
          if (m.type === 'MsgVote') {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          this.send(msg(voteRespMsgType(m.type), m.from, { term: this.term, reject: true }));
        }
        break;
      }
      default:
        this.stepFn(this, m);
    }
  }

  handleAppendEntries(m: Message): void {
    if (m.index < this.raftLog.committed) {
      this.send(msg('MsgAppResp', m.from, { index: this.raftLog.committed }));
      return;
    }
    const last = this.raftLog.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (last >= 0) {
      this.send(msg('MsgAppResp', m.from, { index: last }));
      return;
    }
    // Our log does not match at m.index. Hint the largest (index, term) at which it may: the
    // last index <= m.index whose term is <= m.logTerm, skipping a divergent tail of higher
    // terms in one round trip.
    const hintIndex = Math.min(m.index, this.raftLog.lastIndex());
    const [rejectHint, logTerm] = this.raftLog.findConflictByTerm(hintIndex, m.logTerm);
    this.send(msg('MsgAppResp', m.from, { index: m.index, reject: true, rejectHint, logTerm }));
  }

  handleHeartbeat(m: Message): void {
    this.raftLog.commitTo(m.commit);
    this.send(msg('MsgHeartbeatResp', m.from, { context: m.context }));
  }

  handleSnapshot(m: Message): void {
    const s = m.snapshot;
    if (s !== undefined && this.restore(s)) {
      this.send(msg('MsgAppResp', m.from, { index: this.raftLog.lastIndex() }));
    } else {
      this.send(msg('MsgAppResp', m.from, { index: this.raftLog.committed }));
    }
  }

  /**
   * Replaces the log and configuration with a snapshot. Returns false if the snapshot was
   * ignored: it is not newer than our commit, we are not a follower, we are not in its
   * configuration, or our log already contains its last entry (then we just commit to it).
   */
  restore(s: Snapshot): boolean {
    if (s.metadata.index <= this.raftLog.committed) return false;
    if (this.state !== 'StateFollower') {
      // Defense in depth: should never happen.
      this.becomeFollower(this.term + 1, NONE);
      return false;
    }
    const cs = s.metadata.confState;
    if (
      !cs.voters.includes(this.id) &&
      !cs.learners.includes(this.id) &&
      !cs.votersOutgoing.includes(this.id)
    ) {
      return false;
    }
    if (this.raftLog.matchTerm(s.metadata.index, s.metadata.term)) {
      this.raftLog.commitTo(s.metadata.index);
      return false;
    }
    this.raftLog.restore(s);
    this.trk = new ProgressTracker(this.trk.maxInflight, this.trk.maxInflightBytes);
    const [cfg, prs] = restoreConfState(this.trk, this.raftLog.lastIndex(), cs);
    this.switchToConfig(cfg, prs);
    return true;
  }

  /** Whether this node may become leader: a voter, not in the middle of applying a snapshot. */
  promotable(): boolean {
    const pr = this.trk.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && !this.raftLog.hasNextOrInProgressSnapshot();
  }

  applyConfChange(cc: ConfChangeV2): ConfState {
    const changer = new Changer(this.trk, this.raftLog.lastIndex());
    let res: ChangeResult;
    if (leaveJoint(cc)) {
      res = changer.leaveJoint();
    } else {
      const joint = enterJoint(cc);
      res = joint ? changer.enterJoint(joint.autoLeave, cc.changes) : changer.simple(cc.changes);
    }
    return this.switchToConfig(res[0], res[1]);
  }

  /**
   * Installs a new configuration, and as leader reacts to it: step down if removed (when
   * configured), commit what the new quorum allows, probe new peers, abort a transfer to a
   * node that is gone.
   */
  switchToConfig(cfg: TrackerConfig, prs: ProgressMap): ConfState {
    this.trk.config = cfg;
    this.trk.progress = prs;
    const cs = this.trk.confState();
    const pr = prs.get(this.id);
    this.isLearner = pr !== undefined && pr.isLearner;
    if ((pr === undefined || this.isLearner) && this.state === 'StateLeader') {
      if (this.stepDownOnRemoval) this.becomeFollower(this.term, NONE);
      return cs;
    }
    if (this.state !== 'StateLeader' || cs.voters.length === 0) return cs;
    if (this.maybeCommit()) {
      this.bcastAppend();
    } else {
      for (const id of this.trk.ids()) {
        if (id !== this.id) this.maybeSendAppend(id, false);
      }
    }
    if (
      this.leadTransferee !== NONE &&
      !jointIds(this.trk.config.voters).has(this.leadTransferee)
    ) {
      this.abortLeaderTransfer();
    }
    return cs;
  }

  loadState(hs: HardState): void {
    if (hs.commit < this.raftLog.committed || hs.commit > this.raftLog.lastIndex()) {
      throw new Error(
        `${this.id} state.commit ${hs.commit} is out of range [${this.raftLog.committed}, ${this.raftLog.lastIndex()}]`,
      );
    }
    this.raftLog.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  /**
   * Changes the election timeout, PreVote, CheckQuorum and the read-only option of a running
   * node, keeping its log, term, vote and progress: what restarting the member with new flags
   * would do, without the restart (raftlab's playground changes settings mid-run; etcd-io/raft
   * has no such call, a member is restarted instead). Only what differs changes:
   * - a new election timeout is drawn at once, so a follower's next timeout already follows it;
   * - a new read-only option drops the reads waiting for a heartbeat round, as a term change does
   *   (reset()); whoever asked asks again.
   * Checked as the config is: the timeout stays above the heartbeat, and lease-based reads need
   * CheckQuorum.
   */
  reconfigure(c: Reconfig): void {
    const electionTick = c.electionTick ?? this.electionTimeout;
    const checkQuorum = c.checkQuorum ?? this.checkQuorum;
    const option = c.readOnlyOption ?? this.readOnly.option;
    validateConfig({
      id: this.id,
      electionTick,
      heartbeatTick: this.heartbeatTimeout,
      storage: this.raftLog.storage,
      checkQuorum,
      readOnlyOption: option,
      rand: this.rand,
    });
    this.checkQuorum = checkQuorum;
    this.preVote = c.preVote ?? this.preVote;
    if (electionTick !== this.electionTimeout) {
      this.electionTimeout = electionTick;
      this.resetRandomizedElectionTimeout();
    }
    if (option !== this.readOnly.option) this.readOnly = new ReadOnly(option);
  }

  resetRandomizedElectionTimeout(): void {
    const r = this.rand();
    if (!(r >= 0 && r < 1)) throw new Error(`config.rand returned ${r}, outside [0, 1)`);
    this.randomizedElectionTimeout = this.electionTimeout + Math.floor(r * this.electionTimeout);
  }

  sendTimeoutNow(to: number): void {
    this.send(msg('MsgTimeoutNow', to));
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  /** Whether the commit index is at an entry of our term (a new leader's reads must wait). */
  committedEntryInCurrentTerm(): boolean {
    return this.raftLog.termOrZero(this.raftLog.committed) === this.term;
  }

  /** Answers a read: locally as a ReadState, or to the follower that forwarded it. */
  responseToReadIndexReq(req: Message, readIndex: number): Message | undefined {
    if (req.from === NONE || req.from === this.id) {
      this.readStates.push({ index: readIndex, requestCtx: req.entries[0]?.data ?? EMPTY_BYTES });
      return undefined;
    }
    return msg('MsgReadIndexResp', req.from, { index: readIndex, entries: req.entries });
  }

  releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0) return;
    if (!this.committedEntryInCurrentTerm()) return;
    const msgs = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const m of msgs) this.sendMsgReadIndexResponse(m);
  }

  sendMsgReadIndexResponse(m: Message): void {
    // Lease-based, without a lease: the same round as 'safe', which renews it.
    if (this.readOnly.option === 'safe' || !this.leaseValid()) {
      // Confirm leadership with a heartbeat round carrying this read's context; we ack it
      // ourselves right away.
      const ctx = m.entries[0]?.data;
      this.readOnly.addRequest(this.raftLog.committed, m, this.ticks);
      this.readOnly.recvAck(this.id, ctx);
      this.bcastHeartbeatWithCtx(ctx !== undefined && ctx.length > 0 ? ctx : undefined);
    } else {
      const resp = this.responseToReadIndexReq(m, this.raftLog.committed);
      if (resp) this.send(resp);
    }
  }

  /** The storage acknowledged the writes of a Ready: entries up to (index, logTerm), snapshot. */
  onStorageAppended(
    term: number,
    index: number,
    logTerm: number,
    snap: Snapshot | undefined,
  ): void {
    if (term !== 0 && term < this.term) {
      // The term changed since the write began: the entries may have been overwritten in the
      // unstable log since, so they are not marked stable. A snapshot is term-independent.
      if (snap) this.appliedSnap(snap);
      return;
    }
    if (index > 0) this.raftLog.stableTo(index, logTerm);
    if (snap) this.appliedSnap(snap);
  }

  /** The application applied `ents` (from a Ready). */
  onApplied(ents: readonly Entry[]): void {
    if (ents.length === 0) return;
    this.appliedTo((ents[ents.length - 1] as Entry).index, entriesSize(ents));
  }
}

function withFrom(m: Message, from: number): Message {
  m.from = from;
  return m;
}

function stepLeader(r: Raft, m: Message): void {
  // These message types do not need a progress for m.from.
  switch (m.type) {
    case 'MsgBeat':
      r.bcastHeartbeat();
      return;
    case 'MsgCheckQuorum':
      if (!r.trk.quorumActive()) r.becomeFollower(r.term, NONE);
      // Everyone but us must prove themselves active again before the next check.
      for (const [id, pr] of r.trk.progress) {
        if (id !== r.id) pr.recentActive = false;
      }
      return;
    case 'MsgProp':
      stepLeaderProp(r, m);
      return;
    case 'MsgReadIndex':
      if (r.trk.isSingleton()) {
        // Only one voter: our commit index is the cluster's.
        const resp = r.responseToReadIndexReq(m, r.raftLog.committed);
        if (resp) r.send(resp);
        return;
      }
      // Until an entry of our term is committed our commit index may lag the previous
      // leader's, so reads wait (thesis 6.4).
      if (!r.committedEntryInCurrentTerm()) {
        r.pendingReadIndexMessages.push(m);
        return;
      }
      r.sendMsgReadIndexResponse(m);
      return;
  }

  const pr = r.trk.progress.get(m.from);
  if (pr === undefined) return;
  switch (m.type) {
    case 'MsgAppResp':
      // Also reached from advance: the leader's own ack of entries it has persisted.
      pr.recentActive = true;
      if (m.reject) {
        handleAppRespReject(r, m, pr);
      } else {
        handleAppRespAccept(r, m, pr);
      }
      return;
    case 'MsgHeartbeatResp': {
      pr.recentActive = true;
      pr.msgAppFlowPaused = false;
      // A lagging or probing follower gets an append now (possibly empty, to recover from lost
      // messages or to move it back to StateReplicate).
      if (pr.match < r.raftLog.lastIndex() || pr.state === 'StateProbe') r.sendAppend(m.from);
      if (m.context === undefined || m.context.length === 0) return;
      const acks = r.readOnly.recvAck(m.from, m.context);
      if (jointVoteResult(r.trk.config.voters, acks ?? new Map()) !== 'VoteWon') return;
      for (const rs of r.readOnly.advance(m)) {
        // A quorum heard from us at or after the round began: the lease runs from there.
        r.leaseUntilTick = Math.max(r.leaseUntilTick, rs.tick + r.electionTimeout - 2);
        const resp = r.responseToReadIndexReq(rs.req, rs.index);
        if (resp) r.send(resp);
      }
      return;
    }
    case 'MsgSnapStatus':
      if (pr.state !== 'StateSnapshot') return;
      if (m.reject) {
        // Forget the pending snapshot first, or we would probe from an index never installed.
        pr.pendingSnapshot = 0;
      }
      pr.becomeProbe();
      // After a snapshot wait for the follower's MsgAppResp; after a failure, a heartbeat
      // interval, before the next append.
      pr.msgAppFlowPaused = true;
      return;
    case 'MsgUnreachable':
      // While streaming, an unreachable peer has probably lost a MsgApp: fall back to probing.
      if (pr.state === 'StateReplicate') pr.becomeProbe();
      return;
    case 'MsgTransferLeader': {
      if (pr.isLearner) return;
      const transferee = m.from;
      if (r.leadTransferee !== NONE) {
        if (r.leadTransferee === transferee) return;
        r.abortLeaderTransfer();
      }
      if (transferee === r.id) return;
      // The transfer must finish within an election timeout.
      r.electionElapsed = 0;
      r.leadTransferee = transferee;
      if (pr.match === r.raftLog.lastIndex()) {
        r.sendTimeoutNow(transferee);
      } else {
        r.sendAppend(transferee);
      }
      return;
    }
  }
}

function stepLeaderProp(r: Raft, m: Message): void {
  if (m.entries.length === 0) throw new Error(`${r.id} stepped empty MsgProp`);
  if (!r.trk.progress.has(r.id)) {
    throw new ProposalDroppedError(`node ${r.id} was removed from the configuration`);
  }
  if (r.leadTransferee !== NONE) {
    throw new ProposalDroppedError(
      `leadership transfer from ${r.id} to ${r.leadTransferee} is in progress`,
    );
  }
  let ents = m.entries;
  for (let i = 0; i < ents.length; i++) {
    const e = ents[i] as Entry;
    if (e.type === 'EntryNormal') continue;
    const cc = asV2(decodeConfChange(e));
    const alreadyPending = r.pendingConfIndex > r.raftLog.applied;
    const alreadyJoint = r.trk.config.voters.outgoing.size > 0;
    const wantsLeaveJoint = cc.changes.length === 0;
    const refused =
      alreadyPending || (alreadyJoint && !wantsLeaveJoint) || (!alreadyJoint && wantsLeaveJoint);
    if (refused) {
      // A refused change still takes its slot in the log, as an empty normal entry, so indexes
      // the proposer may have computed stay valid.
      if (ents === m.entries) ents = ents.slice();
      ents[i] = { term: 0, index: 0, type: 'EntryNormal', data: EMPTY_BYTES };
    } else {
      r.pendingConfIndex = r.raftLog.lastIndex() + i + 1;
    }
  }
  r.appendEntry(ents);
  r.bcastAppend();
}

function handleAppRespReject(r: Raft, m: Message, pr: ProgressState): void {
  // rejectHint is where the follower guesses the logs agree; logTerm is its term there. Any of
  // our indexes with a term above logTerm cannot match, so skip to the last one that might.
  let nextProbeIdx = m.rejectHint;
  if (m.logTerm > 0) nextProbeIdx = r.raftLog.findConflictByTerm(m.rejectHint, m.logTerm)[0];
  if (pr.maybeDecrTo(m.index, nextProbeIdx)) {
    if (pr.state === 'StateReplicate') pr.becomeProbe();
    r.sendAppend(m.from);
  }
}

function handleAppRespAccept(r: Raft, m: Message, pr: ProgressState): void {
  // Update on a new match, or when a probing follower confirms its match again (so it can go
  // back to replicating).
  if (!(pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'StateProbe'))) return;
  if (pr.state === 'StateProbe') {
    pr.becomeReplicate();
  } else if (pr.state === 'StateSnapshot' && pr.match + 1 >= r.raftLog.firstIndex()) {
    // The follower can be caught up from the log now, whatever snapshot it installed.
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === 'StateReplicate') {
    pr.inflights.freeLE(m.index);
  }
  if (r.maybeCommit()) {
    // Our commit advanced in our term: pending reads can be served, followers told.
    r.releasePendingReadIndexMessages();
    r.bcastAppend();
  } else if (r.id !== m.from && pr.canBumpCommit(r.raftLog.committed)) {
    // This follower may be missing the latest commit index; tell it now rather than at the
    // next heartbeat.
    r.sendAppend(m.from);
  }
  // Flow control may have opened up: send what we can, without empty messages.
  if (r.id !== m.from) {
    while (r.maybeSendAppend(m.from, false)) {
      // keep sending
    }
  }
  if (m.from === r.leadTransferee && pr.match === r.raftLog.lastIndex()) {
    r.sendTimeoutNow(m.from);
  }
}

function stepCandidate(r: Raft, m: Message): void {
  // Only the vote responses of our own kind count: in StateCandidate stale pre-vote responses
  // of this term may still arrive.
  const myVoteRespType: MessageType =
    r.state === 'StatePreCandidate' ? 'MsgPreVoteResp' : 'MsgVoteResp';
  switch (m.type) {
    case 'MsgProp':
      throw new ProposalDroppedError(`no leader at term ${r.term}`);
    case 'MsgApp':
      r.becomeFollower(m.term, m.from); // always m.term === r.term here
      r.handleAppendEntries(m);
      return;
    case 'MsgHeartbeat':
      r.becomeFollower(m.term, m.from);
      r.handleHeartbeat(m);
      return;
    case 'MsgSnap':
      r.becomeFollower(m.term, m.from);
      r.handleSnapshot(m);
      return;
    case myVoteRespType: {
      const res = r.poll(m.from, !m.reject);
      if (res === 'VoteWon') {
        if (r.state === 'StatePreCandidate') {
          r.campaign('CampaignElection');
        } else {
          r.becomeLeader();
          r.bcastAppend();
        }
      } else if (res === 'VoteLost') {
        // A pre-vote response carries a future term; stay in ours.
        r.becomeFollower(r.term, NONE);
      }
      return;
    }
    default:
      // MsgTimeoutNow and others are ignored while campaigning.
      return;
  }
}

function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case 'MsgProp':
      if (r.lead === NONE) throw new ProposalDroppedError(`no leader at term ${r.term}`);
      if (r.disableProposalForwarding) {
        throw new ProposalDroppedError(`not forwarding to leader ${r.lead} at term ${r.term}`);
      }
      r.send({ ...m, to: r.lead });
      return;
    case 'MsgApp':
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleAppendEntries(m);
      return;
    case 'MsgHeartbeat':
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleHeartbeat(m);
      return;
    case 'MsgSnap':
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleSnapshot(m);
      return;
    case 'MsgTransferLeader':
      if (r.lead === NONE) return;
      r.send({ ...m, to: r.lead, term: 0 });
      return;
    case 'MsgTimeoutNow':
      // The leader asked us to take over: campaign now, without pre-vote (we know the leader is
      // alive, so we are not a partitioned node to be guarded against).
      r.hup('CampaignTransfer');
      return;
    case 'MsgReadIndex':
      if (r.lead === NONE) return;
      r.send({ ...m, to: r.lead });
      return;
    case 'MsgReadIndexResp':
      if (m.entries.length !== 1) return;
      r.readStates.push({ index: m.index, requestCtx: (m.entries[0] as Entry).data });
      return;
    default:
      return;
  }
}
