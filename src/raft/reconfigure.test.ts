// Raft.reconfigure: a running node's election timeout, PreVote, CheckQuorum and read-only option
// change without losing its state (raftlab's playground changes settings mid-run).
import { describe, expect, it } from 'vitest';
import { forceLeader, newTestRaft, newTestStorage } from './testing/helpers';

describe('Raft.reconfigure', () => {
  it('draws a new election timeout at once, so a follower waits the new one', () => {
    const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]));
    r.becomeFollower(1, 0);
    r.reconfigure({ electionTick: 50 });
    expect(r.electionTimeout).toBe(50);
    expect(r.randomizedElectionTimeout).toBeGreaterThanOrEqual(50);
    expect(r.randomizedElectionTimeout).toBeLessThan(100);
    for (let i = 0; i < 49; i++) r.tick();
    expect(r.state).toBe('StateFollower');
    for (let i = 0; i < 51; i++) r.tick();
    expect(r.state).not.toBe('StateFollower');
  });

  it('keeps the term, the vote, the log and the role', () => {
    const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]), { preVote: true });
    forceLeader(r);
    const [term, vote, last] = [r.term, r.vote, r.raftLog.lastIndex()];
    r.reconfigure({ preVote: false, checkQuorum: true, electionTick: 20 });
    expect([r.term, r.vote, r.raftLog.lastIndex(), r.state]).toEqual([
      term,
      vote,
      last,
      'StateLeader',
    ]);
    expect([r.preVote, r.checkQuorum]).toEqual([false, true]);
  });

  it('changes the read-only option, and refuses lease reads without CheckQuorum', () => {
    const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]));
    expect(() => r.reconfigure({ readOnlyOption: 'lease-based' })).toThrow(/checkQuorum/);
    expect(r.readOnly.option).toBe('safe');
    r.reconfigure({ checkQuorum: true, readOnlyOption: 'lease-based' });
    expect(r.readOnly.option).toBe('lease-based');
  });

  it('refuses an election timeout not above the heartbeat, changing nothing', () => {
    const r = newTestRaft(1, 10, 2, newTestStorage([1, 2, 3]));
    expect(() => r.reconfigure({ electionTick: 2, preVote: true })).toThrow(/electionTick/);
    expect([r.electionTimeout, r.preVote]).toEqual([10, false]);
  });
});
