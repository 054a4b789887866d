// Source article 004's experiment in simulated time: 100k keys of 128 B with 1-32 KB values,
// cheap reads (10 keys), single-key writes and, optionally, one client doing expensive reads
// (20% of the keys) back to back. Reports p99 latencies per kind, so the lock modes can be
// compared as the article's table does (3.3 vs 3.4). Deterministic from its seed.
import { Backend } from './backend';
import type { LockMode, TxnTiming } from './types';

export interface ReadWriteMixOptions {
  readonly lockMode: LockMode;
  /** Run one client doing expensive reads back to back beside the cheap reads and writes. */
  readonly expensiveReads: boolean;
  /** Simulated length of the run; default 10 s. */
  readonly durationMs?: number;
  /** Poisson arrival rates; defaults 1,000 cheap reads/s and 500 writes/s. */
  readonly cheapReadsPerSecond?: number;
  readonly writesPerSecond?: number;
  readonly seed?: number;
}

export interface ReadWriteMixResult {
  readonly cheapReads: number;
  readonly writes: number;
  readonly expensiveReads: number;
  readonly p99CheapReadMs: number;
  readonly p99WriteMs: number;
  /** NaN when the run had no expensive reads. */
  readonly p99ExpensiveReadMs: number;
}

const KEYS = 100_000;
const KEY_BYTES = 128;
const EXPENSIVE_KEYS = KEYS / 5;
const CHEAP_KEYS = 10;

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export function runReadWriteMix(options: ReadWriteMixOptions): ReadWriteMixResult {
  const random = seededRandom(options.seed ?? 1);
  const endUs = (options.durationMs ?? 10_000) * 1000;
  const valueBytes = () => 1024 + Math.floor(random() * 31 * 1024); // 1-32 KB
  // An expensive read's bytes are the sum of 20k such values: use their mean, it barely varies.
  const meanKeyValueBytes = KEY_BYTES + 1024 + (31 * 1024) / 2;
  const gapUs = (perSecond: number) => Math.round((-Math.log(1 - random()) * 1e6) / perSecond);
  const cheapRate = options.cheapReadsPerSecond ?? 1_000;
  const writeRate = options.writesPerSecond ?? 500;

  const backend = new Backend({ lockMode: options.lockMode });
  const latencies = { cheap: [] as number[], write: [] as number[], expensive: [] as number[] };
  const ms = (t: TxnTiming) => (t.completedUs - t.requestedUs) / 1000;
  let nextCheapUs = gapUs(cheapRate);
  let nextWriteUs = gapUs(writeRate);
  let nextExpensiveUs = options.expensiveReads ? 0 : Number.POSITIVE_INFINITY;
  for (;;) {
    const atUs = Math.min(nextCheapUs, nextWriteUs, nextExpensiveUs);
    if (atUs >= endUs) break;
    if (atUs === nextExpensiveUs) {
      const t = backend.read(atUs, {
        keysScanned: EXPENSIVE_KEYS,
        bytesRead: EXPENSIVE_KEYS * meanKeyValueBytes,
      });
      latencies.expensive.push(ms(t));
      nextExpensiveUs = t.completedUs; // one client, back to back
    } else if (atUs === nextCheapUs) {
      let bytesRead = 0;
      for (let i = 0; i < CHEAP_KEYS; i++) bytesRead += KEY_BYTES + valueBytes();
      latencies.cheap.push(ms(backend.read(atUs, { keysScanned: CHEAP_KEYS, bytesRead })));
      nextCheapUs += gapUs(cheapRate);
    } else {
      const bytesWritten = KEY_BYTES + valueBytes();
      latencies.write.push(ms(backend.write(atUs, { keysWritten: 1, bytesWritten })));
      nextWriteUs += gapUs(writeRate);
    }
  }
  return {
    cheapReads: latencies.cheap.length,
    writes: latencies.write.length,
    expensiveReads: latencies.expensive.length,
    p99CheapReadMs: percentile(latencies.cheap, 99),
    p99WriteMs: percentile(latencies.write, 99),
    p99ExpensiveReadMs: percentile(latencies.expensive, 99),
  };
}
