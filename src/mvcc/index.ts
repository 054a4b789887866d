// src/mvcc: etcd 3.4's MVCC key-value store (see README.md). External tests drive the store
// through these names.
export { MvccStore } from './store';
export type { MvccStoreOptions } from './store';
export { SnapshotError } from './bin';
export { BackupError, decodeBackup, encodeBackup } from './backup';
export type { Backup, BackupMeta, BackupStatus } from './backup';
export { sha256, toHex } from './sha256';
export { EtcdError, ErrorMessages, GrpcCode } from './errors';
export type { OpCostSink, OpWork, StoreOp } from './cost';
export { NO_COST_SINK } from './cost';
export { prefixEnd } from './bytes';
export type * from './types';
export { Backend } from './backend';
export type { BackendEvent, BackendOptions, LockMode, TxnTiming } from './backend';
