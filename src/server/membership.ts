// etcd 3.1+'s membership safety checks (--strict-reconfig-check, on by default), as pure
// functions of what the leader knows: who the voters and learners are, which members have ever
// started, and which it has heard from recently. They refuse a change that would leave the
// cluster without a working quorum, before it is proposed.
import type { ServerErrorName } from './errors';

/** etcd's HealthInterval: a peer heard from within this long counts as active. */
export const HEALTH_INTERVAL_US = 5_000_000;
/** etcd's readyPercent: a learner may be promoted once its log is within 90% of the leader's. */
export const LEARNER_READY_PERCENT = 0.9;

export interface MembershipView {
  self: number;
  voters: readonly number[];
  learners: readonly number[];
  /** Members that have started at least once (etcd: published their attributes). */
  started: ReadonlySet<number>;
  /** When each peer was last heard from, in simulated microseconds. */
  lastHeardUs: ReadonlyMap<number, number>;
  nowUs: number;
}

function active(v: MembershipView, id: number): boolean {
  if (id === v.self) return true;
  const t = v.lastHeardUs.get(id);
  return t !== undefined && v.nowUs - t <= HEALTH_INTERVAL_US;
}

/** etcd's mayAddMember. Undefined: allowed. */
export function checkAdd(
  v: MembershipView,
  id: number,
  isLearner: boolean,
): ServerErrorName | undefined {
  if (v.voters.includes(id) || v.learners.includes(id)) return 'MemberExist';
  if (!isLearner) {
    // IsReadyToAddVotingMember: with the new member counted, enough must have started for a
    // quorum even if the new one never does.
    const nmembers = v.voters.length + 1;
    const nstarted = v.voters.filter((m) => v.started.has(m)).length;
    const oneToTwo = nstarted === 1 && nmembers === 2;
    if (!oneToTwo && nstarted < Math.floor(nmembers / 2) + 1) return 'NotEnoughStartedMembers';
  }
  // isConnectedFullySince: every voter must be active.
  if (!v.voters.every((m) => active(v, m))) return 'Unhealthy';
  return undefined;
}

/** etcd's mayRemoveMember. Undefined: allowed. */
export function checkRemove(v: MembershipView, id: number): ServerErrorName | undefined {
  if (!v.voters.includes(id) && !v.learners.includes(id)) return 'MemberNotFound';
  if (v.learners.includes(id)) return undefined; // a learner is never part of the quorum
  // IsReadyToRemoveVotingMember: the rest must have enough started members for a quorum.
  const rest = v.voters.filter((m) => m !== id);
  const nstarted = rest.filter((m) => v.started.has(m)).length;
  if (nstarted < Math.floor(rest.length / 2) + 1) return 'NotEnoughStartedMembers';
  // A member that is down is safe to remove: it is not part of the active quorum.
  if (id !== v.self && !active(v, id)) return undefined;
  // Protect the quorum: after the removal, the active members must still be a quorum of it.
  const activeCount = v.voters.filter((m) => active(v, m)).length;
  if (activeCount - 1 < 1 + Math.floor((v.voters.length - 1) / 2)) return 'Unhealthy';
  return undefined;
}

/** etcd's mayPromoteMember (isLearnerReady, then IsReadyToPromoteMember). */
export function checkPromote(
  v: MembershipView,
  id: number,
  leaderMatch: number,
  learnerMatch: number,
): ServerErrorName | undefined {
  if (!v.voters.includes(id) && !v.learners.includes(id)) return 'MemberNotFound';
  if (!v.learners.includes(id)) return 'MemberNotLearner';
  if (learnerMatch < leaderMatch * LEARNER_READY_PERCENT) return 'LearnerNotReady';
  const nmembers = v.voters.length + 1;
  const nstarted = v.voters.filter((m) => v.started.has(m)).length + (v.started.has(id) ? 1 : 0);
  if (nstarted < Math.floor(nmembers / 2) + 1) return 'NotEnoughStartedMembers';
  return undefined;
}
