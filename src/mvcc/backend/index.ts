// etcd's backend as a timing model in simulated time: batchTx, readTx, commits every
// batchInterval or batchLimit, and the three lock modes of source article 004. See backend.ts
// for the rules of each mode.
export { Backend, DEFAULT_BATCH_INTERVAL_MS, DEFAULT_BATCH_LIMIT } from './backend';
export {
  DEFAULT_COST_MODEL,
  bufferCopyCostUs,
  commitCostUs,
  defragCostUs,
  readCostUs,
  writeCostUs,
} from './cost';
export {
  ArrayFreelist,
  FREELIST_COST,
  FREELIST_TYPES,
  MapFreelist,
  newFreelist,
  type FreeRun,
  type FreelistStats,
  type FreelistType,
} from './freelist';
export { MAX_AGED_PAGES, agedLayout, type AgedFileSpec, type AgedLayout } from './aged';
export {
  PAGE_SIZE,
  PAGE_USES,
  PageFile,
  recordBytes,
  type PageRecord,
  type PageStats,
  type PageUse,
} from './pages';
export { percentile, runReadWriteMix, seededRandom } from './experiment';
export type { ReadWriteMixOptions, ReadWriteMixResult } from './experiment';
export type {
  BackendEvent,
  BackendOptions,
  BackendSettings,
  BackendSettingsPatch,
  BackendStats,
  BackendWork,
  CostModel,
  HoldMode,
  LockMode,
  LockName,
  LockPhase,
  ReadWork,
  TxnKind,
  TxnTiming,
  WriteWork,
} from './types';
