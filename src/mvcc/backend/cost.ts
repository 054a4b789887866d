// The cost model: how long each piece of backend work takes in simulated time.
//
// The defaults are orders of magnitude for etcd on a cloud SSD, chosen so that the article's
// workload (source article 004: 100k keys of 128 B with 1-32 KB values) has its shape:
// - a cheap read of 10 such keys takes ~0.2 ms (10 µs + 10 × (1 µs + ~16.5 KB at 1 ns/B));
// - an expensive read of 20,000 of them takes ~350 ms, longer than several batch intervals,
//   which is what makes the 3.3 read lock stall commits;
// - a single-key write applies into the buffer in ~50 µs;
// - a commit costs ~2 ms of fdatasync plus 10 µs per key, so a 100 ms batch of a few hundred
//   writes commits in a few ms, as etcd's backend_commit_duration usually shows;
// - the 3.4 buffer copy is ~1 µs plus 0.2 µs per buffered key: cheap, as the article found.
import type { BackendWork, CostModel, ReadWork, WriteWork } from './types';

export const DEFAULT_COST_MODEL: Readonly<CostModel> = Object.freeze({
  readTxnNs: 10_000,
  perKeyScannedNs: 1_000,
  perByteReadNs: 1,
  writeTxnNs: 10_000,
  perKeyWrittenNs: 5_000,
  perByteWrittenNs: 2,
  commitBaseNs: 2_000_000,
  perKeyCommittedNs: 10_000,
  bufferCopyBaseNs: 1_000,
  bufferCopyPerKeyNs: 200,
  // etcd 3.4.23 on this machine defragmented a 1.1 MB file in 4.4 ms and a 0.2 MB one in 7.7 ms
  // (its log's start and finish lines): a fixed cost of a few ms dominates at these sizes.
  defragBaseNs: 5_000_000,
  defragPerByteNs: 2,
});

/** Rounds once per transaction, so sums of tiny per-byte costs are not lost to rounding. */
function toUs(ns: number): number {
  return Math.round(ns / 1000);
}

export function readCostUs(model: CostModel, work: ReadWork): number {
  return toUs(
    model.readTxnNs +
      work.keysScanned * model.perKeyScannedNs +
      work.bytesRead * model.perByteReadNs,
  );
}

/** A write pays for what it read too: etcd runs a txn's compares and ranges inside batchTx. */
export function writeCostUs(model: CostModel, work: WriteWork): number {
  return toUs(
    model.writeTxnNs +
      work.keysWritten * model.perKeyWrittenNs +
      work.bytesWritten * model.perByteWrittenNs +
      (work.keysScanned ?? 0) * model.perKeyScannedNs +
      (work.bytesRead ?? 0) * model.perByteReadNs,
  );
}

/** `freelistNs`: what allocating and releasing pages took (pages.ts), part of bbolt's commit. */
export function commitCostUs(model: CostModel, keysCommitted: number, freelistNs = 0): number {
  return toUs(model.commitBaseNs + keysCommitted * model.perKeyCommittedNs + freelistNs);
}

export function defragCostUs(model: CostModel, bytesCopied: number): number {
  return toUs(model.defragBaseNs + bytesCopied * model.defragPerByteNs);
}

export function bufferCopyCostUs(model: CostModel, bufferedKeys: number): number {
  return toUs(model.bufferCopyBaseNs + bufferedKeys * model.bufferCopyPerKeyNs);
}

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`backend: ${name} must be a finite number >= 0, got ${value}`);
  }
}

export function checkWork(work: Partial<BackendWork>): void {
  checkCount('keysScanned', work.keysScanned);
  checkCount('bytesRead', work.bytesRead);
  checkCount('keysWritten', work.keysWritten);
  checkCount('bytesWritten', work.bytesWritten);
}

/** Merges a partial cost model over a base, rejecting negative or non-finite costs. */
export function mergeCostModel(base: CostModel, patch: Partial<CostModel> = {}): CostModel {
  const merged: CostModel = { ...base, ...patch };
  for (const [name, value] of Object.entries(merged)) checkCount(`cost.${name}`, value as number);
  return Object.freeze(merged);
}
