// The leader's flow-control state for one follower. Three states:
//  - StateProbe: we do not know where the follower's log ends; send one MsgApp per heartbeat
//    interval until one is accepted.
//  - StateReplicate: streaming; `next` runs ahead of `match` optimistically, bounded by the
//    inflights window.
//  - StateSnapshot: the follower needs a snapshot; send nothing until it reports back.
import type { ProgressStateType } from '../types';
import type { Inflights } from './inflights';

export class ProgressState {
  /** The follower's log matches ours up to here. Invariant: match < next. */
  match = 0;
  /** Index of the next entry to send; (match, next) are in flight. */
  next: number;
  /** Highest commit index sent to the follower (tracked up to next - 1). */
  sentCommit = 0;
  state: ProgressStateType = 'StateProbe';
  /** In StateSnapshot: the snapshot index sent; replication resumes after it. */
  pendingSnapshot = 0;
  /** Heard from since the last CheckQuorum (always true for the leader itself). */
  recentActive = false;
  /**
   * Pauses MsgApp: in StateProbe after each probe until a response (or heartbeat response);
   * in StateReplicate while the inflights window is full.
   */
  msgAppFlowPaused = false;
  inflights: Inflights;
  isLearner: boolean;

  constructor(next: number, inflights: Inflights, isLearner: boolean) {
    this.next = next;
    this.inflights = inflights;
    this.isLearner = isLearner;
  }

  /** Resets to a fresh probe at `next` (a term change forgets everything learned). */
  reinit(next: number, match: number, inflights: Inflights): void {
    this.match = match;
    this.next = next;
    this.sentCommit = 0;
    this.state = 'StateProbe';
    this.pendingSnapshot = 0;
    this.recentActive = false;
    this.msgAppFlowPaused = false;
    this.inflights = inflights;
  }

  /** A copy sharing the inflights window (the copy replaces the original, as in etcd). */
  clone(): ProgressState {
    const c = new ProgressState(this.next, this.inflights, this.isLearner);
    c.match = this.match;
    c.sentCommit = this.sentCommit;
    c.state = this.state;
    c.pendingSnapshot = this.pendingSnapshot;
    c.recentActive = this.recentActive;
    c.msgAppFlowPaused = this.msgAppFlowPaused;
    return c;
  }

  private resetState(state: ProgressStateType): void {
    this.msgAppFlowPaused = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  /** Back to probing from match + 1 (or just after a snapshot that was delivered). */
  becomeProbe(): void {
    if (this.state === 'StateSnapshot') {
      const pendingSnapshot = this.pendingSnapshot;
      this.resetState('StateProbe');
      this.next = Math.max(this.match + 1, pendingSnapshot + 1);
    } else {
      this.resetState('StateProbe');
      this.next = this.match + 1;
    }
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
  }

  becomeReplicate(): void {
    this.resetState('StateReplicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('StateSnapshot');
    this.pendingSnapshot = snapshotIndex;
    this.next = snapshotIndex + 1;
    this.sentCommit = snapshotIndex;
  }

  /** Updates flow control after sending a MsgApp with `entries` entries of `bytes` payload. */
  sentEntries(entries: number, bytes: number): void {
    if (this.state === 'StateReplicate') {
      if (entries > 0) {
        this.next += entries;
        this.inflights.add(this.next - 1, bytes);
      }
      // A full window turns the next message into a probe: pause until acks free it.
      this.msgAppFlowPaused = this.inflights.full();
    } else if (this.state === 'StateProbe') {
      if (entries > 0) this.msgAppFlowPaused = true;
    } else {
      throw new Error(`sending append in unhandled state ${this.state}`);
    }
  }

  /** Whether sending commit index `index` may move the follower's commit forward. */
  canBumpCommit(index: number): boolean {
    return index > this.sentCommit && this.sentCommit < this.next - 1;
  }

  recordSentCommit(commit: number): void {
    this.sentCommit = commit;
  }

  /** An ack for `n` arrived; false if it is stale (not beyond match). */
  maybeUpdate(n: number): boolean {
    if (n <= this.match) return false;
    this.match = n;
    this.next = Math.max(this.next, n + 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /**
   * A MsgApp at index `rejected` was refused; `matchHint` is the follower's guess of where the
   * logs agree. Returns false if the rejection is stale (messages reordered or duplicated).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'StateReplicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      this.sentCommit = Math.min(this.sentCommit, this.next - 1);
      return true;
    }
    // Probes go one at a time, so a genuine rejection is of exactly next - 1.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  isPaused(): boolean {
    if (this.state === 'StateSnapshot') return true;
    return this.msgAppFlowPaused;
  }
}
