// Runs a scenario document headless: the CLI, the benchmarks and the fuzzer run scenarios through
// here. It is a Session run to a time, so a scenario replays here exactly as in the playground
// (the same actions at the same places, the same trace hash).
import type { ClientRequest, ClientResponse } from '../server/requests';
import type { PeerMessage } from '../server/peer';
import type { Scenario } from '../scenario/schema';
import type { Cluster } from './cluster';
import type { TraceRecord } from './conductor';
import type { NodeHost } from './host-contract';
import type { RunMetrics } from './metrics';
import { Session } from './session';

export interface RunOptions {
  /** Run to this time; without it, to the scenario's cursor (exactly, as a share link opens). */
  untilUs?: number;
  host?: NodeHost<PeerMessage, ClientRequest, ClientResponse>;
  onTrace?: (r: TraceRecord) => void;
}

export interface RunResult {
  metrics: RunMetrics;
  traceHash: string;
  traceEvents: number;
  cluster: Cluster;
  session: Session;
}

export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<RunResult> {
  const session = await Session.start(scenario, {
    ...(opts.host ? { host: opts.host } : {}),
    ...(opts.onTrace ? { onTrace: opts.onTrace } : {}),
  });
  if (opts.untilUs === undefined)
    await session.runToPlace(scenario.cursorUs, scenario.cursorEvents);
  else await session.runTo(opts.untilUs);
  return {
    metrics: session.summary(),
    traceHash: session.traceHash,
    traceEvents: session.cluster.conductor.traceLength,
    cluster: session.cluster,
    session,
  };
}
