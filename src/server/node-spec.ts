// Everything needed to start one member, as plain data: what a host (in-process or in a worker)
// needs to build an EtcdServer. Serializable, so it crosses a postMessage unchanged.
import type { LockMode } from '../mvcc/backend';
import type { AuthSettings } from './auth';
import type { ReadPath } from './etcd-server';
import type { UnsafeSetting } from '../scenario/schema';

/** The storage backend: lock mode, batch interval and limit, and what a commit costs. */
export interface BackendSpec {
  lockMode: LockMode;
  batchIntervalMs: number;
  batchLimit: number;
  /**
   * The fixed cost of one backend commit (bbolt's tx.Commit fdatasyncs twice: the dirty pages,
   * then the meta page), from the member's disk; absent: the backend cost model's default.
   */
  commitBaseUs?: number;
}

export interface NodeSpec {
  id: number;
  initialCluster: number[];
  tickUs: number;
  electionTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  readPath: ReadPath;
  requestTimeoutUs: number;
  backend: BackendSpec;
  auth: AuthSettings;
  snapshotCount: number;
  /** Deliberately unsafe behaviours (scenario settings.unsafe); empty in a safe cluster. */
  unsafe: UnsafeSetting[];
  /** The scenario seed; each node's Raft randomness is a stream split from it. */
  seed: number;
}
