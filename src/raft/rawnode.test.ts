// The RawNode contract (etcd's rawnode_test.go): Ready/advance, restart from storage, status,
// argument errors.
import { describe, expect, it } from 'vitest';
import { ProposalDroppedError, RawNode, StepLocalMsgError, StepPeerNotFoundError } from './index';
import { MemoryStorage } from './storage';
import { confStateOf, entsWithTerms } from './testing/helpers';
import { Network, enc, newTestNode, persistReady, seededRand } from './testing/network';

describe('RawNode', () => {
  it('validates its config with messages that name the field', () => {
    const storage = new MemoryStorage({ confState: { voters: [1] } });
    const base = { id: 1, electionTick: 10, heartbeatTick: 1, storage, rand: seededRand(1) };
    expect(() => new RawNode({ ...base, id: 0 })).toThrow(/config.id/);
    expect(() => new RawNode({ ...base, heartbeatTick: 0 })).toThrow(/heartbeatTick/);
    expect(() => new RawNode({ ...base, electionTick: 1 })).toThrow(/electionTick/);
    expect(() => new RawNode({ ...base, maxInflightMsgs: 0 })).toThrow(/maxInflightMsgs/);
    expect(() => new RawNode({ ...base, readOnlyOption: 'lease-based' })).toThrow(/checkQuorum/);
    expect(() => new RawNode({ ...base, rand: undefined as unknown as () => number })).toThrow(
      /rand/,
    );
  });

  it('drops proposals without a leader', () => {
    const n = newTestNode(1, new MemoryStorage({ confState: { voters: [1, 2, 3] } }));
    expect(() => n.propose(enc('x'))).toThrow(ProposalDroppedError);
    expect(() => n.propose(enc('x'))).toThrow(/no leader at term 0/);
  });

  it('refuses local messages from the network and responses from unknown peers', () => {
    const n = newTestNode(1, new MemoryStorage({ confState: { voters: [1, 2, 3] } }));
    expect(() => n.step({ type: 'MsgHup', from: 2, to: 1 })).toThrow(StepLocalMsgError);
    expect(() => n.step({ type: 'MsgAppResp', from: 9, to: 1, term: 1 })).toThrow(
      StepPeerNotFoundError,
    );
  });

  it('refuses malformed messages with a message saying what is wrong', () => {
    const n = newTestNode(1, new MemoryStorage({ confState: { voters: [1, 2, 3] } }));
    expect(() => n.step({ type: 'MsgNope' as 'MsgApp', from: 2, to: 1 })).toThrow(
      /unknown message type MsgNope/,
    );
    expect(() => n.step({ type: 'MsgApp', from: 2, to: 1, term: -1 })).toThrow(/MsgApp.term/);
    expect(() => n.propose(42 as unknown as Uint8Array)).toThrow(/propose: data/);
  });

  it('reports soft and hard state only when they change', () => {
    const s = new MemoryStorage({ confState: { voters: [1] } });
    const n = newTestNode(1, s);
    expect(n.hasReady()).toBe(false);
    n.campaign();
    let rd = n.ready();
    expect(rd.softState).toEqual({ lead: 0, raftState: 'StateCandidate' });
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(rd.mustSync).toBe(true);
    persistReady(s, rd);
    n.advance(rd);
    rd = n.ready();
    expect(rd.softState).toEqual({ lead: 1, raftState: 'StateLeader' });
    expect(rd.hardState).toBeUndefined();
    expect(rd.entries.length).toBe(1);
    persistReady(s, rd);
    n.advance(rd);
    rd = n.ready();
    expect(rd.softState).toBeUndefined();
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 1 });
    expect(rd.mustSync).toBe(false);
    persistReady(s, rd);
    n.advance(rd);
    expect(n.hasReady()).toBe(false);
    expect(() => {
      n.ready();
      n.ready();
    }).not.toThrow(); // an empty Ready accepted twice is harmless
  });

  it('status reports the fields the UI draws, with progress on the leader', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    nt.propose(1, 'x');
    const st = nt.raw(1).status();
    expect(st).toMatchObject({
      id: 1,
      term: 1,
      vote: 1,
      commit: 2,
      lead: 1,
      applied: 2,
      raftState: 'StateLeader',
      heartbeatElapsed: 0,
      electionElapsed: 0,
    });
    expect(st.randomizedElectionTimeout).toBeGreaterThanOrEqual(10);
    expect(st.randomizedElectionTimeout).toBeLessThan(20);
    expect(st.progress).toEqual({
      1: { match: 2, next: 3, state: 'StateReplicate', inflight: 0 },
      2: { match: 2, next: 3, state: 'StateReplicate', inflight: 0 },
      3: { match: 2, next: 3, state: 'StateReplicate', inflight: 0 },
    });
    expect(nt.raw(2).status().progress).toBeUndefined();
  });

  it('redraws the randomized election timeout on every state change, from config.rand', () => {
    const draws: number[] = [];
    const rand = (): number => {
      const v = [0.05, 0.55, 0.95][draws.length % 3]!;
      draws.push(v);
      return v;
    };
    const n = new RawNode({
      id: 1,
      electionTick: 10,
      heartbeatTick: 1,
      storage: new MemoryStorage({ confState: { voters: [1, 2] } }),
      rand,
    });
    expect(n.status().randomizedElectionTimeout).toBe(10);
    n.campaign(); // becomeCandidate -> reset
    expect(n.status().randomizedElectionTimeout).toBe(15);
    n.step({ type: 'MsgHeartbeat', from: 2, to: 1, term: 2 }); // becomeFollower -> reset
    expect(n.status().randomizedElectionTimeout).toBe(19);
    expect(draws.length).toBe(3);
  });

  it('restarts from storage exactly: hard state, entries, applied', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    for (let i = 0; i < 5; i++) nt.propose(1, `e${i}`);
    const before = nt.raw(2).status();
    const log = nt.log(2);
    const tn = nt.restart(2, { applied: before.applied });
    const after = tn.node.status();
    expect([after.term, after.vote, after.commit, after.applied]).toEqual([
      before.term,
      before.vote,
      before.commit,
      before.commit,
    ]);
    expect(nt.log(2)).toEqual(log);
    expect(after.raftState).toBe('StateFollower');
    expect(after.lead).toBe(0);
    // it rejoins and keeps committing
    nt.propose(1, 'after restart');
    expect(nt.raw(2).status().commit).toBe(nt.raw(1).status().commit);
  });

  it('restarted without an applied index, it hands out the committed entries again', () => {
    const s = new MemoryStorage({ confState: { voters: [1] } });
    s.append(entsWithTerms([1, 1, 1]));
    s.setHardState({ term: 1, vote: 1, commit: 2 });
    const n = newTestNode(1, s);
    const rd = n.ready();
    expect(rd.committedEntries.map((e) => e.index)).toEqual([1, 2]);
    expect(rd.entries).toEqual([]);
    n.advance(rd);
    expect(n.status().applied).toBe(2);
  });

  it('restarts from a snapshot plus entries', () => {
    const s = new MemoryStorage();
    s.applySnapshot({
      data: enc('snap'),
      metadata: {
        index: 10,
        term: 2,
        confState: confStateOf([1, 2]),
      },
    });
    s.append(entsWithTerms([2, 3], 11));
    s.setHardState({ term: 3, vote: 2, commit: 11 });
    const n = newTestNode(1, s, { applied: 10 });
    const st = n.status();
    expect([st.term, st.vote, st.commit, st.applied]).toEqual([3, 2, 11, 10]);
    const rd = n.ready();
    expect(rd.committedEntries.map((e) => e.index)).toEqual([11]);
    expect(n.confState().voters).toEqual([1, 2]);
  });

  it('refuses a hard state whose commit lies beyond the log', () => {
    const s = new MemoryStorage({ confState: { voters: [1] } });
    s.setHardState({ term: 1, vote: 1, commit: 5 });
    expect(() => newTestNode(1, s)).toThrow(/out of range/);
  });

  it('a follower forwards proposals to the leader unless forwarding is disabled', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    nt.propose(2, 'via follower');
    expect(nt.raw(1).status().commit).toBe(2);
    const nt2 = new Network([1, 2, 3], { disableProposalForwarding: true });
    nt2.campaign(1);
    expect(() => nt2.raw(2).propose(enc('x'))).toThrow(/not forwarding/);
  });
});
