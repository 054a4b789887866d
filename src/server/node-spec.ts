// Everything needed to start one member, as plain data: what a host (in-process or in a worker)
// needs to build an EtcdServer. Serializable, so it crosses a postMessage unchanged.
import type { LockMode } from '../mvcc/backend';
import type { AuthSettings } from './auth';
import type { ReadPath } from './etcd-server';
import type { UnsafeSetting } from '../scenario/schema';

export interface NodeSpec {
  id: number;
  initialCluster: number[];
  tickUs: number;
  electionTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  readPath: ReadPath;
  requestTimeoutUs: number;
  backend: { lockMode: LockMode; batchIntervalMs: number; batchLimit: number };
  auth: AuthSettings;
  snapshotCount: number;
  /** Deliberately unsafe behaviours (scenario settings.unsafe); empty in a safe cluster. */
  unsafe: UnsafeSetting[];
  /** The scenario seed; each node's Raft randomness is a stream split from it. */
  seed: number;
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
