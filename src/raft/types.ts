// The wire and state types of the Raft core, shaped like etcd-io/raft's raftpb so that an etcd
// user recognizes every field. Node ids are positive integers; 0 means "none".

/** Message types, with the exact string values etcd's raftpb.MessageType prints. */
export const MessageType = {
  MsgHup: 'MsgHup',
  MsgBeat: 'MsgBeat',
  MsgProp: 'MsgProp',
  MsgApp: 'MsgApp',
  MsgAppResp: 'MsgAppResp',
  MsgVote: 'MsgVote',
  MsgVoteResp: 'MsgVoteResp',
  MsgSnap: 'MsgSnap',
  MsgHeartbeat: 'MsgHeartbeat',
  MsgHeartbeatResp: 'MsgHeartbeatResp',
  MsgUnreachable: 'MsgUnreachable',
  MsgSnapStatus: 'MsgSnapStatus',
  MsgCheckQuorum: 'MsgCheckQuorum',
  MsgTransferLeader: 'MsgTransferLeader',
  MsgTimeoutNow: 'MsgTimeoutNow',
  MsgReadIndex: 'MsgReadIndex',
  MsgReadIndexResp: 'MsgReadIndexResp',
  MsgPreVote: 'MsgPreVote',
  MsgPreVoteResp: 'MsgPreVoteResp',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export type EntryType = 'EntryNormal' | 'EntryConfChange' | 'EntryConfChangeV2';

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

export interface ConfState {
  /** Voters of the incoming (or only) configuration. */
  voters: number[];
  learners: number[];
  /** Voters of the outgoing configuration; non-empty only in a joint configuration. */
  votersOutgoing: number[];
  /** Voters of the outgoing config that become learners when the joint config is left. */
  learnersNext: number[];
  /** Whether the leader leaves the joint configuration by itself once it is applied. */
  autoLeave: boolean;
}

export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

export interface Snapshot {
  data: Uint8Array;
  metadata: SnapshotMetadata;
}

export interface HardState {
  term: number;
  vote: number;
  commit: number;
}

export type StateType = 'StateFollower' | 'StateCandidate' | 'StateLeader' | 'StatePreCandidate';

export interface SoftState {
  lead: number;
  raftState: StateType;
}

export interface Message {
  type: MessageType;
  to: number;
  from: number;
  term: number;
  /** MsgApp: term of the entry at `index`; MsgVote: candidate's last term; rejection: hint term. */
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  snapshot?: Snapshot;
  reject: boolean;
  rejectHint: number;
  context?: Uint8Array;
}

/** What `step` accepts: a message whose unset fields default to zero values. */
export type MessageInput = Partial<Message> & Pick<Message, 'type'>;

export type ConfChangeType =
  | 'ConfChangeAddNode'
  | 'ConfChangeRemoveNode'
  | 'ConfChangeUpdateNode'
  | 'ConfChangeAddLearnerNode';

/** A single membership change (etcd's ConfChange, "v1"). */
export interface ConfChange {
  type: ConfChangeType;
  nodeId: number;
  context?: Uint8Array;
}

export interface ConfChangeSingle {
  type: ConfChangeType;
  nodeId: number;
}

export type ConfChangeTransition =
  | 'ConfChangeTransitionAuto'
  | 'ConfChangeTransitionJointImplicit'
  | 'ConfChangeTransitionJointExplicit';

/** A joint-capable membership change; an empty one leaves a joint configuration. */
export interface ConfChangeV2 {
  transition: ConfChangeTransition;
  changes: ConfChangeSingle[];
  context?: Uint8Array;
}

export interface ReadState {
  index: number;
  requestCtx: Uint8Array;
}

/**
 * Everything the application must do before calling `advance`: persist `hardState`, `entries`
 * and `snapshot`, then send `messages`, apply `committedEntries`, serve `readStates`.
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  readStates: ReadState[];
  entries: Entry[];
  snapshot?: Snapshot;
  committedEntries: Entry[];
  messages: Message[];
  /** Whether hardState/entries must be fsynced before the messages go out. */
  mustSync: boolean;
}

export type ProgressStateType = 'StateProbe' | 'StateReplicate' | 'StateSnapshot';

/** The leader's view of one peer, as reported by `status()`. */
export interface Progress {
  match: number;
  next: number;
  state: ProgressStateType;
  inflight: number;
}

export interface Status {
  id: number;
  term: number;
  vote: number;
  commit: number;
  lead: number;
  applied: number;
  raftState: StateType;
  /** Present on the leader only, keyed by node id. */
  progress?: Record<number, Progress>;
  electionElapsed: number;
  heartbeatElapsed: number;
  randomizedElectionTimeout: number;
}

export type ReadOnlyOption = 'safe' | 'lease-based';
