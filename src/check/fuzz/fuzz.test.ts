import { describe, expect, it } from 'vitest';
import { defaultScenario, parseScenario } from '../../scenario/schema';
import { Session } from '../../sim/session';
import { checkHistory } from '../linearizability';
import { checkActions } from '../../sim/actions';
import { checkSessionHistory } from './history-check';
import { planScenario } from './plan';
import { runOnce } from './run';
import { shrink } from './shrink';

describe('the nemesis plan', () => {
  it('is a valid scenario, the same for the same seed, different for another', () => {
    const a = planScenario(4, { minutes: 1 });
    expect(planScenario(4, { minutes: 1 })).toEqual(a);
    expect(planScenario(5, { minutes: 1 })).not.toEqual(a);
    expect(parseScenario(JSON.parse(JSON.stringify(a)))).toEqual(a);
    expect(() => checkActions(a.actions)).not.toThrow();
    expect(a.actions.length).toBeGreaterThan(10);
    // Everything is healed for the last stretch, so the last answers come back.
    const last = a.actions.filter((x) => x.atUs === a.actions.at(-1)!.atUs).map((x) => x.kind);
    expect(last).toEqual(expect.arrayContaining(['heal-all', 'restart-all', 'resume-all']));
  });

  it('leans on an unsafe setting’s weak spot', () => {
    const kinds = (u?: 'no-vote-persist') =>
      planScenario(9, { minutes: 1, ...(u ? { unsafe: u } : {}) }).actions.filter(
        (a) => a.kind === 'campaign',
      ).length;
    expect(kinds('no-vote-persist')).toBeGreaterThan(3 * kinds());
  });
});

describe('a fuzz run', () => {
  it('finds nothing with safe settings, and checks the whole history', async () => {
    const s = planScenario(2, { minutes: 0.25 });
    const out = await runOnce(s, s.cursorUs, checkSessionHistory);
    expect(out.finding).toBeUndefined();
    expect(out.unknown).toBeUndefined();
    expect(out.ops).toBeGreaterThan(300);
    expect(out.endUs).toBe(s.cursorUs);
  });

  it('catches no-vote-persist as two leaders in a term, shrinks it, and the safe twin is clean', async () => {
    const s = planScenario(3, { minutes: 1, unsafe: 'no-vote-persist' });
    const out = await runOnce(s, s.cursorUs);
    expect(out.finding?.kind).toBe('invariant');
    expect(out.finding?.violation?.invariant).toBe('election-safety');
    const small = await shrink(s, out.finding!, { maxRuns: 20 });
    expect(small.scenario.actions.length).toBeLessThan(s.actions.length / 4);
    const again = await runOnce(small.scenario, small.scenario.cursorUs);
    expect(again.finding?.violation?.invariant).toBe('election-safety');
    // The same faults without the unsafe setting break nothing.
    const safe = { ...small.scenario, settings: { ...small.scenario.settings, unsafe: [] } };
    expect((await runOnce(safe, safe.cursorUs)).finding).toBeUndefined();
  });

  it('catches local-reads with the linearizability checker', async () => {
    const s = planScenario(1, { minutes: 1, unsafe: 'local-reads' });
    // The first seconds are enough (a run cut short leaves its last calls unanswered: they count
    // as calls that may or may not have happened).
    const out = await runOnce(s, 4_000_000, checkSessionHistory);
    expect(out.finding?.kind).toBe('linearizability');
    expect(out.finding?.message).toMatch(/revisions/);
  });
});

describe('lease expiry in a history', () => {
  it('records the revoke as a system call, without which the revisions cannot be explained', async () => {
    const s = defaultScenario(8);
    s.workloads = [
      {
        mode: 'open',
        rate: 50,
        concurrency: 1,
        mix: { put: 1, 'range-cheap': 1 },
        linearizable: true,
        keySpace: 3,
        valueBytes: 4,
        startMs: 500,
        stopMs: 5000,
      },
    ];
    s.actions = [{ atUs: 2_000_000, kind: 'lease-put', node: 1, id: 100, ttl: 1 }];
    const session = await Session.start(s);
    await session.runTo(6_000_000);
    const revoke = session.history.find((op) => op.clientId === 0);
    expect(revoke?.request).toMatchObject({ method: 'deleteRange' });
    const leased = session.history.find(
      (op) => op.request.method === 'put' && op.request.body.lease === 100,
    );
    expect(leased?.response).toBeDefined();
    const { result } = checkSessionHistory(session);
    expect(result.verdict).toBe('ok');
    // Without the revoke, the revision it made is a gap no call can fill.
    const without = session.history.filter((op) => op.clientId !== 0);
    expect(checkHistory(without).verdict).toBe('illegal');
    await session.dispose();
  });
});
