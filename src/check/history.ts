// A client-observed history of etcd KV calls: what the linearizability checker reads.
import type { DeleteRangeResponse, PutResponse, RangeResponse, TxnResponse } from '../mvcc/types';
import type { ClientRequest } from '../server/requests';

/** The calls the checker understands: etcd's KV API (no leases, no compaction). */
export type KvRequest = Extract<ClientRequest, { method: 'range' | 'put' | 'deleteRange' | 'txn' }>;

export type KvResponse = RangeResponse | PutResponse | DeleteRangeResponse | TxnResponse;

export interface Operation {
  /** Unique within the history. */
  id: number;
  clientId: number;
  /** Invocation, simulated microseconds. */
  callUs: number;
  /** When the answer arrived; undefined if it never did. */
  returnUs?: number;
  request: KvRequest;
  /** The successful answer's body; undefined when the call failed or never returned. */
  response?: KvResponse;
  /** Why the call failed, when it returned an error (for people; the checker ignores it). */
  error?: string;
}
