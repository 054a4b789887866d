// The work each store operation does, reported to a sink so a backend model (src/mvcc/backend)
// can turn it into simulated time under its lock mode. The store calls the sink exactly once per
// public operation (expireLeases: once per lease revoked), after the operation succeeded and
// before it returns; an operation that fails with EtcdError reports nothing. Responses stay
// exactly etcd-shaped: timing comes alongside, through the sink, never inside them.

/** Which store operation did the work. */
export type StoreOp =
  | 'range'
  | 'put'
  | 'deleteRange'
  | 'txn'
  | 'compact'
  | 'leaseGrant'
  | 'leaseRevoke'
  | 'leaseKeepAlive'
  | 'leaseTimeToLive'
  | 'leaseLeases'
  | 'leaseExpire'
  | 'watchSync'
  | 'hashKV';

/**
 * The work of one operation (structurally a backend BackendWork plus the op name):
 * - keysScanned: key-index entries visited plus stored revisions read;
 * - bytesRead: key and value bytes of the revisions read;
 * - keysWritten: revisions written (puts and tombstones) or, for compaction, removed;
 * - bytesWritten: key and value bytes of the revisions written.
 * kind is 'write' for everything that goes through etcd's batch transaction (put, deleteRange,
 * a txn with any put or delete in either branch, compaction, lease grant and revoke), 'read'
 * otherwise.
 */
export interface OpWork {
  readonly op: StoreOp;
  readonly kind: 'read' | 'write';
  readonly keysScanned: number;
  readonly bytesRead: number;
  readonly keysWritten: number;
  readonly bytesWritten: number;
}

export interface OpCostSink {
  read(work: OpWork): void;
  write(work: OpWork): void;
}

/** The default sink: the store works standalone. */
export const NO_COST_SINK: OpCostSink = Object.freeze({
  read(): void {},
  write(): void {},
});

/** Accumulates work during one operation. */
export class WorkMeter {
  keysScanned = 0;
  bytesRead = 0;
  keysWritten = 0;
  bytesWritten = 0;

  reset(): void {
    this.keysScanned = 0;
    this.bytesRead = 0;
    this.keysWritten = 0;
    this.bytesWritten = 0;
  }

  report(sink: OpCostSink, op: StoreOp, kind: 'read' | 'write'): void {
    const work: OpWork = {
      op,
      kind,
      keysScanned: this.keysScanned,
      bytesRead: this.bytesRead,
      keysWritten: this.keysWritten,
      bytesWritten: this.bytesWritten,
    };
    this.reset();
    if (kind === 'read') sink.read(work);
    else sink.write(work);
  }
}
