// Workloads started and stopped mid-run (start-workload / stop-workload, the Storage panel's
// workload control): recorded like every action, so a run that used them replays to the same
// trace hash, through a share link too; each draws from its own PRNG stream; bad arguments are
// refused before the run with a message naming them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFragment, encodeFragment } from '../scenario/link-codec';
import { parseScenario, type Scenario } from '../scenario/schema';
import { checkActions, workloadsInEffect } from './actions';
import type { TraceRecord } from './conductor';
import { Session } from './session';

const base = (): Scenario => parseScenario({ version: 1, seed: 23 });

const reads = {
  mode: 'open',
  rate: 300,
  mix: { 'range-cheap': 1 },
  linearizable: false,
  keySpace: 50,
};
const writes = { mode: 'open', rate: 200, mix: { put: 1 }, keySpace: 50, valueBytes: 64 };

async function started(onTrace?: (r: TraceRecord) => void): Promise<Session> {
  const s = await Session.start(base(), onTrace ? { onTrace } : {});
  await s.runTo(1_500_000);
  return s;
}

const failures = (trace: TraceRecord[]) =>
  trace.filter((r) => r.kind === 'action-failed').map((r) => String(r.error));

describe('start-workload and stop-workload', () => {
  it('replays a run that started and stopped workloads to the same trace hash, via a link too', async () => {
    const s = await started();
    await s.act({ kind: 'start-workload', name: 'writes', workload: writes });
    await s.runTo(s.nowUs + 300_000);
    await s.act({ kind: 'start-workload', name: 'reads', node: 2, workload: reads });
    for (let i = 0; i < 5; i++) await s.step();
    await s.act({ kind: 'set-backend', lockMode: 'rwlock' });
    await s.runTo(s.nowUs + 400_000);
    await s.act({ kind: 'stop-workload', name: 'writes' });
    await s.runTo(s.nowUs + 200_000);
    await s.act({ kind: 'start-workload', name: 'writes', node: 3, workload: writes });
    await s.runTo(s.nowUs + 300_000);
    const scenario = s.toScenario(s.nowUs);
    expect(s.history.filter((h) => h.kind === 'put').length).toBeGreaterThan(50);
    const again = await Session.open(scenario);
    expect(again.traceHash).toBe(s.traceHash);
    const viaLink = parseScenario(await decodeFragment(await encodeFragment(scenario)));
    expect((await Session.open(viaLink)).traceHash).toBe(s.traceHash);
  });

  it('sends every call to the node given, stops calling when stopped, and may start again', async () => {
    const s = await started();
    await s.act({ kind: 'start-workload', name: 'reads', node: 2, workload: reads });
    await s.runTo(s.nowUs + 500_000);
    const made = s.history.filter((h) => h.kind === 'range-cheap');
    // about 300/s for 0.5 s
    expect(made.length).toBeGreaterThan(100);
    expect(new Set(made.map((h) => h.node))).toEqual(new Set([2]));
    await s.act({ kind: 'stop-workload', name: 'reads' });
    const stoppedAt = s.nowUs;
    await s.runTo(s.nowUs + 300_000);
    expect(s.history.filter((h) => h.kind === 'range-cheap' && h.callUs > stoppedAt)).toEqual([]);
    await s.act({ kind: 'start-workload', name: 'reads', workload: reads });
    await s.runTo(s.nowUs + 500_000);
    const nodes = new Set(
      s.history.filter((h) => h.kind === 'range-cheap' && h.callUs > stoppedAt).map((h) => h.node),
    );
    // without a node, each call goes to a node drawn at random
    expect(nodes.size).toBe(3);
  });

  it('records a start of a running name, or a stop of none, as failed and goes on', async () => {
    const trace: TraceRecord[] = [];
    const s = await started((r) => trace.push(r));
    await s.act({ kind: 'stop-workload', name: 'reads' });
    await s.act({ kind: 'start-workload', name: 'reads', workload: reads });
    await s.act({ kind: 'start-workload', name: 'reads', workload: writes });
    await s.act({ kind: 'start-workload', name: 'far', node: 7, workload: reads });
    expect(failures(trace)).toEqual([
      'no workload named reads is running',
      'workload reads is already running',
      'node 7 is not a node of this cluster',
    ]);
    await s.runTo(s.nowUs + 200_000);
    // the first start still runs, as reads only
    expect(s.history.some((h) => h.kind === 'range-cheap')).toBe(true);
    expect(s.history.some((h) => h.kind === 'put')).toBe(false);
  });

  it('leaves the other workloads’ calls as they were: each has its own PRNG stream', async () => {
    const callsOf = async (extra: boolean) => {
      const s = await started();
      await s.act({ kind: 'start-workload', name: 'reads', workload: reads });
      if (extra) await s.act({ kind: 'start-workload', name: 'writes', workload: writes });
      await s.runTo(s.nowUs + 300_000);
      return s.history
        .filter((h) => h.kind === 'range-cheap')
        .map((h) => `${h.callUs}@${h.node}`)
        .slice(0, 20);
    };
    expect(await callsOf(true)).toEqual(await callsOf(false));
  });

  it('refuses bad arguments before the run, naming them', () => {
    const at = (a: Record<string, unknown>) => () =>
      checkActions([{ atUs: 5, kind: 'start-workload', ...a }]);
    expect(at({ workload: reads })).toThrow(
      /action start-workload at 5 µs: name must be 1 to 40 lower-case letters/,
    );
    expect(at({ name: 'Big Name', workload: reads })).toThrow(/name must be/);
    expect(at({ name: 'r', workload: { ...reads, rate: -1 } })).toThrow(
      'action start-workload at 5 µs: workload.rate: must be',
    );
    expect(at({ name: 'r', workload: { ...reads, mix: { scan: 1 } } })).toThrow(
      /action start-workload at 5 µs: workload.mix/,
    );
    expect(at({ name: 'r', workload: { ...reads, startMs: 10 } })).toThrow(
      'runs from the action to a stop-workload action',
    );
    expect(at({ name: 'r', workload: 'reads' })).toThrow(/workload: must be an object/);
    expect(at({ name: 'r', node: 0, workload: reads })).toThrow(/node must be a node id/);
    expect(() => checkActions([{ atUs: 5, kind: 'stop-workload' }])).toThrow(/name must be/);
  });

  it('tells which workloads run at any place of a scenario', () => {
    const scenario = parseScenario({
      version: 1,
      actions: [
        { atUs: 10, kind: 'start-workload', name: 'a', node: 1, workload: reads },
        { atUs: 20, kind: 'start-workload', name: 'b', workload: writes },
        { atUs: 25, kind: 'start-workload', name: 'a', workload: writes },
        { atUs: 30, kind: 'stop-workload', name: 'a' },
        { atUs: 35, kind: 'stop-workload', name: 'zzz' },
        { atUs: 40, kind: 'start-workload', name: 'a', workload: writes },
      ],
    });
    const at = (us: number) =>
      [...workloadsInEffect(scenario, us)].map(([n, w]) => `${n}:${w.workload.rate}@${w.node}`);
    expect(at(5)).toEqual([]);
    expect(at(10)).toEqual(['a:300@1']);
    // the second start of a running 'a' failed: it is still the first
    expect(at(29)).toEqual(['a:300@1', 'b:200@undefined']);
    expect(at(35)).toEqual(['b:200@undefined']);
    expect(at(40)).toEqual(['b:200@undefined', 'a:200@undefined']);
  });

  it('replays any sequence of workload starts and stops exactly', async () => {
    const op = fc.oneof(
      fc.integer({ min: 1, max: 300 }).map((ms) => ({ op: 'run' as const, ms })),
      fc
        .record({
          name: fc.constantFrom('a', 'b'),
          node: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
          rate: fc.integer({ min: 1, max: 400 }),
          kind: fc.constantFrom('put', 'range-cheap', 'range-expensive'),
        })
        .map((r) => ({
          op: 'act' as const,
          action: {
            kind: 'start-workload',
            name: r.name,
            ...(r.node !== undefined ? { node: r.node } : {}),
            workload: { mode: 'open', rate: r.rate, mix: { [r.kind]: 1 }, keySpace: 30 },
          },
        })),
      fc
        .constantFrom('a', 'b')
        .map((name) => ({ op: 'act' as const, action: { kind: 'stop-workload', name } })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        const s = await started();
        for (const o of ops) {
          if (o.op === 'run') await s.runTo(s.nowUs + o.ms * 1000);
          else await s.act(o.action);
        }
        const again = await Session.open(s.toScenario(s.nowUs));
        expect(again.traceHash).toBe(s.traceHash);
      }),
      { numRuns: 8 },
    );
  });
});
