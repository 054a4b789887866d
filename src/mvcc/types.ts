// Requests and responses in the shape of etcd's v3 API as its JSON gateway spells it: snake_case
// field names, keys and values as Uint8Array, revisions and counts as numbers, enums by their
// etcd names.
//
// How fields are present (the gateway's JSON omits every zero value, so it cannot tell "absent"
// from "zero"; the objects here follow etcd's Go structs instead):
// - Scalars and lists that always exist in etcd's responses are always present, with their zero
//   value when zero: RangeResponse.kvs (possibly []), .more, .count; DeleteRangeResponse.deleted;
//   TxnResponse.succeeded, .responses; KeyValue's six fields (value is an empty Uint8Array for
//   keys_only and for a DELETE event's kv, whose create_revision/version/lease are 0);
//   WatchResponse.events; LeaseLeasesResponse.leases.
// - What etcd leaves nil is absent: PutResponse.prev_kv (unless prev_kv was asked for and the key
//   existed), DeleteRangeResponse.prev_kvs (unless asked for and something was deleted),
//   Event.prev_kv, WatchResponse.canceled / compact_revision (only on a compacted watch),
//   LeaseTimeToLiveResponse.keys (unless asked for and the lease has keys).
// - ResponseHeader carries only `revision`: cluster_id, member_id and raft_term are the
//   server's. A nested txn's header is { revision: 0 } (etcd 3.4 answers "header": {}), and so is
//   a compacted watch's (etcd sends no revision there).
// - Byte arrays in responses are shared with the store: treat them as read-only. Inputs are
//   copied, so a caller may reuse its buffers.

export type SortOrder = 'NONE' | 'ASCEND' | 'DESCEND';
export type SortTarget = 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';
export type CompareResult = 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
export type CompareTarget = 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';
export type EventType = 'PUT' | 'DELETE';
export type WatchFilter = 'NOPUT' | 'NODELETE';

export interface ResponseHeader {
  revision: number;
}

export interface KeyValue {
  key: Uint8Array;
  create_revision: number;
  mod_revision: number;
  version: number;
  value: Uint8Array;
  lease: number;
}

export interface RangeRequest {
  key: Uint8Array;
  range_end?: Uint8Array;
  limit?: number;
  revision?: number;
  sort_order?: SortOrder;
  sort_target?: SortTarget;
  /** Accepted and ignored: the store is always local; linearizability is the server's. */
  serializable?: boolean;
  keys_only?: boolean;
  count_only?: boolean;
  min_mod_revision?: number;
  max_mod_revision?: number;
  min_create_revision?: number;
  max_create_revision?: number;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

export interface PutRequest {
  key: Uint8Array;
  value?: Uint8Array;
  lease?: number;
  prev_kv?: boolean;
  ignore_value?: boolean;
  ignore_lease?: boolean;
}

export interface PutResponse {
  header: ResponseHeader;
  prev_kv?: KeyValue;
}

export interface DeleteRangeRequest {
  key: Uint8Array;
  range_end?: Uint8Array;
  prev_kv?: boolean;
}

export interface DeleteRangeResponse {
  header: ResponseHeader;
  deleted: number;
  prev_kvs?: KeyValue[];
}

/**
 * A txn compare. result defaults to 'EQUAL' and target to 'VERSION' (the proto zero values); the
 * operand is the field named by the target (version, create_revision, mod_revision, value,
 * lease), 0 or empty when missing, as etcd's TargetUnion.
 */
export interface Compare {
  result?: CompareResult;
  target?: CompareTarget;
  key: Uint8Array;
  range_end?: Uint8Array;
  version?: number;
  create_revision?: number;
  mod_revision?: number;
  value?: Uint8Array;
  lease?: number;
}

export type RequestOp =
  | { request_range: RangeRequest }
  | { request_put: PutRequest }
  | { request_delete_range: DeleteRangeRequest }
  | { request_txn: TxnRequest };

export type ResponseOp =
  | { response_range: RangeResponse }
  | { response_put: PutResponse }
  | { response_delete_range: DeleteRangeResponse }
  | { response_txn: TxnResponse };

export interface TxnRequest {
  compare?: Compare[];
  success?: RequestOp[];
  failure?: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface CompactionRequest {
  revision: number;
  /** Accepted; compaction here is always complete when compact() returns. */
  physical?: boolean;
}

export interface CompactionResponse {
  header: ResponseHeader;
}

export interface LeaseGrantRequest {
  TTL: number;
  /** 0 or absent: the store picks an unused ID (etcd's server picks one from its ID generator). */
  ID?: number;
}

export interface LeaseGrantResponse {
  header: ResponseHeader;
  ID: number;
  TTL: number;
}

export interface LeaseRevokeRequest {
  ID: number;
}

export interface LeaseRevokeResponse {
  header: ResponseHeader;
}

export interface LeaseKeepAliveRequest {
  ID: number;
}

export interface LeaseKeepAliveResponse {
  header: ResponseHeader;
  ID: number;
  /** The granted TTL after renewal; 0 when the lease does not exist (etcd's keepalive stream). */
  TTL: number;
}

export interface LeaseTimeToLiveRequest {
  ID: number;
  keys?: boolean;
}

export interface LeaseTimeToLiveResponse {
  header: ResponseHeader;
  ID: number;
  /** Remaining seconds, truncated; -1 when the lease does not exist. */
  TTL: number;
  grantedTTL: number;
  /** Keys attached to the lease, in byte order (etcd lists them in map order). */
  keys?: Uint8Array[];
}

export interface LeaseStatus {
  ID: number;
}

export interface LeaseLeasesResponse {
  header: ResponseHeader;
  leases: LeaseStatus[];
}

export interface WatchRequest {
  key: Uint8Array;
  range_end?: Uint8Array;
  /** 0 or absent: from the next revision (only new events). */
  start_revision?: number;
  prev_kv?: boolean;
  filters?: WatchFilter[];
}

export interface Event {
  type: EventType;
  kv: KeyValue;
  prev_kv?: KeyValue;
}

export interface WatchResponse {
  header: ResponseHeader;
  canceled?: boolean;
  compact_revision?: number;
  events: Event[];
}

export interface Watcher {
  /** Stops delivery; later writes call onResponse no more. Idempotent. */
  cancel(): void;
}

export interface HashKVResponse {
  /** CRC-32C as etcd's HashByRev computes it over the key bucket. */
  hash: number;
  /** The store's compacted revision (-1 before any compaction, as etcd's compactMainRev). */
  compact_revision: number;
}
