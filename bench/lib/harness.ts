// Tiny benchmark harness. Benchmarks report figures; they never pass or fail (timing belongs
// here, never in tests). Each bench/<name>.bench.ts calls `runSuite` and its figures are printed
// as a table and written to bench/results/<name>.json so docs can cite a file and a command.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Figure {
  /** What was measured, e.g. "propose+ready+advance, 1 voter". */
  name: string;
  value: number;
  /** Unit last, as in the figure's name: "µs/op", "ops/s", "ms", "bytes/key". */
  unit: string;
  /** The target the issue names, if any, in the same unit (for the table only). */
  target?: string;
  notes?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
export const resultsDir = join(here, '..', 'results');

/**
 * Times `op` repeatedly until at least `minMs` of wall time has passed (after a warm-up) and
 * returns the mean time per call in microseconds. `op` may do `batch` operations per call.
 */
export function timePerOpUs(
  op: () => void,
  opts: { minMs?: number; warmupMs?: number; batch?: number } = {},
): number {
  const { minMs = 1000, warmupMs = 200, batch = 1 } = opts;
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) op();
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < minMs) {
    for (let i = 0; i < 64; i++) op();
    calls += 64;
    now = performance.now();
  }
  return ((now - start) * 1000) / (calls * batch);
}

/** Wall time of one call of `fn`, in milliseconds. */
export function timeOnceMs(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

function format(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Prints the figures as a table and writes them to bench/results/<suite>.json. */
export function report(suite: string, figures: Figure[]): void {
  const rows = figures.map((f) => [
    f.name,
    `${format(f.value)} ${f.unit}`,
    f.target ?? '',
    f.notes ?? '',
  ]);
  const header = ['figure', 'value', 'target', 'notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    '| ' + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
  console.log(`\n## ${suite}\n`);
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
  mkdirSync(resultsDir, { recursive: true });
  const out = {
    suite,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    figures,
  };
  writeFileSync(join(resultsDir, `${suite}.json`), JSON.stringify(out, null, 2) + '\n');
}
