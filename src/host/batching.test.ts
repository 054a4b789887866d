// Running a node's inputs ahead in batches (NodeHost.stepMany, what the worker host does to save
// round trips) must not change a run: the same scenarios give the same trace hash with it as
// without it (scripts/trace-hashes.ts --batched checks a larger set).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { planScenario } from '../check/fuzz/plan';
import { parseScenario, type Scenario } from '../scenario/schema';
import { nodeSpecs } from '../sim/cluster';
import { runScenario } from '../sim/run-scenario';
import { BatchingInProcessHost } from './batching-host';
import { InProcessHost } from './inproc-host';

async function hashes(scenario: Scenario, untilUs: number) {
  const specs = nodeSpecs(scenario.settings, scenario.seed);
  const plain = await runScenario(scenario, { untilUs, host: new InProcessHost(specs) });
  const host = new BatchingInProcessHost(specs);
  const batched = await runScenario(scenario, { untilUs, host });
  return {
    plain: plain.traceHash,
    batched: batched.traceHash,
    ran: host.ran,
    together: host.together,
  };
}

const closedLoop = (concurrency: number, settings: object = {}) =>
  parseScenario({
    version: 1,
    seed: 5,
    title: `closed loop x${concurrency}`,
    settings: { size: 3, ...settings },
    workloads: [
      {
        mode: 'closed',
        concurrency,
        mix: { put: 3, 'range-cheap': 1, txn: 1 },
        keySpace: 200,
        startMs: 1500,
      },
    ],
  });

describe('running inputs ahead in batches', () => {
  it('leaves the trace of a loaded cluster unchanged, and does batch', async () => {
    for (const s of [closedLoop(1), closedLoop(32), closedLoop(16, { fsyncMs: 0.3 })]) {
      const r = await hashes(s, 3_000_000);
      expect(r.batched, s.title).toBe(r.plain);
      // Not vacuous: many calls ran several inputs.
      expect(r.ran.filter((n) => n > 1).length, s.title).toBeGreaterThan(50);
    }
  });

  it('leaves the trace of faulty runs unchanged (the partition example, fuzz plans)', async () => {
    const partition = parseScenario(
      JSON.parse(readFileSync(new URL('../../scenarios/partition.json', import.meta.url), 'utf8')),
    );
    const r = await hashes(partition, 15_000_000);
    expect(r.batched).toBe(r.plain);
    for (const seed of [1, 2, 3]) {
      const plan = planScenario(seed, { minutes: 0.2 });
      const f = await hashes(plan, plan.cursorUs!);
      expect(f.batched, `fuzz seed ${seed}`).toBe(f.plain);
    }
    const unsafe = planScenario(7, { minutes: 0.2, unsafe: 'ack-before-fsync' });
    const u = await hashes(unsafe, unsafe.cursorUs!);
    expect(u.batched).toBe(u.plain);
  }, 60_000);

  describe('several nodes at once, when clients are a trip away (clientLatencyMs)', () => {
    const withClients = (s: Scenario, clientLatencyMs = 1): Scenario => ({
      ...s,
      settings: { ...s.settings, clientLatencyMs },
    });

    it('leaves a loaded run unchanged, and does hand nodes their inputs together', async () => {
      for (const s of [
        closedLoop(1),
        closedLoop(64),
        closedLoop(16, { fsyncMs: 0.3, networkJitterMs: 0.5 }),
      ]) {
        const r = await hashes(withClients(s), 3_000_000);
        expect(r.batched, s.title).toBe(r.plain);
        // Not vacuous: many calls ran while another node's were under way.
        expect(r.together.filter((n) => n > 1).length, s.title).toBeGreaterThan(50);
      }
      // A client trip shorter than any message: the client's bound, not the network's, holds.
      const short = await hashes(withClients(closedLoop(32), 0.05), 3_000_000);
      expect(short.batched).toBe(short.plain);
      expect(short.together.some((n) => n > 1)).toBe(true);
    }, 60_000);

    it('leaves faulty runs unchanged (crashes, partitions, a lossy and reordering network)', async () => {
      for (const seed of [1, 2, 3, 4]) {
        const plan = withClients(planScenario(seed, { minutes: 0.2 }), 2);
        const f = await hashes(plan, plan.cursorUs!);
        expect(f.batched, `fuzz seed ${seed}`).toBe(f.plain);
      }
      const lossy = withClients(
        closedLoop(32, { networkLoss: 0.05, networkDuplicate: 0.05, networkReorder: 0.1 }),
      );
      const l = await hashes(lossy, 3_000_000);
      expect(l.batched).toBe(l.plain);
    }, 90_000);

    it('runs one node at a time with the proxy in front (it answers sooner than a trip)', async () => {
      const s = withClients(closedLoop(16, { proxy: true }));
      const r = await hashes(s, 2_500_000);
      expect(r.batched).toBe(r.plain);
      expect(r.together.every((n) => n === 1)).toBe(true);
    }, 60_000);

    it('runs one node at a time without a client trip, as before', async () => {
      const r = await hashes(closedLoop(32), 2_500_000);
      expect(r.together.every((n) => n === 1)).toBe(true);
    }, 60_000);
  });
});
