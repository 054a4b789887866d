// Runs a scenario document headless: starts the cluster it describes, schedules its actions and
// workloads, runs to a simulated time, and reports metrics and the trace hash. The CLI, the
// benchmarks and the fuzzer all run scenarios through here.
import type { PeerMessage } from '../server/peer';
import type { ClientRequest, ClientResponse } from '../server/requests';
import { WRITE_METHODS } from '../server/requests';
import type { Scenario } from '../scenario/schema';
import { checkActions, performAction, type ActionContext } from './actions';
import { startCluster, type Cluster } from './cluster';
import type { TraceRecord } from './conductor';
import type { NodeHost } from './host-contract';
import { MetricsRecorder, type RunMetrics } from './metrics';
import { WorkloadGenerator } from './workload';

export interface RunOptions {
  untilUs: number;
  host?: NodeHost<PeerMessage, ClientRequest, ClientResponse>;
  onTrace?: (r: TraceRecord) => void;
}

export interface RunResult {
  metrics: RunMetrics;
  traceHash: string;
  traceEvents: number;
  cluster: Cluster;
}

/** Client ids: 1 for actions, 1000 + 1000 * workload + client for workloads. */
const ACTION_CLIENT = 1;

export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<RunResult> {
  const nodes = Array.from({ length: scenario.settings.size }, (_, i) => i + 1);
  checkActions(scenario.actions);
  const metrics = new MetricsRecorder();
  const inflight = new Map<
    string,
    { kind: string; sentUs: number; method: string; onDone?: (r: ClientResponse) => void }
  >();
  let nextRequestId = 1;

  const cluster = await startCluster({
    settings: scenario.settings,
    seed: scenario.seed,
    ...(opts.host ? { host: opts.host } : {}),
    onTrace: (r) => {
      if (r.kind === 'leader-change' && r.to === r.node) metrics.recordLeaderChange();
      opts.onTrace?.(r);
    },
    onResponse: (r) => {
      const key = `${r.clientId}/${r.requestId}`;
      const op = inflight.get(key);
      if (!op) return;
      inflight.delete(key);
      const error = r.response.ok ? undefined : r.response.error.message;
      metrics.recordOp(op.kind, r.atUs - op.sentUs, r.response.ok, error);
      if (!r.response.ok && WRITE_METHODS.has(op.method as never)) metrics.recordFailedProposal();
      op.onDone?.(r.response);
    },
  });
  const { conductor } = cluster;

  function send(
    node: number,
    clientId: number,
    kind: string,
    request: ClientRequest,
    onDone?: (r: ClientResponse) => void,
  ) {
    const requestId = nextRequestId++;
    inflight.set(`${clientId}/${requestId}`, {
      kind,
      sentUs: conductor.now,
      method: request.method,
      ...(onDone ? { onDone } : {}),
    });
    conductor.request(node, clientId, requestId, request);
  }

  const ctx: ActionContext = {
    cluster,
    send: (node, request, onDone) =>
      send(node, ACTION_CLIENT, `action:${request.method}`, request, onDone),
  };
  for (const a of scenario.actions) {
    conductor.at(a.atUs, a.kind, () => performAction(a, ctx));
  }

  scenario.workloads.forEach((spec, w) => {
    const gen = new WorkloadGenerator(spec, scenario.seed, w, () => nodes);
    const startUs = Math.round(spec.startMs * 1000);
    const stopUs =
      spec.stopMs === undefined ? Number.MAX_SAFE_INTEGER : Math.round(spec.stopMs * 1000);
    const running = () => conductor.now < stopUs;
    if (spec.mode === 'open') {
      const arrive = () => {
        if (!running()) return;
        const op = gen.nextOp();
        send(gen.pickNode(), 1000 + 1000 * w, op.kind, op.request);
        conductor.at(conductor.now + gen.nextGapUs(), 'arrival', arrive);
      };
      conductor.at(startUs + gen.nextGapUs(), 'arrival', arrive);
    } else {
      for (let c = 0; c < spec.concurrency; c++) {
        const clientId = 1000 + 1000 * w + c + 1;
        const next = () => {
          if (!running()) return;
          const op = gen.nextOp();
          send(gen.pickNode(), clientId, op.kind, op.request, () => next());
        };
        conductor.at(startUs, 'client-start', next);
      }
    }
  });

  await conductor.runUntil(opts.untilUs);
  // Throughput counts from the moment the first workload started, not from time zero.
  const firstStartUs = Math.min(
    opts.untilUs,
    ...scenario.workloads.map((w) => Math.round(w.startMs * 1000)),
  );
  return {
    metrics: metrics.summary(opts.untilUs - firstStartUs),
    traceHash: conductor.traceHash,
    traceEvents: conductor.traceLength,
    cluster,
  };
}
