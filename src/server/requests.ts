// What clients ask a node, and what it answers: etcd's v3 API in the shape of its JSON gateway
// (the same request and response objects as src/mvcc), plus the cluster and maintenance calls.
// A request names its method in `method`, as the gateway path does (/v3/kv/put -> 'put').
import type {
  CompactionRequest,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseKeepAliveRequest,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeRequest,
  LeaseRevokeResponse,
  LeaseTimeToLiveRequest,
  LeaseTimeToLiveResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  ResponseHeader,
  TxnRequest,
  TxnResponse,
  WatchRequest,
  WatchResponse,
} from '../mvcc/types';
import type { NodeSpec } from './node-spec';
import type { AlarmRequest, AlarmResponse } from './quota';

/** The header a server puts on every top-level response (the store's has only the revision). */
export interface ServerResponseHeader extends ResponseHeader {
  cluster_id: number;
  member_id: number;
  raft_term: number;
}

export interface Member {
  ID: number;
  name: string;
  isLearner?: boolean;
}

export interface MemberListResponse {
  header: ResponseHeader;
  members: Member[];
}

export interface MemberAddRequest {
  /** The new member's id (the gateway's peerURLs stand in as the id here: nodes are numbered). */
  ID: number;
  isLearner?: boolean;
}

export interface MemberAddResponse {
  header: ResponseHeader;
  member: Member;
  members: Member[];
}

export interface MemberIdRequest {
  ID: number;
}

export interface MemberChangeResponse {
  header: ResponseHeader;
  members: Member[];
}

export interface MoveLeaderRequest {
  targetID: number;
}

export interface StatusResponse {
  header: ResponseHeader;
  version: string;
  dbSize: number;
  leader: number;
  raftIndex: number;
  raftTerm: number;
  raftAppliedIndex: number;
  /** The active alarms, as etcd's AlarmMember.String() prints them. */
  errors?: string[];
  /** The backend's bytes in use (dbSize less its free pages). */
  dbSizeInUse: number;
  isLearner: boolean;
}

/**
 * Operator-only: settings changed while the cluster runs (the playground's set-timing,
 * set-read-path, set-backend and set-auth actions), or, to a node starting again, the settings
 * it missed while down. Fields as in the node's spec; omitted ones stay as they are.
 */
export type ConfigureRequest = Partial<
  Pick<
    NodeSpec,
    | 'tickUs'
    | 'electionTicks'
    | 'preVote'
    | 'checkQuorum'
    | 'readPath'
    | 'requestTimeoutUs'
    | 'backend'
    | 'auth'
    | 'quotaBackendBytes'
  >
>;

/** etcd's WatchCancelRequest: the watch to end, by the id its created response gave. */
export interface WatchCancelRequest {
  watch_id: number;
}

/**
 * One response on a watch stream (etcd's WatchResponse): `created` first, then events as the
 * member applies them, and `canceled` last (a cancel, or compact_revision when the start revision
 * is compacted). Every response of one watch answers the one `watch` call that opened it.
 */
export interface WatchStreamResponse extends WatchResponse {
  watch_id: number;
  created?: boolean;
  cancel_reason?: string;
}

/** Every call a client can make, with its request body. */
export type ClientRequest =
  | { method: 'range'; body: RangeRequest }
  | { method: 'put'; body: PutRequest }
  | { method: 'deleteRange'; body: DeleteRangeRequest }
  | { method: 'txn'; body: TxnRequest }
  | { method: 'compact'; body: CompactionRequest }
  | { method: 'leaseGrant'; body: LeaseGrantRequest }
  | { method: 'leaseRevoke'; body: LeaseRevokeRequest }
  | { method: 'leaseKeepAlive'; body: LeaseKeepAliveRequest }
  | { method: 'leaseTimeToLive'; body: LeaseTimeToLiveRequest }
  | { method: 'leaseLeases'; body: Record<string, never> }
  | { method: 'memberList'; body: Record<string, never> }
  | { method: 'memberAdd'; body: MemberAddRequest }
  | { method: 'memberRemove'; body: MemberIdRequest }
  | { method: 'memberPromote'; body: MemberIdRequest }
  | { method: 'moveLeader'; body: MoveLeaderRequest }
  | { method: 'status'; body: Record<string, never> }
  /** A stream: answered many times (WatchStreamResponse), until a response says canceled. */
  | { method: 'watch'; body: WatchRequest }
  | { method: 'watchCancel'; body: WatchCancelRequest }
  /** Maintenance: list, raise or disarm alarms (GET is local; the others go through Raft). */
  | { method: 'alarm'; body: AlarmRequest }
  /** Maintenance: defragment this member's backend (etcdctl defrag --endpoints). */
  | { method: 'defragment'; body: Record<string, never> }
  /** Operator-only (not on the gateway): graceful stop; a leader hands leadership over first. */
  | { method: 'stop'; body: Record<string, never> }
  /** Operator-only: campaign now, as if the election timer fired (etcd's raft Campaign). */
  | { method: 'campaign'; body: Record<string, never> }
  /** Operator-only: change settings live (see ConfigureRequest). */
  | { method: 'configure'; body: ConfigureRequest };

