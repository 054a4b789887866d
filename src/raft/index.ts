/**
 * raftlab's Raft core: a complete, deterministic Raft consensus state machine shaped like
 * etcd-io/raft, so that every etcd user recognizes each message and state.
 *
 * It does no I/O and reads no clock: time is `tick()`, randomness is `config.rand`, and all
 * output is handed out in a `Ready`. Usage (etcd's RawNode loop):
 *
 * ```ts
 * const storage = new MemoryStorage({ confState: { voters: [1, 2, 3] } });
 * const node = new RawNode({ id: 1, electionTick: 10, heartbeatTick: 1, storage, rand });
 * // on each tick: node.tick(); on each message from a peer: node.step(m);
 * while (node.hasReady()) {
 *   const rd = node.ready();
 *   if (rd.snapshot) storage.applySnapshot(rd.snapshot);
 *   storage.append(rd.entries);
 *   if (rd.hardState) storage.setHardState(rd.hardState);
 *   send(rd.messages);                      // only after the writes above are durable
 *   for (const e of rd.committedEntries) apply(e); // conf changes: node.applyConfChange(cc)
 *   node.advance(rd);
 * }
 * ```
 *
 * Faithful to etcd-io/raft where observable: a new leader appends an empty entry; the randomized
 * election timeout is redrawn on every reset (in [electionTick, 2 * electionTick)); a leader's own
 * entries and a candidate's own vote count only after the Ready that persists them is advanced;
 * PreVote, CheckQuorum with leases, fast log backtracking, probe/replicate/snapshot flow control,
 * ReadIndex (safe and lease-based), leadership transfer, snapshots, and single-step and joint
 * membership changes (learners, auto-leave, one pending change at a time).
 *
 * See README.md in this folder for the Ready/advance contract, defaults and benchmark figures.
 *
 * Layout: raft.ts (the state machine and its step functions), rawnode.ts (Ready/advance),
 * log.ts + log_unstable.ts (the log), storage.ts (Storage, MemoryStorage), tracker/ (progress and
 * inflights), quorum/ (majority and joint arithmetic), confchange/ (membership changes),
 * read_only.ts (ReadIndex queue).
 *
 * @module
 */
export { RawNode } from './rawnode';
export { MemoryStorage, emptySnapshot, isEmptySnap } from './storage';
export type { Storage } from './storage';
export {
  ProposalDroppedError,
  CompactedError,
  UnavailableError,
  SnapshotOutOfDateError,
  SnapshotTemporarilyUnavailableError,
  StepLocalMsgError,
  StepPeerNotFoundError,
} from './errors';
export { decodeConfChange, encodeConfChange } from './confchange';
export { MessageType } from './types';
export type {
  ConfChange,
  ConfChangeSingle,
  ConfChangeTransition,
  ConfChangeType,
  ConfChangeV2,
  ConfState,
  Entry,
  EntryType,
  HardState,
  Message,
  MessageInput,
  Progress,
  ProgressStateType,
  ReadOnlyOption,
  ReadState,
  Ready,
  Snapshot,
  SnapshotMetadata,
  SoftState,
  StateType,
  Status,
} from './types';
export type { RaftConfig, Reconfig } from './config';
