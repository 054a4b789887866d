#!/usr/bin/env node
// `npm run bench [-- name ...]`: runs bench/<name>.bench.ts (all of them when no name is given),
// one process each so one benchmark's garbage never skews the next. Figures print as tables and
// land in bench/results/<suite>.json. Options (arguments starting with '-', e.g. `--quick`) are
// passed to every benchmark run.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');
const all = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const options = process.argv.slice(2).filter((a) => a.startsWith('-'));
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(
    `Unknown benchmark(s): ${unknown.join(', ')}. Available: ${all.join(', ') || '(none)'}`,
  );
  process.exit(2);
}
const chosen = wanted.length > 0 ? wanted : all;
if (chosen.length === 0) {
  console.error('No benchmarks found in bench/ (files named <name>.bench.ts).');
  process.exit(2);
}
let failed = 0;
for (const name of chosen) {
  console.log(`\n# bench: ${name}`);
  // --import tsx keeps the benchmark in this very process, so --expose-gc reaches it.
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(benchDir, `${name}.bench.ts`), ...options],
    {
      stdio: 'inherit',
      cwd: root,
    },
  );
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${name} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
