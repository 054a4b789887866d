// Joint quorums: during a joint configuration both the incoming and the outgoing majority must
// agree, so the joint committed index is the smaller of the two and a vote needs both halves.
import { committedIndex, voteResult } from './majority';
import type { AckedIndexer, MajorityConfig, VoteResult } from './majority';

export interface JointConfig {
  incoming: Set<number>;
  /** Empty unless the configuration is joint. */
  outgoing: Set<number>;
}

export function jointCommittedIndex(c: JointConfig, acked: AckedIndexer): number {
  const a = committedIndex(c.incoming, acked);
  const b = committedIndex(c.outgoing, acked);
  return a < b ? a : b;
}

export function jointVoteResult(c: JointConfig, votes: ReadonlyMap<number, boolean>): VoteResult {
  const r1 = voteResult(c.incoming, votes);
  const r2 = voteResult(c.outgoing, votes);
  if (r1 === r2) return r1;
  if (r1 === 'VoteLost' || r2 === 'VoteLost') return 'VoteLost';
  return 'VotePending';
}

/** All voter ids of both halves. */
export function jointIds(c: JointConfig): Set<number> {
  const s = new Set<number>(c.incoming);
  for (const id of c.outgoing) s.add(id);
  return s;
}

export function isJoint(c: JointConfig): boolean {
  return c.outgoing.size > 0;
}

export type { MajorityConfig };
