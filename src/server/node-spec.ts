// Everything needed to start one member, as plain data: what a host (in-process or in a worker)
// needs to build an EtcdServer. Serializable, so it crosses a postMessage unchanged.
import type { FreelistType, LockMode } from '../mvcc/backend';
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
  backend: {
    lockMode: LockMode;
    batchIntervalMs: number;
    batchLimit: number;
    freelistType: FreelistType;
  };
  /** etcd's --quota-backend-bytes: past it the member raises NOSPACE (quota.ts). */
  quotaBackendBytes: number;
  auth: AuthSettings;
  snapshotCount: number;
  /** Deliberately unsafe behaviours (scenario settings.unsafe); empty in a safe cluster. */
  unsafe: UnsafeSetting[];
  /** The scenario seed; each node's Raft randomness is a stream split from it. */
  seed: number;
}
