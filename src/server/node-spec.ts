// Everything needed to start one member, as plain data: what a host (in-process or in a worker)
// needs to build an EtcdServer. Serializable, so it crosses a postMessage unchanged.
import type { AgedFileSpec, FreelistType, LockMode } from '../mvcc/backend';
import type { AuthSettings } from './auth';
import type { ReadPath } from './etcd-server';
import type { UnsafeSetting } from '../scenario/schema';

/** The storage backend: lock mode, batch interval and limit, and what a commit costs. */
export interface BackendSpec {
  lockMode: LockMode;
  batchIntervalMs: number;
  batchLimit: number;
  /** bbolt's freelist: etcd 3.4's array, or the segregated hashmap (source article 002). */
  freelistType: FreelistType;
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
  /** etcd's --quota-backend-bytes: past it the member raises NOSPACE (quota.ts). */
  quotaBackendBytes: number;
  auth: AuthSettings;
  snapshotCount: number;
  /** Deliberately unsafe behaviours (scenario settings.unsafe); empty in a safe cluster. */
  unsafe: UnsafeSetting[];
  /** The scenario seed; each node's Raft randomness is a stream split from it. */
  seed: number;
  /** Start the backend's file aged (scenario setting agedFilePages); absent: a new file. */
  agedFile?: AgedFileSpec;
  /**
   * etcdctl snapshot restore: the store snapshot (checked) every member of the initial cluster
   * starts from on an empty disk, instead of an empty store (EtcdServer.restoredDisk).
   */
  restore?: Uint8Array;
}

/** What a member's data dir is restored from: its new cluster's members and a store snapshot. */
export interface RestoreFrom {
  initialCluster: readonly number[];
  snapshot: Uint8Array;
}

/** `spec` as a member of the new cluster `from` describes, starting from its snapshot. */
export function restoredSpec(spec: NodeSpec, from: RestoreFrom): NodeSpec {
  return { ...spec, initialCluster: [...from.initialCluster], restore: from.snapshot };
}
