// `npx tsx scripts/trace-hashes.ts [--save FILE | --compare FILE] [--batched]`
// The trace hashes of a fixed set of scenarios (the benchmark's loads, the partition example, each
// read path, auth, small snapshots, and fuzz plans with and without unsafe settings), run in
// process. A speed-up must leave every one unchanged (DEVELOPERS.md, Runs, replays and the trace):
// save them before the change, compare after it. With --batched the nodes run in the in-process
// host that batches inputs as the worker host does (src/sim/batch.ts): the hashes must not change.
import { readFileSync, writeFileSync } from 'node:fs';
import { simBenchScenario } from '../bench/lib/sim-scenarios';
import { planScenario } from '../src/check/fuzz/plan';
import { BatchingInProcessHost } from '../src/host/batching-host';
import { nodeSpecs } from '../src/sim/cluster';
import { parseScenario, type Scenario } from '../src/scenario/schema';
import { runScenario } from '../src/sim/run-scenario';

interface Case {
  name: string;
  scenario: Scenario;
  untilUs: number;
}

function loaded(name: string, settings: Record<string, unknown>, extra: object = {}): Case {
  return {
    name,
    untilUs: 5e6,
    scenario: parseScenario({
      version: 1,
      seed: 3,
      title: name,
      settings,
      workloads: [
        {
          mode: 'closed',
          concurrency: 16,
          mix: { put: 4, 'range-cheap': 2, 'range-expensive': 1, txn: 1, delete: 1 },
          keySpace: 500,
          valueBytes: 64,
          startMs: 1500,
          ...extra,
        },
      ],
    }),
  };
}

const cases: Case[] = [
  { name: 'bench idle, 5 nodes', untilUs: 10e6, scenario: simBenchScenario(false) },
  { name: 'bench 1,000 puts/s, 5 nodes', untilUs: 4e6, scenario: simBenchScenario(true) },
  {
    name: 'scenarios/partition.json',
    untilUs: 16e6,
    scenario: parseScenario(JSON.parse(readFileSync('scenarios/partition.json', 'utf8'))),
  },
  loaded('mixed, read-index', { size: 3 }),
  loaded('mixed, log reads, rwlock', { size: 3, readPath: 'log', lockMode: 'rwlock' }),
  loaded(
    'mixed, lease reads, serializable',
    { size: 5, readPath: 'lease' },
    { linearizable: false },
  ),
  loaded('mixed, token auth, snapshots every 50', {
    size: 3,
    authMode: 'token',
    snapshotCount: 50,
  }),
  loaded('mixed, bcrypt auth, lossy network', {
    size: 3,
    authMode: 'bcrypt',
    bcryptCost: 4,
    networkLoss: 0.05,
    networkDuplicate: 0.05,
    networkReorder: 0.1,
  }),
  ...[1, 2, 3, 4, 5, 6].map((seed) => {
    const scenario = planScenario(seed, { minutes: 0.5 });
    return { name: `fuzz seed ${seed}`, scenario, untilUs: scenario.cursorUs! };
  }),
  ...(['ack-before-fsync', 'figure8-commit', 'no-vote-persist', 'skip-health-check'] as const).map(
    (unsafe) => {
      const scenario = planScenario(7, { minutes: 0.5, unsafe });
      return { name: `fuzz seed 7, unsafe ${unsafe}`, scenario, untilUs: scenario.cursorUs! };
    },
  ),
];

const args = process.argv.slice(2);
const save = args[args.indexOf('--save') + 1];
const compare = args[args.indexOf('--compare') + 1];
const batched = args.includes('--batched');
const hashes: Record<string, string> = {};
for (const c of cases) {
  const start = performance.now();
  let hash: string;
  try {
    const r = await runScenario(c.scenario, {
      untilUs: c.untilUs,
      ...(batched
        ? { host: new BatchingInProcessHost(nodeSpecs(c.scenario.settings, c.scenario.seed)) }
        : {}),
    });
    hash = `${r.traceHash} (${r.traceEvents} events)`;
  } catch (err) {
    hash = `threw: ${err instanceof Error ? err.message : String(err)}`;
  }
  hashes[c.name] = hash;
  console.log(`${c.name.padEnd(44)} ${hash}  ${((performance.now() - start) / 1000).toFixed(1)} s`);
}
if (args.includes('--save') && save) writeFileSync(save, JSON.stringify(hashes, null, 2) + '\n');
if (args.includes('--compare') && compare) {
  const before = JSON.parse(readFileSync(compare, 'utf8')) as Record<string, string>;
  const differ = Object.keys({ ...before, ...hashes }).filter((k) => before[k] !== hashes[k]);
  for (const k of differ) console.error(`DIFFERENT: ${k}: ${before[k]} -> ${hashes[k]}`);
  console.log(differ.length === 0 ? 'every trace hash unchanged' : `${differ.length} differ`);
  process.exit(differ.length === 0 ? 0 : 1);
}
