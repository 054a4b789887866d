// The leader's (and candidate's) view of the cluster: the current configuration, each peer's
// progress, and the votes of an election in progress.
import { isJoint, jointCommittedIndex, jointIds, jointVoteResult } from '../quorum';
import type { JointConfig, VoteResult } from '../quorum';
import type { ConfState } from '../types';
import type { ProgressState } from './progress';

export interface TrackerConfig {
  voters: JointConfig;
  /** Learners: receive the log, never vote. Disjoint from both voter halves. */
  learners: Set<number>;
  /**
   * Outgoing voters that become learners when the joint config is left (a voter cannot turn
   * into a learner in one step while it still counts in the outgoing half).
   */
  learnersNext: Set<number>;
  autoLeave: boolean;
}

export function emptyTrackerConfig(): TrackerConfig {
  return {
    voters: { incoming: new Set(), outgoing: new Set() },
    learners: new Set(),
    learnersNext: new Set(),
    autoLeave: false,
  };
}

export function cloneTrackerConfig(c: TrackerConfig): TrackerConfig {
  return {
    voters: { incoming: new Set(c.voters.incoming), outgoing: new Set(c.voters.outgoing) },
    learners: new Set(c.learners),
    learnersNext: new Set(c.learnersNext),
    autoLeave: c.autoLeave,
  };
}

const sorted = (s: Iterable<number>): number[] => [...s].sort((a, b) => a - b);

export type ProgressMap = Map<number, ProgressState>;

export class ProgressTracker {
  config: TrackerConfig = emptyTrackerConfig();
  private progressMap: ProgressMap = new Map();
  /** Progress ids in ascending order, so every visit is deterministic (as etcd's Visit). */
  private sortedIds: number[] = [];
  votes = new Map<number, boolean>();

  constructor(
    readonly maxInflight: number,
    readonly maxInflightBytes: number,
  ) {}

  get progress(): ProgressMap {
    return this.progressMap;
  }

  set progress(m: ProgressMap) {
    this.progressMap = m;
    this.sortedIds = sorted(m.keys());
  }

  /** Progress ids in ascending order. Do not mutate. */
  ids(): readonly number[] {
    return this.sortedIds;
  }

  confState(): ConfState {
    return {
      voters: sorted(this.config.voters.incoming),
      votersOutgoing: sorted(this.config.voters.outgoing),
      learners: sorted(this.config.learners),
      learnersNext: sorted(this.config.learnersNext),
      autoLeave: this.config.autoLeave,
    };
  }

  /** Whether the config has exactly one voter and is not joint. */
  isSingleton(): boolean {
    return this.config.voters.incoming.size === 1 && !isJoint(this.config.voters);
  }

  /** The largest index acknowledged by a quorum (learners do not count). */
  committed(): number {
    return jointCommittedIndex(this.config.voters, (id) => this.progressMap.get(id)?.match);
  }

  /** Whether a quorum has been recently active; the leader counts itself. */
  quorumActive(): boolean {
    const votes = new Map<number, boolean>();
    for (const [id, pr] of this.progressMap) {
      if (!pr.isLearner) votes.set(id, pr.recentActive);
    }
    return jointVoteResult(this.config.voters, votes) === 'VoteWon';
  }

  voterIds(): Set<number> {
    return jointIds(this.config.voters);
  }

  resetVotes(): void {
    this.votes = new Map();
  }

  /** Records a vote; the first vote from each id is the one that counts. */
  recordVote(id: number, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const [id, pr] of this.progressMap) {
      if (pr.isLearner) continue;
      const v = this.votes.get(id);
      if (v === undefined) continue;
      if (v) granted++;
      else rejected++;
    }
    return { granted, rejected, result: jointVoteResult(this.config.voters, this.votes) };
  }
}
