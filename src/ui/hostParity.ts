// The determinism promise, checked live: the same scenario and seed run once with every node in
// this thread (memory disks) and once with a Web Worker and an IndexedDB database per node. The
// two trace hashes must be equal.
import { InProcessHost } from '../host/inproc-host';
import { WorkerHost } from '../host/worker-host';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { nodeSpecs, startCluster } from '../sim/cluster';

export interface ParityRun {
  host: 'in-process' | 'worker';
  traceHash: string;
  traceEvents: number;
  simulatedMs: number;
  wallMs: number;
  /** The IndexedDB databases the run wrote (worker host only). */
  databases: string[];
}

const SEED = 42;
const text = (s: string) => new TextEncoder().encode(s);

/**
 * Elects a leader, opens watches on nodes 2 and 3 (their responses stream out of the workers),
 * writes through node 1, reads through node 2; crashes node 3, changes settings
 * (the nodes up are sent them, node 3 gets them as it restarts), then idles: 4 simulated s.
 * Clients are a millisecond from the members, so the worker host also runs nodes side by side
 * (Conductor.runAhead) through the crash, the restart and the settings change.
 */
export async function runParityScenario(
  host: 'in-process' | 'worker',
  namespace: string,
): Promise<ParityRun> {
  const settings = { ...DEFAULT_SETTINGS, clientLatencyMs: 1 };
  const specs = nodeSpecs(settings, SEED);
  const nodeHost = host === 'worker' ? new WorkerHost(specs, namespace) : new InProcessHost(specs);
  const started = performance.now();
  try {
    const c = await startCluster({ settings, seed: SEED, host: nodeHost });
    await c.conductor.runUntil(2_000_000);
    const watcher = 9;
    c.conductor.request(2, watcher, 1, {
      method: 'watch',
      body: { key: text('greeting'), prev_kv: true },
    });
    c.conductor.request(3, watcher, 2, {
      method: 'watch',
      body: { key: text('g'), range_end: text('h'), start_revision: 1 },
    });
    await c.call(1, { method: 'put', body: { key: text('greeting'), value: text('hello') } });
    await c.call(2, { method: 'range', body: { key: text('greeting') } });
    await c.conductor.crash(3);
    c.configure({ heartbeatMs: 50, electionTimeoutMs: 500, lockMode: 'coarse', fsyncMs: 3 });
    await c.conductor.runUntil(3_000_000);
    await c.conductor.restart(3);
    await c.conductor.runUntil(4_000_000);
    const databases =
      nodeHost instanceof WorkerHost
        ? (await indexedDB.databases())
            .map((d) => d.name ?? '')
            .filter((name) => name.startsWith(`raftlab/${namespace}/`))
            .sort()
        : [];
    return {
      databases,
      host,
      traceHash: c.conductor.traceHash,
      traceEvents: c.conductor.traceLength,
      simulatedMs: c.conductor.now / 1000,
      wallMs: performance.now() - started,
    };
  } finally {
    if (nodeHost instanceof WorkerHost) await nodeHost.destroy();
    else await nodeHost.close();
  }
}
