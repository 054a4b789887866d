import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/schema';
import { runScenario } from './run-scenario';

const scenario = (extra: object = {}) =>
  parseScenario({
    version: 1,
    seed: 3,
    workloads: [
      {
        mode: 'closed',
        concurrency: 4,
        mix: { put: 1, 'range-cheap': 1 },
        keySpace: 50,
        startMs: 2000,
      },
      { mode: 'open', rate: 200, mix: { put: 1 }, keySpace: 50, startMs: 2000 },
    ],
    ...extra,
  });

describe('runScenario', () => {
  it('runs workloads and reports latency, throughput and elections', async () => {
    const r = await runScenario(scenario(), { untilUs: 6_000_000 });
    const put = r.metrics.ops.put!;
    const read = r.metrics.ops['range-cheap']!;
    expect(put.ok).toBeGreaterThan(500);
    expect(read.ok).toBeGreaterThan(100);
    // A put pays at least two fsyncs (leader and follower) and a round trip.
    expect(put.p50Ms).toBeGreaterThan(2);
    expect(put.p99Ms).toBeGreaterThanOrEqual(put.p50Ms);
    expect(r.metrics.leaderChanges).toBe(1);
    expect(r.metrics.failedProposals).toBe(0);
  });

  it('replays identically, and a crash action changes the run', async () => {
    const a = await runScenario(scenario(), { untilUs: 4_000_000 });
    const b = await runScenario(scenario(), { untilUs: 4_000_000 });
    expect(b.traceHash).toBe(a.traceHash);
    const crashed = await runScenario(
      scenario({
        actions: [
          { atUs: 3_000_000, kind: 'crash', node: 1 },
          { atUs: 3_500_000, kind: 'restart', node: 1 },
        ],
      }),
      { untilUs: 4_000_000 },
    );
    expect(crashed.traceHash).not.toBe(a.traceHash);
  });

  it('refuses an action it does not know, or a malformed one, before running', async () => {
    await expect(
      runScenario(scenario({ actions: [{ atUs: 1, kind: 'explode' }] }), { untilUs: 1 }),
    ).rejects.toThrow(/action explode at 1 µs is not one raftlab knows/);
    await expect(
      runScenario(scenario({ actions: [{ atUs: 1, kind: 'crash', node: 0 }] }), { untilUs: 1 }),
    ).rejects.toThrow(/node must be a node id from 1 to 36, got 0/);
  });

  it('records an action that cannot be performed in the trace, and goes on', async () => {
    const notes: string[] = [];
    const r = await runScenario(scenario({ actions: [{ atUs: 1_000, kind: 'crash', node: 7 }] }), {
      untilUs: 3_000_000,
      onTrace: (t) => t.kind === 'action-failed' && notes.push(String(t.error)),
    });
    expect(notes).toEqual(['node 7 is not a node of this cluster']);
    expect(r.metrics.leaderChanges).toBe(1);
  });
});

describe('runScenario and the playground agree', () => {
  it('a share link run headless gives the trace hash the live run showed', async () => {
    const { Session } = await import('./session');
    const { encodeFragment, decodeFragment } = await import('../scenario/link-codec');
    const live = await Session.start(scenario());
    await live.runTo(2_500_000);
    await live.act({ kind: 'crash', node: 2 });
    await live.step();
    await live.act({ kind: 'put', node: 1, key: 'a', value: 'b' });
    await live.runTo(3_200_000);
    const link = await encodeFragment(live.toScenario(live.nowUs));
    const headless = await runScenario(parseScenario(await decodeFragment(link)), {});
    expect(headless.traceHash).toBe(live.traceHash);
  });
});
