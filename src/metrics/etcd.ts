// etcd 3.4's metric names, types, help strings and histogram buckets, as a real etcd 3.4.23
// serves them on /metrics (checked against `curl 127.0.0.1:2379/metrics`) and as its sources
// declare them (etcdserver/metrics.go, wal/metrics.go, mvcc/backend/metrics.go, mvcc/metrics.go,
// etcdserver/api/rafthttp/metrics.go).
import { exponentialBuckets } from './histogram';

export interface MetricInfo {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
}

function m(name: string, type: MetricInfo['type'], help: string): MetricInfo {
  return { name, type, help };
}

export const ETCD = {
  hasLeader: m(
    'etcd_server_has_leader',
    'gauge',
    'Whether or not a leader exists. 1 is existence, 0 is not.',
  ),
  isLeader: m(
    'etcd_server_is_leader',
    'gauge',
    'Whether or not this member is a leader. 1 if is, 0 otherwise.',
  ),
  isLearner: m(
    'etcd_server_is_learner',
    'gauge',
    'Whether or not this member is a learner. 1 if is, 0 otherwise.',
  ),
  leaderChanges: m(
    'etcd_server_leader_changes_seen_total',
    'counter',
    'The number of leader changes seen.',
  ),
  proposalsCommitted: m(
    'etcd_server_proposals_committed_total',
    'gauge',
    'The total number of consensus proposals committed.',
  ),
  proposalsApplied: m(
    'etcd_server_proposals_applied_total',
    'gauge',
    'The total number of consensus proposals applied.',
  ),
  proposalsPending: m(
    'etcd_server_proposals_pending',
    'gauge',
    'The current number of pending proposals to commit.',
  ),
  proposalsFailed: m(
    'etcd_server_proposals_failed_total',
    'counter',
    'The total number of failed proposals seen.',
  ),
  readIndexesFailed: m(
    'etcd_server_read_indexes_failed_total',
    'counter',
    'The total number of failed read indexes seen.',
  ),
  slowReadIndexes: m(
    'etcd_server_slow_read_indexes_total',
    'counter',
    "The total number of pending read indexes not in sync with leader's or timed out read index requests.",
  ),
  slowApply: m(
    'etcd_server_slow_apply_total',
    'counter',
    'The total number of slow apply requests (likely overloaded from slow disk).',
  ),
  serverId: m(
    'etcd_server_id',
    'gauge',
    "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.",
  ),
  version: m(
    'etcd_server_version',
    'gauge',
    "Which version is running. 1 for 'server_version' label with current version.",
  ),
  quotaBackendBytes: m(
    'etcd_server_quota_backend_bytes',
    'gauge',
    'Current backend storage quota size in bytes.',
  ),
  walFsync: m(
    'etcd_disk_wal_fsync_duration_seconds',
    'histogram',
    'The latency distributions of fsync called by WAL.',
  ),
  backendCommit: m(
    'etcd_disk_backend_commit_duration_seconds',
    'histogram',
    'The latency distributions of commit called by backend.',
  ),
  peerRtt: m(
    'etcd_network_peer_round_trip_time_seconds',
    'histogram',
    'Round-Trip-Time histogram between peers.',
  ),
  dbTotalSize: m(
    'etcd_mvcc_db_total_size_in_bytes',
    'gauge',
    'Total size of the underlying database physically allocated in bytes.',
  ),
  dbInUseSize: m(
    'etcd_mvcc_db_total_size_in_use_in_bytes',
    'gauge',
    'Total size of the underlying database logically in use in bytes.',
  ),
  putTotal: m('etcd_mvcc_put_total', 'counter', 'Total number of puts seen by this member.'),
  deleteTotal: m(
    'etcd_mvcc_delete_total',
    'counter',
    'Total number of deletes seen by this member.',
  ),
  rangeTotal: m('etcd_mvcc_range_total', 'counter', 'Total number of ranges seen by this member.'),
  txnTotal: m('etcd_mvcc_txn_total', 'counter', 'Total number of txns seen by this member.'),
  currentRevision: m(
    'etcd_debugging_mvcc_current_revision',
    'gauge',
    'The current revision of store.',
  ),
  compactRevision: m(
    'etcd_debugging_mvcc_compact_revision',
    'gauge',
    'The revision of the last compaction in store.',
  ),
} as const;

/** wal/metrics.go and mvcc/backend/metrics.go: 1 ms to 8.192 s. */
export const DISK_DURATION_BUCKETS = exponentialBuckets(0.001, 2, 14);
/** rafthttp/metrics.go: 0.1 ms to 0.8192 s. */
export const PEER_RTT_BUCKETS = exponentialBuckets(0.0001, 2, 14);

/** etcd's DefaultQuotaBytes (2 GiB), what --quota-backend-bytes 0 means. */
export const DEFAULT_QUOTA_BACKEND_BYTES = 2 * 1024 * 1024 * 1024;

/** etcd's warnApplyDuration: an apply slower than this counts as a slow apply. */
export const WARN_APPLY_US = 100_000;
