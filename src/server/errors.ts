// The server-level errors an etcd 3.4 client can see, with their gRPC codes, from etcd's
// api/v3rpc/rpctypes. Store-level errors (compacted, lease not found, ...) come from src/mvcc.
import { EtcdError } from '../mvcc/errors';

export const GrpcUnavailable = 14;
export const GrpcFailedPrecondition = 9;
export const GrpcNotFound = 5;
export const GrpcUnknown = 2;
export const GrpcResourceExhausted = 8;

const SERVER_ERRORS = {
  NoLeader: ['etcdserver: no leader', GrpcUnavailable],
  NotLeader: ['etcdserver: not leader', GrpcFailedPrecondition],
  LeaderChanged: ['etcdserver: leader changed', GrpcUnavailable],
  Stopped: ['etcdserver: server stopped', GrpcUnavailable],
  Timeout: ['etcdserver: request timed out', GrpcUnavailable],
  TimeoutDueToLeaderFail: [
    'etcdserver: request timed out, possibly due to previous leader failure',
    GrpcUnavailable,
  ],
  // Not in rpctypes' table, so a client sees it with gRPC code Unknown.
  TimeoutLeaderTransfer: [
    'etcdserver: request timed out, leader transfer took too long',
    GrpcUnknown,
  ],
  Unhealthy: ['etcdserver: unhealthy cluster', GrpcUnavailable],
  NotEnoughStartedMembers: [
    'etcdserver: re-configuration failed due to not enough started members',
    GrpcFailedPrecondition,
  ],
  MemberNotFound: ['etcdserver: member not found', GrpcNotFound],
  MemberExist: ['etcdserver: member ID already exist', GrpcFailedPrecondition],
  MemberNotLearner: ['etcdserver: can only promote a learner member', GrpcFailedPrecondition],
  LearnerNotReady: [
    'etcdserver: can only promote a learner member which is in sync with leader',
    GrpcFailedPrecondition,
  ],
  BadLeaderTransferee: ['etcdserver: bad leader transferee', GrpcFailedPrecondition],
  NotSupportedForLearner: ['etcdserver: rpc not supported for learner', GrpcUnavailable],
  // The space quota (quota.ts): refused before proposing, or applied and then answered so.
  NoSpace: ['etcdserver: mvcc: database space exceeded', GrpcResourceExhausted],
} as const satisfies Record<string, readonly [string, number]>;

export type ServerErrorName = keyof typeof SERVER_ERRORS;

export function serverError(name: ServerErrorName): EtcdError {
  const [message, code] = SERVER_ERRORS[name];
  return new EtcdError(message, code);
}

/**
 * Whether a failed call's error says for certain that it never reached the log: refused before
 * it was proposed (no leader, a dropped proposal, a stopped member). Any other failure, a timeout
 * above all, may still have been applied. (A call that never reached a member is the caller's
 * to know: the session marks those itself.)
 */
export function definitelyNotApplied(message: string): boolean {
  return (
    message === SERVER_ERRORS.NoLeader[0] ||
    message === SERVER_ERRORS.LeaderChanged[0] ||
    message === SERVER_ERRORS.Stopped[0]
  );
}
