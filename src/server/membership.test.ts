import { describe, expect, it } from 'vitest';
import { checkAdd, checkPromote, checkRemove, type MembershipView } from './membership';

const view = (over: Partial<MembershipView> = {}): MembershipView => ({
  self: 1,
  voters: [1, 2, 3],
  learners: [],
  started: new Set([1, 2, 3]),
  lastHeardUs: new Map([
    [2, 9_000_000],
    [3, 9_000_000],
  ]),
  nowUs: 10_000_000,
  ...over,
});
const down3 = { lastHeardUs: new Map([[2, 9_000_000]]) };

describe('membership checks (etcd 3.4 strict reconfig)', () => {
  it('allows adding to a healthy cluster, a member that never starts included', () => {
    expect(checkAdd(view(), 4, false)).toBeUndefined();
    expect(checkAdd(view(), 4, true)).toBeUndefined();
  });

  it('refuses an addition while a voter is down: unhealthy cluster', () => {
    expect(checkAdd(view(down3), 4, false)).toBe('Unhealthy');
  });

  it('refuses an addition that would lose quorum if the new member never started', () => {
    // 4 voters, the 4th never started: a 5th needs 3 started of 5, and only 3 have.
    const v = view({ voters: [1, 2, 3, 4], started: new Set([1, 2]) });
    expect(checkAdd(v, 5, false)).toBe('NotEnoughStartedMembers');
  });

  it('refuses an existing id', () => {
    expect(checkAdd(view(), 2, false)).toBe('MemberExist');
  });

  it('allows removing a down member, and a healthy one when the rest keep a quorum', () => {
    expect(checkRemove(view(down3), 3)).toBeUndefined();
    expect(checkRemove(view(), 3)).toBeUndefined();
  });

  it('refuses a removal that would leave fewer active members than a quorum', () => {
    // 3 voters, 3 is down: removing 2 leaves {1, 3} with only 1 active.
    expect(checkRemove(view(down3), 2)).toBe('Unhealthy');
    // 5 voters, 2 down: removing an active one leaves 2 active of 4.
    const five = view({
      voters: [1, 2, 3, 4, 5],
      started: new Set([1, 2, 3, 4, 5]),
      lastHeardUs: new Map([
        [2, 9_500_000],
        [3, 9_500_000],
      ]),
    });
    expect(checkRemove(five, 2)).toBe('Unhealthy');
    expect(checkRemove(five, 4)).toBeUndefined();
  });

  it('names a member that does not exist', () => {
    expect(checkRemove(view(), 9)).toBe('MemberNotFound');
    expect(checkPromote(view(), 9, 10, 10)).toBe('MemberNotFound');
  });

  it('promotes only a learner that has caught up', () => {
    const v = view({ learners: [4], started: new Set([1, 2, 3, 4]) });
    expect(checkPromote(v, 2, 100, 100)).toBe('MemberNotLearner');
    expect(checkPromote(v, 4, 100, 50)).toBe('LearnerNotReady');
    expect(checkPromote(v, 4, 100, 95)).toBeUndefined();
  });
});
