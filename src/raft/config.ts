// RaftConfig: what a node is started with. Membership is not here: it comes from the storage's
// ConfState, as in etcd.
import type { Storage } from './storage';
import type { ReadOnlyOption } from './types';

export interface RaftConfig {
  /** This node's id: a positive integer. */
  id: number;
  /**
   * Ticks a follower waits without hearing from a leader before campaigning; the actual timeout
   * is drawn from [electionTick, 2 * electionTick) on every state change.
   */
  electionTick: number;
  /** Ticks between the leader's heartbeats; must be less than electionTick. */
  heartbeatTick: number;
  storage: Storage;
  /** The last applied index when restarting (entries up to it are not handed out again). */
  applied?: number;
  /**
   * Byte limit of each MsgApp (at least one entry is always sent). Unset: no limit. 0: one entry
   * per message, as in etcd.
   */
  maxSizePerMsg?: number;
  /** Byte limit of committed entries per Ready; defaults to maxSizePerMsg (no limit if 0). */
  maxCommittedSizePerReady?: number;
  /** Messages in flight per follower in StateReplicate. Default 256. */
  maxInflightMsgs?: number;
  /** Payload bytes in flight per follower. Default: no limit. */
  maxInflightBytes?: number;
  /** Leader steps down without a quorum's contact per election timeout; followers keep a lease. */
  checkQuorum?: boolean;
  /** Run a pre-election that does not bump terms, so a rejoining node cannot disrupt. */
  preVote?: boolean;
  /** 'safe' (default): ReadIndex confirms leadership with a heartbeat round. */
  readOnlyOption?: ReadOnlyOption;
  /** Followers drop proposals instead of forwarding them to the leader. */
  disableProposalForwarding?: boolean;
  /**
   * A leader removed from (or demoted in) the configuration steps down when it applies the
   * change. Default true, as in current etcd-io/raft; false keeps it leading (without being a
   * member) until a new leader appears, as etcd did before.
   */
  stepDownOnRemoval?: boolean;
  /**
   * UNSAFE, for teaching only (raftlab's `figure8-commit`): commit an entry of an earlier term
   * once a quorum holds it, as the Raft paper's Figure 8 shows must not be done, and append no
   * empty entry on election (which would otherwise commit the old entries safely). Default false.
   */
  unsafeCommitEarlierTerms?: boolean;
  /** The only source of randomness: returns a number in [0, 1). Seed it for reproducible runs. */
  rand: () => number;
}

/** What a running node may change (Raft.reconfigure): omitted fields stay as they are. */
export interface Reconfig {
  electionTick?: number;
  checkQuorum?: boolean;
  preVote?: boolean;
  readOnlyOption?: ReadOnlyOption;
}

export interface ValidConfig {
  id: number;
  electionTick: number;
  heartbeatTick: number;
  storage: Storage;
  applied: number;
  maxSizePerMsg: number;
  maxCommittedSizePerReady: number;
  maxInflightMsgs: number;
  maxInflightBytes: number;
  checkQuorum: boolean;
  preVote: boolean;
  readOnlyOption: ReadOnlyOption;
  disableProposalForwarding: boolean;
  stepDownOnRemoval: boolean;
  unsafeCommitEarlierTerms: boolean;
  rand: () => number;
}

const isPositiveInt = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 0;

/** Checks the config and fills in defaults; throws an error naming the bad field. */
export function validateConfig(c: RaftConfig): ValidConfig {
  if (!isPositiveInt(c.id)) throw new Error(`config.id must be a positive integer, got ${c.id}`);
  if (!isPositiveInt(c.heartbeatTick)) {
    throw new Error(`config.heartbeatTick must be a positive integer, got ${c.heartbeatTick}`);
  }
  if (!Number.isInteger(c.electionTick) || c.electionTick <= c.heartbeatTick) {
    throw new Error(
      `config.electionTick (${c.electionTick}) must be an integer greater than heartbeatTick (${c.heartbeatTick})`,
    );
  }
  if (c.storage === undefined || c.storage === null) throw new Error('config.storage is required');
  if (typeof c.rand !== 'function') {
    throw new Error('config.rand must be a function returning numbers in [0, 1)');
  }
  const applied = c.applied ?? 0;
  if (!Number.isInteger(applied) || applied < 0) {
    throw new Error(`config.applied must be a non-negative integer, got ${applied}`);
  }
  const maxSizePerMsg = c.maxSizePerMsg ?? Infinity;
  if (!(maxSizePerMsg >= 0))
    throw new Error(`config.maxSizePerMsg must be >= 0, got ${maxSizePerMsg}`);
  let maxCommitted = c.maxCommittedSizePerReady ?? maxSizePerMsg;
  if (maxCommitted === 0) maxCommitted = Infinity;
  const maxInflightMsgs = c.maxInflightMsgs ?? 256;
  if (!isPositiveInt(maxInflightMsgs)) {
    throw new Error(`config.maxInflightMsgs must be a positive integer, got ${maxInflightMsgs}`);
  }
  const maxInflightBytes =
    c.maxInflightBytes === undefined || c.maxInflightBytes === 0 ? Infinity : c.maxInflightBytes;
  if (maxInflightBytes < maxSizePerMsg && maxInflightBytes !== Infinity) {
    throw new Error('config.maxInflightBytes must be >= maxSizePerMsg');
  }
  const readOnlyOption = c.readOnlyOption ?? 'safe';
  if (readOnlyOption !== 'safe' && readOnlyOption !== 'lease-based') {
    throw new Error(
      `config.readOnlyOption must be 'safe' or 'lease-based', got ${String(readOnlyOption)}`,
    );
  }
  const checkQuorum = c.checkQuorum ?? false;
  if (readOnlyOption === 'lease-based' && !checkQuorum) {
    throw new Error("config.checkQuorum must be enabled when readOnlyOption is 'lease-based'");
  }
  return {
    id: c.id,
    electionTick: c.electionTick,
    heartbeatTick: c.heartbeatTick,
    storage: c.storage,
    applied,
    maxSizePerMsg,
    maxCommittedSizePerReady: maxCommitted,
    maxInflightMsgs,
    maxInflightBytes,
    checkQuorum,
    preVote: c.preVote ?? false,
    readOnlyOption,
    disableProposalForwarding: c.disableProposalForwarding ?? false,
    stepDownOnRemoval: c.stepDownOnRemoval ?? true,
    unsafeCommitEarlierTerms: c.unsafeCommitEarlierTerms ?? false,
    rand: c.rand,
  };
}
