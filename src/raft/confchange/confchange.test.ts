import { describe, expect, it } from 'vitest';
import { ProgressTracker } from '../tracker';
import type { ConfChangeSingle, ConfState } from '../types';
import { Changer } from './confchange';
import { restore } from './restore';

const add = (nodeId: number): ConfChangeSingle => ({ type: 'ConfChangeAddNode', nodeId });
const addL = (nodeId: number): ConfChangeSingle => ({ type: 'ConfChangeAddLearnerNode', nodeId });
const rem = (nodeId: number): ConfChangeSingle => ({ type: 'ConfChangeRemoveNode', nodeId });

function apply(trk: ProgressTracker, f: (c: Changer) => ReturnType<Changer['simple']>): ConfState {
  const [cfg, prs] = f(new Changer(trk, 10));
  trk.config = cfg;
  trk.progress = prs;
  return trk.confState();
}

describe('changer', () => {
  it('simple changes add and remove one voter at a time', () => {
    const trk = new ProgressTracker(256, Infinity);
    expect(apply(trk, (c) => c.simple([add(1)])).voters).toEqual([1]);
    expect(apply(trk, (c) => c.simple([add(2)])).voters).toEqual([1, 2]);
    expect(() => apply(trk, (c) => c.simple([add(3), add(4)]))).toThrow(
      'more than one voter changed without entering joint config',
    );
    expect(apply(trk, (c) => c.simple([addL(3), add(3)])).voters).toEqual([1, 2, 3]);
    expect(apply(trk, (c) => c.simple([rem(2)])).voters).toEqual([1, 3]);
    expect(trk.progress.has(2)).toBe(false);
    expect(() => apply(trk, (c) => c.simple([rem(1), rem(3)]))).toThrow('removed all voters');
    // new peers probe from the last index
    expect(trk.progress.get(3)!.next).toBe(10);
  });

  it('a voter can be demoted to learner and a learner promoted simply', () => {
    const trk = new ProgressTracker(256, Infinity);
    apply(trk, (c) => c.simple([add(1)]));
    apply(trk, (c) => c.simple([add(2)]));
    expect(apply(trk, (c) => c.simple([addL(2)]))).toMatchObject({ voters: [1], learners: [2] });
    expect(apply(trk, (c) => c.simple([add(2)]))).toMatchObject({ voters: [1, 2], learners: [] });
  });

  it('joint: enter applies to the incoming half; leave drops the outgoing half', () => {
    const trk = new ProgressTracker(256, Infinity);
    for (const id of [1, 2, 3]) apply(trk, (c) => c.simple([add(id)]));
    const cs = apply(trk, (c) => c.enterJoint(true, [add(4), rem(3), addL(2)]));
    expect(cs).toEqual({
      voters: [1, 4],
      votersOutgoing: [1, 2, 3],
      learners: [],
      learnersNext: [2],
      autoLeave: true,
    });
    expect(() => apply(trk, (c) => c.enterJoint(false, []))).toThrow('config is already joint');
    expect(() => apply(trk, (c) => c.simple([add(5)]))).toThrow(
      "can't apply simple config change in joint config",
    );
    const left = apply(trk, (c) => c.leaveJoint());
    expect(left).toEqual({
      voters: [1, 4],
      votersOutgoing: [],
      learners: [2],
      learnersNext: [],
      autoLeave: false,
    });
    expect(trk.progress.has(3)).toBe(false);
    expect(() => apply(trk, (c) => c.leaveJoint())).toThrow("can't leave a non-joint config");
  });

  it('cannot make the empty config joint', () => {
    const trk = new ProgressTracker(256, Infinity);
    expect(() => apply(trk, (c) => c.enterJoint(false, [add(1)]))).toThrow(
      "can't make a zero-voter config joint",
    );
  });

  it('a failed change leaves the tracker untouched', () => {
    const trk = new ProgressTracker(256, Infinity);
    apply(trk, (c) => c.simple([add(1)]));
    const before = trk.confState();
    expect(() => apply(trk, (c) => c.simple([rem(1)]))).toThrow();
    expect(trk.confState()).toEqual(before);
  });
});

describe('restore', () => {
  const cases: ConfState[] = [
    { voters: [1, 2, 3], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
    { voters: [1, 2, 3], learners: [4, 5], votersOutgoing: [], learnersNext: [], autoLeave: false },
    {
      voters: [1, 2, 3],
      learners: [5],
      votersOutgoing: [1, 2, 4, 6],
      learnersNext: [4],
      autoLeave: false,
    },
    { voters: [2, 3], learners: [], votersOutgoing: [1, 2, 3], learnersNext: [], autoLeave: true },
    { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
  ];
  it.each(cases)('round-trips %j', (cs) => {
    const trk = new ProgressTracker(256, Infinity);
    restore(trk, 10, cs);
    expect(trk.confState()).toEqual(cs);
  });
});
