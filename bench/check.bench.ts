// Linearizability checker speed (issue 8). `npm run bench -- check`.
//
// Histories of 10,000 calls from 16 closed-loop clients, made by running the simulator's
// workload mix (puts, deletes, cheap and expensive ranges, txns with a VERSION compare) against
// a real MvccStore with overlapping intervals (src/check/generate.ts); some writes get no answer
// (half of those still take effect). Each figure is the median wall time of checkHistory over a
// few runs after a warm-up run, default budget.
import { percentile, report, timeOnceMs, type Figure } from './lib/harness';
import { generateHistory, type GenerateOptions } from '../src/check/generate';
import type { Operation } from '../src/check/history';
import { checkHistory, type CheckResult } from '../src/check/linearizability';
import { shownKvs } from '../src/check/responses';

const RUNS = 5;

function timed(history: readonly Operation[]): { ms: number; result: CheckResult } {
  let result = checkHistory(history); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(timeOnceMs(() => (result = checkHistory(history))));
  samples.sort((a, b) => a - b);
  return { ms: percentile(samples, 50), result };
}

const base: GenerateOptions = {
  seed: 8,
  clients: 16,
  ops: 10_000,
  keySpace: 100,
  valueBytes: 16,
  unanswered: 0.01,
};

const figures: Figure[] = [];
const cases: { name: string; opts: GenerateOptions; target?: string }[] = [
  {
    name: '10,000 calls, 16 clients, 100 keys, 1% writes unanswered',
    opts: base,
    target: '< 5000 ms',
  },
  {
    name: '10,000 calls, 16 clients, 1,000 keys, 1% unanswered',
    opts: { ...base, keySpace: 1000 },
  },
  {
    name: '10,000 calls, 16 clients, 100 keys, 5% unanswered',
    opts: { ...base, unanswered: 0.05 },
  },
  {
    // as the fuzzer's runs: leaders lost, many revisions in a row that no answer names
    name: '10,000 calls, 16 clients, 10 keys, outages (40 of every 400 calls unanswered)',
    opts: { ...base, keySpace: 10, outages: { every: 400, length: 40 } },
  },
];
for (const c of cases) {
  const h = generateHistory(c.opts);
  const { ms, result } = timed(h);
  if (result.verdict !== 'ok') throw new Error(`${c.name}: ${JSON.stringify(result)}`);
  const unanswered = h.filter((o) => !o.response && o.request.method !== 'range').length;
  figures.push({
    name: `check ${c.name}, median`,
    value: ms,
    unit: 'ms',
    ...(c.target ? { target: c.target } : {}),
    notes: `ok, ${result.steps} steps, ${unanswered} unanswered writes`,
  });
}

// One answer corrupted late in the history, two ways: a value nobody wrote (refuted by the
// answers alone) and a version one too high (refuted by searching every order of the unanswered
// writes); each 'illegal', core shrunk.
const corruptions: {
  name: string;
  corrupt: (kv: { value: Uint8Array; version: number }) => void;
}[] = [
  { name: 'a value nobody wrote', corrupt: (kv) => (kv.value = new TextEncoder().encode('Z')) },
  { name: 'a version one too high', corrupt: (kv) => (kv.version += 1) },
];
for (const { name, corrupt } of corruptions) {
  const h = generateHistory(base);
  const reads = h.filter((o) => o.request.method === 'range' && shownKvs(o.response!).length > 0);
  const victim = reads[Math.floor(reads.length * 0.7)] as Operation;
  corrupt(shownKvs(victim.response!)[0] as { value: Uint8Array; version: number });
  const bad = timed(h);
  if (bad.result.verdict !== 'illegal') throw new Error(`${name}: ${JSON.stringify(bad.result)}`);
  figures.push({
    name: `check the 1% history with ${name} in one answer (illegal + core), median`,
    value: bad.ms,
    unit: 'ms',
    notes: `illegal, core of ${bad.result.core.length} calls, ${bad.result.steps} steps`,
  });
}

report('check', figures);
