// Conductor speed (issue 5). `npm run bench -- sim`.
//
// Simulated seconds per wall second for a 5-node cluster with every node in this process (memory
// disks), run through runScenario exactly as the CLI runs a scenario document, with the full trace
// hashed as always:
//   (a) idle: elections, then heartbeats only;
//   (b) an open-loop workload of 1,000 puts per simulated second (128-byte values, 10,000 keys),
//       starting at 2 s, once a leader is settled.
// Each figure is the median of a few runs after a warm-up run. "events" are trace events (sends,
// receives, persists, applies, lock events, ...), the conductor's unit of work.
import { report, type Figure } from './lib/harness';
import { simBenchScenario } from './lib/sim-scenarios';
import { runScenario } from '../src/sim/run-scenario';

interface Run {
  simS: number;
  wallS: number;
  events: number;
  puts: number;
  hash: string;
}

async function runOnce(loaded: boolean, simS: number): Promise<Run> {
  globalThis.gc?.();
  const start = performance.now();
  const r = await runScenario(simBenchScenario(loaded), { untilUs: simS * 1e6 });
  const wallS = (performance.now() - start) / 1000;
  return {
    simS,
    wallS,
    events: r.traceEvents,
    puts: r.metrics.ops.put?.ok ?? 0,
    hash: r.traceHash,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(loaded: boolean, simS: number, runs: number): Promise<Run> {
  await runOnce(loaded, Math.min(simS, 5)); // warm-up: let the JIT settle
  const rs: Run[] = [];
  for (let i = 0; i < runs; i++) rs.push(await runOnce(loaded, simS));
  const hashes = new Set(rs.map((r) => r.hash));
  if (hashes.size !== 1) throw new Error(`runs of one scenario gave different trace hashes`);
  const wallS = median(rs.map((r) => r.wallS));
  return { ...rs[0]!, wallS };
}

const idleS = 60;
const loadedS = 30;
const idle = await measure(false, idleS, 5);
const loaded = await measure(true, loadedS, 3);

const figures: Figure[] = [
  {
    name: `5 nodes idle, ${idleS} s simulated: simulated s per wall s`,
    value: idle.simS / idle.wallS,
    unit: 'x real time',
    target: '≥ 100x',
    notes: `${(idle.wallS * 1000).toFixed(0)} ms wall, trace ${idle.hash}`,
  },
  {
    name: '5 nodes idle: trace events per wall s',
    value: idle.events / idle.wallS,
    unit: 'events/s',
    notes: `${idle.events} events`,
  },
  {
    name: `5 nodes, 1,000 puts/s open loop, ${loadedS} s simulated: simulated s per wall s`,
    value: loaded.simS / loaded.wallS,
    unit: 'x real time',
    target: '≥ 100x',
    notes: `${loaded.wallS.toFixed(1)} s wall, ${loaded.puts} puts committed, trace ${loaded.hash}`,
  },
  {
    name: '5 nodes, 1,000 puts/s: trace events per wall s',
    value: loaded.events / loaded.wallS,
    unit: 'events/s',
    notes: `${loaded.events} events, ${(loaded.events / loadedS).toFixed(0)} per simulated s`,
  },
  {
    name: '5 nodes, 1,000 puts/s: committed puts per wall s',
    value: loaded.puts / loaded.wallS,
    unit: 'puts/s',
  },
];
report('sim', figures);
