// The in-process benchmark's scenarios (bench/sim.bench.ts), shared with scripts/trace-hashes.ts,
// which checks that a speed-up leaves their traces unchanged.
import { parseScenario, type Scenario } from '../../src/scenario/schema';

/** 5 nodes, idle or under 1,000 puts per simulated second (open loop, 128-byte values) from 2 s. */
export function simBenchScenario(loaded: boolean): Scenario {
  return parseScenario({
    version: 1,
    seed: 1,
    title: loaded ? 'bench: 5 nodes, 1,000 puts/s open loop' : 'bench: 5 nodes idle',
    settings: { size: 5 },
    workloads: loaded
      ? [
          {
            mode: 'open',
            rate: 1000,
            mix: { put: 1 },
            keySpace: 10_000,
            valueBytes: 128,
            startMs: 2000,
          },
        ]
      : [],
  });
}
