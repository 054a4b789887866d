// Errors the core throws. Each says what was wrong; the classes let callers tell them apart.

/** A proposal was dropped: no known leader, a leadership transfer, or the node was removed. */
export class ProposalDroppedError extends Error {
  constructor(reason: string) {
    super(`raft proposal dropped: ${reason}`);
    this.name = 'ProposalDroppedError';
  }
}

/** The requested index predates the storage's first index (it was compacted into a snapshot). */
export class CompactedError extends Error {
  constructor(index: number, firstIndex: number) {
    super(`requested index ${index} is unavailable due to compaction (first index ${firstIndex})`);
    this.name = 'CompactedError';
  }
}

/** The requested index is past the storage's last index. */
export class UnavailableError extends Error {
  constructor(index: number, lastIndex: number) {
    super(`requested entry at index ${index} is unavailable (last index ${lastIndex})`);
    this.name = 'UnavailableError';
  }
}

/** A snapshot older than the one already held was offered. */
export class SnapshotOutOfDateError extends Error {
  constructor(index: number, current: number) {
    super(`requested snapshot index ${index} is older than the existing snapshot (${current})`);
    this.name = 'SnapshotOutOfDateError';
  }
}

/** Storage cannot produce a snapshot right now; raft retries later. */
export class SnapshotTemporarilyUnavailableError extends Error {
  constructor() {
    super('snapshot is temporarily unavailable');
    this.name = 'SnapshotTemporarilyUnavailableError';
  }
}

/** A local-only message (MsgHup, MsgBeat, ...) arrived through `step` from the network. */
export class StepLocalMsgError extends Error {
  constructor(type: string) {
    super(`raft: cannot step raft local message ${type}`);
    this.name = 'StepLocalMsgError';
  }
}

/** A response arrived from a node that is not in the configuration. */
export class StepPeerNotFoundError extends Error {
  constructor(type: string, from: number) {
    super(`raft: cannot step ${type} as peer ${from} not found`);
    this.name = 'StepPeerNotFoundError';
  }
}
