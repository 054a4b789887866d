// One run of the browser benchmark: a scenario document run by runScenario with the worker host.
// Wall time is measured from the first workload request to the end of the run, so worker start-up
// and the election are not counted; every put answered ok in that window counts as committed.
import { WorkerHost } from '../../host/worker-host';
import { parseScenario, type Scenario } from '../../scenario/schema';
import { nodeSpecs } from '../../sim/cluster';
import { runScenario } from '../../sim/run-scenario';

export interface BrowserBenchOptions {
  concurrency: number;
  /** Simulated seconds of load, after a 2 s start for the election. */
  simulatedS: number;
  valueBytes: number;
}

export interface BrowserBenchResult extends BrowserBenchOptions {
  nodes: number;
  committedPuts: number;
  failedPuts: number;
  wallMs: number;
  putsPerWallS: number;
  putsPerSimulatedS: number;
  p50SimulatedMs: number;
  p99SimulatedMs: number;
  traceEvents: number;
  traceHash: string;
  startupMs: number;
  databases: number;
  /** Calls to the workers (step and stepMany) per committed put, start-up and election included. */
  roundTripsPerPut: number;
}

const WORKLOAD_START_MS = 2000;
/** Workload client ids start at 1000 (run-scenario.ts). */
const FIRST_WORKLOAD_CLIENT = 1000;

/** The benchmark's scenario and how long it runs (bench/browser.bench.ts replays it in Node). */
export function benchScenario(o: BrowserBenchOptions): { scenario: Scenario; untilUs: number } {
  const scenario = parseScenario({
    version: 1,
    seed: 1,
    title: `browser bench: 3 nodes, closed loop x${o.concurrency}`,
    // Clients reach the members over a link like the peers' (1 ms, the default network
    // latency): a trip that also lets the worker host step several nodes at once.
    settings: { size: 3, clientLatencyMs: 1 },
    workloads: [
      {
        mode: 'closed',
        concurrency: o.concurrency,
        mix: { put: 1 },
        keySpace: 10_000,
        valueBytes: o.valueBytes,
        startMs: WORKLOAD_START_MS,
      },
    ],
  });
  return { scenario, untilUs: (WORKLOAD_START_MS / 1000 + o.simulatedS) * 1e6 };
}

export async function runBrowserBench(o: BrowserBenchOptions): Promise<BrowserBenchResult> {
  const { scenario, untilUs } = benchScenario(o);
  const namespace = `bench-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
  const host = new WorkerHost(nodeSpecs(scenario.settings, scenario.seed), namespace);
  const started = performance.now();
  let loadStarted: number | undefined;
  try {
    const r = await runScenario(scenario, {
      untilUs,
      host,
      onTrace: (t) => {
        if (
          loadStarted === undefined &&
          t.kind === 'request' &&
          typeof t.clientId === 'number' &&
          t.clientId >= FIRST_WORKLOAD_CLIENT
        )
          loadStarted = performance.now();
      },
    });
    const ended = performance.now();
    const databases = (await indexedDB.databases()).filter((d) =>
      (d.name ?? '').startsWith(`raftlab/${namespace}/`),
    ).length;
    const put = r.metrics.ops.put;
    const wallMs = ended - (loadStarted ?? started);
    return {
      ...o,
      nodes: scenario.settings.size,
      committedPuts: put?.ok ?? 0,
      failedPuts: put?.failed ?? 0,
      wallMs,
      putsPerWallS: ((put?.ok ?? 0) * 1000) / wallMs,
      putsPerSimulatedS: put?.perSecond ?? 0,
      p50SimulatedMs: put?.p50Ms ?? 0,
      p99SimulatedMs: put?.p99Ms ?? 0,
      traceEvents: r.traceEvents,
      traceHash: r.traceHash,
      startupMs: (loadStarted ?? ended) - started,
      databases,
      roundTripsPerPut: host.roundTrips / Math.max(1, put?.ok ?? 0),
    };
  } finally {
    await host.destroy();
  }
}