export type ClientMethod = ClientRequest['method'];

/** The success body of each method. */
export interface ResponseBodies {
  range: RangeResponse;
  put: PutResponse;
  deleteRange: DeleteRangeResponse;
  txn: TxnResponse;
  compact: CompactionResponse;
  leaseGrant: LeaseGrantResponse;
  leaseRevoke: LeaseRevokeResponse;
  leaseKeepAlive: LeaseKeepAliveResponse;
  leaseTimeToLive: LeaseTimeToLiveResponse;
  leaseLeases: LeaseLeasesResponse;
  memberList: MemberListResponse;
  memberAdd: MemberAddResponse;
  memberRemove: MemberChangeResponse;
  memberPromote: MemberChangeResponse;
  moveLeader: { header: ResponseHeader };
  status: StatusResponse;
  watch: WatchStreamResponse;
  watchCancel: WatchStreamResponse;
  /** etcd's AlarmResponse has no header filled in; raftlab's responses always carry one. */
  alarm: AlarmResponse & { header: ResponseHeader };
  defragment: { header: ResponseHeader };
  stop: { header: ResponseHeader; transferredTo: number };
  campaign: { header: ResponseHeader };
  configure: { header: ResponseHeader };
}

export type ClientResponse =
  | { ok: true; method: ClientMethod; body: ResponseBodies[ClientMethod] }
  | { ok: false; method: ClientMethod; error: { message: string; code: number } };

/** Calls that change the store and so go through the Raft log. */
export const WRITE_METHODS: ReadonlySet<ClientMethod> = new Set([
  'put',
  'deleteRange',
  'compact',
  'leaseGrant',
  'leaseRevoke',
]);

/** A txn with only ranges is a read (etcd's isTxnReadonly): it takes the read path. */
export function isTxnReadOnly(t: TxnRequest): boolean {
  const ops = [...(t.success ?? []), ...(t.failure ?? [])];
  return ops.every(
    (op) => 'request_range' in op || ('request_txn' in op && isTxnReadOnly(op.request_txn)),
  );
}

const keyText = new TextDecoder();
/** Keys in a trace record are text, cut short: the trace is for people and hashes. */
/** A key as trace records show it: text, cut short. */
export function traceKey(key: Uint8Array | undefined): string | undefined {
  if (!key) return undefined;
  const s = keyText.decode(key.length > 128 ? key.subarray(0, 128) : key);
  return s.length > 64 ? s.slice(0, 63) + '…' : s;
}

/** A request's method and key, for its trace record. */
export function describeRequest(r: ClientRequest): Record<string, unknown> {
  const body = r.body as { key?: Uint8Array };
  const key = traceKey(body.key);
  return key === undefined ? { method: r.method } : { method: r.method, key };
}

/** A response's outcome (ok, the error message, the revision), for its trace record. */
export function describeResponse(r: ClientResponse): Record<string, unknown> {
  if (!r.ok) return { ok: false, error: r.error.message };
  const revision = (r.body as { header?: { revision?: number } }).header?.revision;
  const out: Record<string, unknown> = revision ? { ok: true, revision } : { ok: true };
  if (r.method === 'watch') Object.assign(out, describeWatch(r.body as WatchStreamResponse));
  return out;
}

/** What a watch stream's response carries: its id, what it is, how many events. */
function describeWatch(w: WatchStreamResponse): Record<string, unknown> {
  const out: Record<string, unknown> = { watchId: w.watch_id };
  if (w.created) out.created = true;
  if (w.canceled) out.canceled = true;
  if (w.compact_revision) out.compactRevision = w.compact_revision;
  if (w.events.length > 0) out.events = w.events.length;
  return out;
}
