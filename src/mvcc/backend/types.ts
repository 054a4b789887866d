// Public types of the backend model. Times are simulated microseconds (integers) unless a name
// says otherwise; nothing here reads a clock.
import type { AgedFileSpec } from './aged';
import type { FreelistType } from './freelist';

/**
 * Which of etcd's backend designs to model (source article 004):
 * - 'coarse': etcd 3.1, one lock (the batchTx mutex) for every read, write and commit;
 * - 'rwlock': etcd 3.2/3.3, reads share readTx's lock for their whole run, a commit takes it
 *   exclusively and new readers queue behind a waiting commit;
 * - 'concurrent': etcd 3.4 "fully concurrent reads", a read holds readTx's lock (shared) only
 *   while it copies the read buffer, then runs on its own concurrentReadTx with no lock.
 */
export type LockMode = 'coarse' | 'rwlock' | 'concurrent';

/**
 * What a transaction is: a store read, a store write (applied into batchTx), a commit, or a
 * defragmentation (etcd's Defrag holds both locks while it copies the whole file).
 */
export type TxnKind = 'read' | 'write' | 'commit' | 'defrag';

/**
 * The locks, named after the etcd fields they stand for. 'concurrentReadTx' is not a lock at
 * all (its RLock is a no-op in etcd): a concurrent read "holds" it in mode 'none' from the end of
 * its buffer copy to its completion, so the timeline can draw the lock-free part of the read.
 */
export type LockName = 'batchTx' | 'readTx' | 'concurrentReadTx';

/** How a transaction holds a lock. 'none' conflicts with nothing. */
export type HoldMode = 'exclusive' | 'shared' | 'none';

export type LockPhase = 'requested' | 'granted' | 'released';

/**
 * One acquire, wait or release. For every (txnId, lock) there is exactly one 'requested', one
 * 'granted' and one 'released', in that order; the wait is granted - requested.
 */
export interface BackendEvent {
  readonly txnId: number;
  readonly kind: TxnKind;
  readonly phase: LockPhase;
  readonly atUs: number;
  readonly lock: LockName;
  readonly mode: HoldMode;
}

/**
 * When a transaction was requested, granted (it holds what it needs and starts working) and
 * completed. Blocked time is grantedUs - requestedUs; completedUs - grantedUs is its cost.
 */
export interface TxnTiming {
  readonly txnId: number;
  readonly kind: TxnKind;
  readonly requestedUs: number;
  readonly grantedUs: number;
  readonly completedUs: number;
}

/**
 * The work one store operation did, as the store reports it. A 'write' may also have scanned
 * (a txn's compares and ranges run inside the write transaction, under batchTx, as in etcd).
 */
export interface BackendWork {
  readonly kind: 'read' | 'write';
  readonly keysScanned: number;
  readonly bytesRead: number;
  readonly keysWritten: number;
  readonly bytesWritten: number;
}

export type ReadWork = Pick<BackendWork, 'keysScanned' | 'bytesRead'>;
export type WriteWork = Pick<BackendWork, 'keysWritten' | 'bytesWritten'> &
  Partial<Pick<BackendWork, 'keysScanned' | 'bytesRead'>>;

/**
 * Simulated cost of each piece of work, in nanoseconds so per-byte costs can be fractions of a
 * microsecond; every duration is rounded to whole microseconds once, per transaction.
 */
export interface CostModel {
  /** Fixed cost of one read transaction (begin, index lookup, response assembly). */
  readonly readTxnNs: number;
  /** Per key a range visits (bbolt cursor step plus unmarshalling one KeyValue). */
  readonly perKeyScannedNs: number;
  /** Per byte of keys and values read out into the response. */
  readonly perByteReadNs: number;
  /** Fixed cost of applying one write transaction into batchTx and its buffer. */
  readonly writeTxnNs: number;
  /** Per key put or deleted in batchTx (bbolt page in memory plus the tx buffer). */
  readonly perKeyWrittenNs: number;
  /** Per byte of keys and values written. */
  readonly perByteWrittenNs: number;
  /** Fixed cost of one commit: bbolt's commit ends in an fdatasync. */
  readonly commitBaseNs: number;
  /** Per key the commit writes out (spill, rebalance, dirty pages). */
  readonly perKeyCommittedNs: number;
  /** Fixed cost of a concurrent read's copy of the read buffer ('concurrent' mode only). */
  readonly bufferCopyBaseNs: number;
  /** Per key in the read buffer being copied ('concurrent' mode only). */
  readonly bufferCopyPerKeyNs: number;
  /** Fixed cost of a defragmentation: a new file, its commits and fsyncs, the rename. */
  readonly defragBaseNs: number;
  /** Per byte a defragmentation copies into the new file. */
  readonly defragPerByteNs: number;
}

/** Everything that can be changed while running (the UI switches modes mid-run). */
export interface BackendSettings {
  readonly lockMode: LockMode;
  /** etcd's --backend-batch-interval; default 100 ms. */
  readonly batchIntervalMs: number;
  /** etcd's --backend-batch-limit; default 10,000 pending operations. */
  readonly batchLimit: number;
  /** bbolt's freelist design (./freelist.ts); etcd 3.4's default is 'array'. */
  readonly freelistType: FreelistType;
  readonly cost: CostModel;
}

export interface BackendSettingsPatch {
  readonly lockMode?: LockMode;
  readonly batchIntervalMs?: number;
  readonly batchLimit?: number;
  readonly freelistType?: FreelistType;
  readonly cost?: Partial<CostModel>;
}

export interface BackendOptions extends BackendSettingsPatch {
  /** Simulated time the backend starts at (the first batch interval counts from here). */
  readonly startUs?: number;
  /** Receives every lock event, in simulated-time order. */
  readonly onEvent?: (event: BackendEvent) => void;
  /** Start from a long-running file's pages (./aged.ts) rather than a new file. */
  readonly aged?: AgedFileSpec;
}

export interface BackendStats {
  /** Simulated time of the latest call (read, write, advanceTo, ...). */
  readonly nowUs: number;
  /** Commits placed so far (some may still be waiting for their locks). */
  readonly commits: number;
  /** batchTx.pending: operations applied since the last commit was placed. */
  readonly pendingOps: number;
  /** Keys in the read buffer a concurrent read copies. */
  readonly readBufferKeys: number;
  /** Defragmentations placed so far. */
  readonly defrags: number;
}
