import { expect, test } from '@playwright/test';
import { runScenario } from '../src/sim/run-scenario';
import { benchScenario } from '../src/ui/bench/run';
import { runBenchPage } from './bench-page';

// Under load the conductor hands each node worker several events per round trip, with the wake-ups
// the node asks for, and (clients a trip away, as in the benchmark) several workers at once
// (src/sim/batch.ts, Conductor.runAhead). That must not change the run: the benchmark page's
// closed-loop load, run with a Web Worker and an IndexedDB database per node, gives the trace hash
// the same scenario gives with every node in this (Node) process, one event at a time.
test('the worker host under load, batching events, gives the in-process trace hash', async ({
  page,
}) => {
  const r = await runBenchPage(page, 'concurrency=16&sim=0.5');
  expect(r.committedPuts).toBeGreaterThan(100);
  const { scenario, untilUs } = benchScenario(r);
  const inproc = await runScenario(scenario, { untilUs });
  expect(inproc.metrics.ops.put?.ok).toBe(r.committedPuts);
  expect(r.traceHash).toBe(inproc.traceHash);
  // And it batches: one event per round trip would be some 25 calls to the workers per put.
  expect(r.roundTripsPerPut).toBeLessThan(4);
});
