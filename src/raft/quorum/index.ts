export { committedIndex, voteResult } from './majority';
export type { AckedIndexer, MajorityConfig, VoteResult } from './majority';
export { jointCommittedIndex, jointVoteResult, jointIds, isJoint } from './joint';
export type { JointConfig } from './joint';
