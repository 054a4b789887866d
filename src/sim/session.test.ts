// The promise behind share links: whatever a person does live — runs, single steps between
// events of the same microsecond, actions at any of those places — the scenario it records
// replays to the same trace hash, also after a trip through the link codec.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFragment, encodeFragment } from '../scenario/link-codec';
import { parseScenario, type Scenario } from '../scenario/schema';
import { Session } from './session';

const base = (): Scenario =>
  parseScenario({
    version: 1,
    seed: 91,
    workloads: [
      {
        mode: 'closed',
        concurrency: 2,
        mix: { put: 1, 'range-cheap': 1 },
        keySpace: 20,
        startMs: 1500,
      },
    ],
  });

type Live =
  | { op: 'run'; ms: number }
  | { op: 'step'; n: number }
  | { op: 'act'; action: { kind: string; [k: string]: unknown } };

const liveOp: fc.Arbitrary<Live> = fc.oneof(
  fc.integer({ min: 1, max: 400 }).map((ms) => ({ op: 'run' as const, ms })),
  fc.integer({ min: 1, max: 30 }).map((n) => ({ op: 'step' as const, n })),
  fc
    .oneof(
      fc.integer({ min: 1, max: 3 }).map((node) => ({ kind: 'crash', node })),
      fc.integer({ min: 1, max: 3 }).map((node) => ({ kind: 'restart', node })),
      fc.integer({ min: 1, max: 3 }).map((node) => ({ kind: 'pause', node })),
      fc.integer({ min: 1, max: 3 }).map((node) => ({ kind: 'resume', node })),
      fc
        .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
        .map(([from, to]) => ({ kind: 'cut', from, to, oneWay: true })),
      fc.constant({ kind: 'heal-all' }),
      fc
        .record({
          latencyMs: fc.integer({ min: 0, max: 20 }),
          loss: fc.double({ min: 0, max: 0.3, noNaN: true }),
        })
        .map((r) => ({
          kind: 'set-network',
          ...r,
        })),
      fc.integer({ min: 0, max: 10 }).map((fsyncMs) => ({ kind: 'set-disk', fsyncMs })),
      fc
        .record({
          heartbeatMs: fc.integer({ min: 20, max: 200 }),
          electionTimeoutMs: fc.integer({ min: 300, max: 2000 }),
          preVote: fc.boolean(),
          checkQuorum: fc.boolean(),
        })
        .map((r) => ({ kind: 'set-timing', ...r })),
      fc
        .constantFrom('read-index', 'lease', 'log', 'serializable')
        .map((readPath) => ({ kind: 'set-read-path', readPath })),
      fc
        .record({
          lockMode: fc.constantFrom('coarse', 'rwlock', 'concurrent'),
          batchIntervalMs: fc.integer({ min: 1, max: 200 }),
          batchLimit: fc.integer({ min: 1, max: 100 }),
        })
        .map((r) => ({ kind: 'set-backend', ...r })),
      fc
        .constantFrom('off', 'token', 'bcrypt')
        .map((authMode) => ({ kind: 'set-auth', authMode, bcryptCost: 4 })),
      fc.integer({ min: 1, max: 3 }).map((node) => ({ kind: 'put', node, key: 'k', value: 'v' })),
    )
    .map((action) => ({ op: 'act' as const, action })),
);

async function live(ops: Live[]): Promise<{ scenario: Scenario; hash: string; nowUs: number }> {
  const s = await Session.start(base());
  await s.runTo(1_000_000);
  for (const o of ops) {
    if (o.op === 'run') await s.runTo(s.nowUs + o.ms * 1000);
    else if (o.op === 'step') for (let i = 0; i < o.n; i++) await s.step();
    else await s.act(o.action);
  }
  return { scenario: s.toScenario(s.nowUs), hash: s.traceHash, nowUs: s.nowUs };
}

async function replay(scenario: Scenario): Promise<string> {
  return (await Session.open(scenario)).traceHash;
}

describe('Session', () => {
  it('replays a recorded live session to the same trace hash, through a share link too', async () => {
    const run = await live([
      { op: 'run', ms: 1000 },
      { op: 'act', action: { kind: 'crash', node: 2 } },
      { op: 'step', n: 7 },
      { op: 'act', action: { kind: 'put', node: 1, key: 'a', value: 'b' } },
      { op: 'step', n: 3 },
      { op: 'act', action: { kind: 'restart', node: 2 } },
      { op: 'run', ms: 500 },
      { op: 'act', action: { kind: 'partition', groups: [[1], [2, 3]] } },
      { op: 'run', ms: 1500 },
      { op: 'act', action: { kind: 'crash', node: 3 } },
      { op: 'act', action: { kind: 'set-timing', heartbeatMs: 40, electionTimeoutMs: 400 } },
      { op: 'step', n: 2 },
      { op: 'act', action: { kind: 'set-backend', lockMode: 'coarse', batchIntervalMs: 10 } },
      { op: 'act', action: { kind: 'set-read-path', readPath: 'serializable' } },
      { op: 'act', action: { kind: 'set-auth', authMode: 'token' } },
      { op: 'act', action: { kind: 'heal-all' } },
      { op: 'run', ms: 300 },
      { op: 'act', action: { kind: 'restart', node: 3 } },
      { op: 'run', ms: 800 },
    ]);
    expect(await replay(run.scenario)).toBe(run.hash);
    const viaLink = parseScenario(await decodeFragment(await encodeFragment(run.scenario)));
    expect(await replay(viaLink)).toBe(run.hash);
  });

  it('replays any sequence of runs, steps and actions exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(liveOp, { minLength: 1, maxLength: 12 }), async (ops) => {
        const run = await live(ops);
        expect(await replay(run.scenario)).toBe(run.hash);
      }),
      { numRuns: 25 },
    );
  });

  it('records live actions with their place in the event stream', async () => {
    const s = await Session.start(base());
    await s.runTo(1_200_000);
    await s.step();
    await s.act({ kind: 'crash', node: 3 });
    const a = s.scenario.actions.at(-1)!;
    expect(a).toMatchObject({ kind: 'crash', node: 3, atUs: s.nowUs });
    expect(a.afterEvents).toBe(s.cluster.conductor.eventsProcessed);
  });
});

describe('Session answers', () => {
  it('tells its listener the answer to every request an action made', async () => {
    const s = await Session.start(base());
    await s.runTo(2_000_000);
    const answers: string[] = [];
    s.onActionAnswer = (method, r) => answers.push(`${method}:${r.ok}`);
    await s.act({ kind: 'put', node: 1, key: 'a', value: 'b' });
    await s.act({ kind: 'get', node: 2, key: 'a' });
    await s.runTo(3_000_000);
    expect([...answers].sort()).toEqual(['put:true', 'range:true']); // in whatever order they commit
  });
});
