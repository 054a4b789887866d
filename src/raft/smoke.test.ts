import { describe, expect, it } from 'vitest';
import { Network, enc } from './testing/network';

describe('smoke', () => {
  it('elects a leader and commits a proposal in a 3-node cluster', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    expect(nt.raw(1).status().raftState).toBe('StateLeader');
    expect(nt.raw(2).status().lead).toBe(1);
    nt.propose(1, enc('x'));
    for (const id of [1, 2, 3]) {
      const st = nt.raw(id).status();
      expect(st.commit).toBe(2);
      expect(st.applied).toBe(2);
    }
  });
  it('single node becomes leader after advance', () => {
    const nt = new Network([1]);
    nt.campaign(1);
    expect(nt.raw(1).status()).toMatchObject({ raftState: 'StateLeader', commit: 1, term: 1 });
  });
});
