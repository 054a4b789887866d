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
//
// (c) the trace's own floor under load: the loaded run's records for a span of simulated time,
//     encoded and hashed again by a fresh TraceHasher, with no simulation at all. The run cannot
//     go faster than its trace can be hashed, so this bounds (b) from above whatever the
//     simulation costs.
import { report, type Figure } from './lib/harness';
import { simBenchScenario } from './lib/sim-scenarios';
import { runScenario } from '../src/sim/run-scenario';
import { canonicalJson, TraceHasher } from '../src/sim/trace-hash';
import type { TraceRecord } from '../src/sim/conductor';

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

/** Hashing alone: the loaded run's records in [fromS, toS) of simulated time, hashed `runs`
 *  times; the best time, as each run hashes the same bytes. */
async function traceFloor(fromS: number, toS: number, runs: number) {
  const records: TraceRecord[] = [];
  await runScenario(simBenchScenario(true), {
    untilUs: toS * 1e6,
    onTrace: (r) => {
      if (r.atUs >= fromS * 1e6) records.push(r);
    },
  });
  let bytes = 0;
  for (const r of records) bytes += canonicalJson(r).length + 1;
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const h = new TraceHasher();
    const start = performance.now();
    for (const r of records) h.add(r);
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  const simS = toS - fromS;
  return { simS, wallS: best, events: records.length, bytes };
}

const idleS = 60;
const loadedS = 30;
const idle = await measure(false, idleS, 5);
const loaded = await measure(true, loadedS, 3);
const floor = await traceFloor(3, 8, 5);

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
  {
    name: '5 nodes, 1,000 puts/s: the trace hashed alone, no simulation: simulated s per wall s',
    value: floor.simS / floor.wallS,
    unit: 'x real time',
    notes:
      `the ceiling of the loaded figure: ${floor.events} events, ` +
      `${(floor.bytes / floor.simS / 1e6).toFixed(1)} MB of canonical lines per simulated s, ` +
      `${((floor.wallS / floor.events) * 1e6).toFixed(2)} µs per event`,
  },
];
report('sim', figures);
