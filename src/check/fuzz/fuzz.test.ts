import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/schema';
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
