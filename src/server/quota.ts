// etcd's space quota and alarms (etcdserver/quota.go, api/v3rpc/quota.go, etcdserver/apply.go,
// api/v3alarm), pure: what a request costs against the quota, whether it fits, and the alarm
// store every member keeps in step through the Raft log.
//
// What etcd 3.4.23 does, checked against a running one (--quota-backend-bytes 1048576):
// - the member asked refuses a put, a txn with a put, or a lease grant whose cost would take the
//   backend to the quota or past it (Size + cost >= quota), raises NOSPACE through Raft and
//   answers "etcdserver: mvcc: database space exceeded" (gRPC ResourceExhausted); a request that
//   costs nothing (a txn of deletes and ranges) always passes;
// - applying, each member checks again against its own size: a put that no longer fits is
//   applied and answered with the same error, and the member raises the alarm;
// - while NOSPACE is active every member's applier is capped: puts, txns with puts and lease
//   grants fail with that error; ranges, deletes, txns without puts, compaction, lease revoke
//   and keep-alive, alarms and defragmentation go on;
// - Size is the file's high-water mark: compaction frees pages but only defragmentation gives
//   them back, so after a compaction a disarmed alarm comes back with the next put;
// - `alarm list` / `alarm disarm` answer {"alarms":[{"memberID","alarm":"NOSPACE"}]} with no
//   header; alarms live in the backend, so they survive a restart.
import type { ClientRequest } from './requests';
import type { RequestOp, TxnRequest } from '../mvcc/types';
import { decodeValue, encodeValue, type Value } from './value-codec';

/** etcd's default --quota-backend-bytes: 2 GiB. */
export const ETCD_DEFAULT_QUOTA_BYTES = 2 * 1024 * 1024 * 1024;
/** quota.go's estimate of a key's metadata, added to each put's key and value. */
export const KV_OVERHEAD = 256;
/** quota.go's estimate of a lease. */
export const LEASE_OVERHEAD = 64;

export type AlarmType = 'NONE' | 'NOSPACE' | 'CORRUPT';
export type AlarmAction = 'GET' | 'ACTIVATE' | 'DEACTIVATE';

export interface AlarmMember {
  memberID: number;
  alarm: AlarmType;
}

export interface AlarmRequest {
  action?: AlarmAction;
  /** 0 with alarm NONE in a DEACTIVATE: every active alarm (what etcdctl's `alarm disarm` does). */
  memberID?: number;
  alarm?: AlarmType;
}

export interface AlarmResponse {
  alarms: AlarmMember[];
}

const costOp = (op: RequestOp): number =>
  'request_put' in op
    ? KV_OVERHEAD + op.request_put.key.length + (op.request_put.value?.length ?? 0)
    : 0;

/** costTxn: the larger branch's puts (nested txns are not counted, as in etcd 3.4). */
function costTxn(t: TxnRequest): number {
  const sum = (ops: readonly RequestOp[] | undefined) =>
    (ops ?? []).reduce((s, op) => s + costOp(op), 0);
  return Math.max(sum(t.success), sum(t.failure));
}

/** What a request costs against the quota; undefined for requests the quota does not check. */
export function quotaCost(req: ClientRequest): number | undefined {
  switch (req.method) {
    case 'put':
      return KV_OVERHEAD + req.body.key.length + (req.body.value?.length ?? 0);
    case 'txn':
      return costTxn(req.body);
    case 'leaseGrant':
      return LEASE_OVERHEAD;
    default:
      return undefined;
  }
}

/** backendQuota.Available: whether `req` fits; requests that cost nothing always do. */
export function quotaAvailable(req: ClientRequest, dbSize: number, quotaBytes: number): boolean {
  const cost = quotaCost(req);
  if (!cost) return true;
  return dbSize + cost < quotaBytes;
}

/** applierV3Capped: what NOSPACE refuses while it is active. */
export function refusedWhileCapped(req: ClientRequest): boolean {
  if (req.method === 'put' || req.method === 'leaseGrant') return true;
  return req.method === 'txn' && costTxn(req.body) > 0;
}

/** The active alarms (api/v3alarm's AlarmStore), in member then type order. */
export class AlarmStore {
  private readonly active = new Map<string, AlarmMember>();

  /** Returns the alarm if it was not active yet. */
  activate(memberID: number, alarm: AlarmType): AlarmMember | undefined {
    const k = `${memberID}:${alarm}`;
    if (alarm === 'NONE' || this.active.has(k)) return undefined;
    const m = { memberID, alarm };
    this.active.set(k, m);
    return m;
  }

  /** Returns the alarm if it was active. */
  deactivate(memberID: number, alarm: AlarmType): AlarmMember | undefined {
    const k = `${memberID}:${alarm}`;
    const m = this.active.get(k);
    this.active.delete(k);
    return m;
  }

  /** Every active alarm of `type` (every one for NONE), in member order. */
  get(type: AlarmType = 'NONE'): AlarmMember[] {
    return [...this.active.values()]
      .filter((m) => type === 'NONE' || m.alarm === type)
      .sort((a, b) => a.memberID - b.memberID || a.alarm.localeCompare(b.alarm));
  }

  has(type: AlarmType): boolean {
    return this.get(type).length > 0;
  }

  load(alarms: readonly AlarmMember[]): void {
    this.active.clear();
    for (const a of alarms) this.activate(a.memberID, a.alarm);
  }
}

/** etcd's AlarmMember.String(), as `alarm list` and endpoint status's ERRORS print it. */
export function alarmText(m: AlarmMember): string {
  return `memberID:${m.memberID} alarm:${m.alarm} `;
}

// ---- snapshots ----
// etcd keeps alarms in the backend's alarm bucket, which a snapshot carries. Here a snapshot's
// data is the MVCC store's bytes (they start with "mvcc"); with alarms active it is an envelope,
// a value-codec object (its first byte, the object tag, is not "m"), holding both.

/** A Raft snapshot's data: the store's bytes, wrapped with the alarms when there are any. */
export function wrapSnapshot(store: Uint8Array, alarms: readonly AlarmMember[]): Uint8Array {
  if (alarms.length === 0) return store;
  const list = alarms.map((a) => [a.memberID, a.alarm]);
  return encodeValue({ alarms: list, store } as unknown as Value);
}

/** The store's bytes and the alarms out of a snapshot's data. */
export function unwrapSnapshot(data: Uint8Array): { store: Uint8Array; alarms: AlarmMember[] } {
  if (data[0] === 0x6d) return { store: data, alarms: [] };
  const v = decodeValue(data) as unknown as { alarms: [number, AlarmType][]; store: Uint8Array };
  return {
    store: v.store,
    alarms: v.alarms.map(([memberID, alarm]) => ({ memberID, alarm })),
  };
}
