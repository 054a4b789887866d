// Elections beyond the paper: leadership transfer, PreVote and CheckQuorum (etcd's
// TestLeaderTransfer*, TestPreVote*, TestCheckQuorum* / TestLeaderSuperseding* and friends).
import { describe, expect, it } from 'vitest';
import { ProposalDroppedError } from './errors';
import { Network, enc } from './testing/network';

const state = (nt: Network, id: number): string => nt.raw(id).status().raftState;
const term = (nt: Network, id: number): number => nt.raw(id).status().term;

/** Ticks `id` until it does something (or `max` ticks). */
function tickUntil(nt: Network, id: number, done: () => boolean, max = 100): void {
  for (let i = 0; i < max && !done(); i++) nt.tick(id);
}

describe('leader transfer', () => {
  it('to an up-to-date follower: it times out at once and wins', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    nt.act(1, (n) => n.transferLeader(2));
    expect(state(nt, 2)).toBe('StateLeader');
    expect(state(nt, 1)).toBe('StateFollower');
    expect(nt.raw(1).status().lead).toBe(2);
    expect(term(nt, 2)).toBe(2);
    // and back again
    nt.propose(2, 'x');
    nt.act(2, (n) => n.transferLeader(1));
    expect(state(nt, 1)).toBe('StateLeader');
  });

  it('requested on a follower is forwarded to the leader', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    nt.act(2, (n) => n.transferLeader(2));
    expect(state(nt, 2)).toBe('StateLeader');
  });

  it('works with CheckQuorum: the transfer vote overrides the lease', () => {
    const nt = new Network([1, 2, 3], { checkQuorum: true });
    nt.campaign(1);
    nt.act(1, (n) => n.transferLeader(2));
    expect(state(nt, 2)).toBe('StateLeader');
  });

  it('to a slow follower: the leader catches it up first', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    nt.isolate(3);
    nt.propose(1, 'a');
    nt.propose(1, 'b');
    nt.recover();
    expect(nt.raw(3).status().commit).toBeLessThan(nt.raw(1).status().commit);
    nt.act(1, (n) => n.transferLeader(3));
    expect(state(nt, 3)).toBe('StateLeader');
    expect(nt.log(3).length).toBeGreaterThanOrEqual(3);
  });

  it('to a follower that needs a snapshot', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    nt.isolate(3);
    nt.propose(1, 'a');
    const l = nt.get(1);
    const applied = l.node.status().applied;
    l.storage.createSnapshot(applied, l.node.confState(), enc('snap'));
    l.storage.compact(applied);
    nt.recover();
    // the leader must hear from 3 before it sends a snapshot
    nt.heartbeat(1);
    nt.act(1, (n) => n.transferLeader(3));
    expect(state(nt, 3)).toBe('StateLeader');
  });

  it('to itself or to an unknown node is a no-op', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    nt.act(1, (n) => n.transferLeader(1));
    expect(state(nt, 1)).toBe('StateLeader');
    expect(nt.raw(1).internal.leadTransferee).toBe(0);
    nt.act(1, (n) => n.transferLeader(4));
    expect(state(nt, 1)).toBe('StateLeader');
    expect(nt.raw(1).internal.leadTransferee).toBe(0);
  });

  it('is aborted after an election timeout, and proposals are dropped meanwhile', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    nt.isolate(3);
    nt.act(1, (n) => n.transferLeader(3));
    const r = nt.raw(1).internal;
    expect(r.leadTransferee).toBe(3);
    expect(() => nt.raw(1).propose(enc('dropped'))).toThrow(ProposalDroppedError);
    for (let i = 0; i < r.heartbeatTimeout; i++) nt.tick(1);
    expect(r.leadTransferee).toBe(3);
    for (let i = 0; i < r.electionTimeout - r.heartbeatTimeout; i++) nt.tick(1);
    expect(r.leadTransferee).toBe(0);
    expect(state(nt, 1)).toBe('StateLeader');
    nt.propose(1, 'accepted again');
  });

  it('is aborted when a higher-term vote makes the leader step down', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    nt.isolate(3);
    nt.act(1, (n) => n.transferLeader(3));
    nt.campaign(2);
    expect(state(nt, 2)).toBe('StateLeader');
    expect(nt.raw(1).internal.leadTransferee).toBe(0);
  });

  it('is aborted when the target is removed', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    nt.isolate(3);
    nt.act(1, (n) => n.transferLeader(3));
    nt.raw(1).applyConfChange({ type: 'ConfChangeRemoveNode', nodeId: 3 });
    expect(nt.raw(1).internal.leadTransferee).toBe(0);
  });

  it('a second request to the same node keeps the running one; to another node restarts', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    nt.isolate(3);
    nt.act(1, (n) => n.transferLeader(3));
    const r = nt.raw(1).internal;
    nt.tick(1);
    const elapsed = r.electionElapsed;
    nt.act(1, (n) => n.transferLeader(3));
    expect(r.electionElapsed).toBe(elapsed);
    expect(r.leadTransferee).toBe(3);
    nt.act(1, (n) => n.transferLeader(2));
    expect(state(nt, 2)).toBe('StateLeader');
  });
});

describe('PreVote', () => {
  it('an isolated node does not bump its term and cannot disrupt on return', () => {
    const nt = new Network([1, 2, 3], { preVote: true });
    nt.campaign(1);
    nt.isolate(3);
    nt.propose(1, 'x');
    tickUntil(nt, 3, () => state(nt, 3) === 'StatePreCandidate');
    expect(state(nt, 3)).toBe('StatePreCandidate');
    for (let i = 0; i < 50; i++) nt.tick(3);
    expect(term(nt, 3)).toBe(1);
    nt.recover();
    // 3 pre-campaigns: the others refuse (its log is behind) and nobody changes term
    nt.campaign(3);
    expect(term(nt, 1)).toBe(1);
    expect(state(nt, 1)).toBe('StateLeader');
    // a heartbeat brings it back as follower
    nt.heartbeat(1);
    expect(state(nt, 3)).toBe('StateFollower');
    expect(nt.raw(3).status().lead).toBe(1);
  });

  it('a pre-candidate with a quorum of pre-votes runs a real election', () => {
    const nt = new Network([1, 2, 3], { preVote: true });
    nt.campaign(1);
    expect(state(nt, 1)).toBe('StateLeader');
    expect(term(nt, 1)).toBe(1);
  });

  it('pre-vote responses carry the future term; a rejection at a higher term is adopted', () => {
    const nt = new Network([1, 2, 3], { preVote: true });
    nt.campaign(1);
    nt.isolate(1);
    // 2 and 3 elect a new leader at term 2 (with pre-vote)
    tickUntil(nt, 2, () => state(nt, 2) === 'StateLeader');
    expect(term(nt, 2)).toBe(2);
    nt.recover();
    // the old leader learns the new term from the response to its heartbeat
    nt.heartbeat(1);
    expect(state(nt, 1)).toBe('StateFollower');
    expect(term(nt, 1)).toBe(2);
  });

  it('works across a split vote: nobody gets a pre-vote majority when logs tie and votes split', () => {
    const nt = new Network([1, 2, 3], { preVote: true });
    nt.campaign(1);
    nt.isolate(1);
    // 2 and 3 both pre-campaign at once; 2's pre-votes are requested first
    nt.campaign(2);
    expect(state(nt, 2)).toBe('StateLeader');
  });
});

describe('CheckQuorum', () => {
  it('a leader that loses its quorum steps down after an election timeout', () => {
    const nt = new Network([1, 2, 3], { checkQuorum: true });
    nt.campaign(1);
    nt.isolate(1);
    const r = nt.raw(1).internal;
    for (let i = 0; i < r.electionTimeout; i++) nt.tick(1);
    expect(state(nt, 1)).toBe('StateLeader'); // first check only clears the marks
    for (let i = 0; i < r.electionTimeout; i++) nt.tick(1);
    expect(state(nt, 1)).toBe('StateFollower');
  });

  it('a leader that hears from its quorum stays leader', () => {
    const nt = new Network([1, 2, 3], { checkQuorum: true });
    nt.campaign(1);
    for (let i = 0; i < 5 * 10; i++) nt.tick(1);
    expect(state(nt, 1)).toBe('StateLeader');
  });

  it('followers within the lease ignore a disruptive candidate', () => {
    const nt = new Network([1, 2, 3], { checkQuorum: true });
    nt.campaign(1);
    nt.cutLink(1, 3);
    nt.ignore('MsgAppResp'); // keep the leader from hearing 3's term via rejections
    tickUntil(nt, 3, () => state(nt, 3) === 'StateCandidate');
    expect(state(nt, 3)).toBe('StateCandidate');
    expect(term(nt, 3)).toBe(2);
    // 2 heard from the leader recently: it ignores the vote and keeps its term
    expect(term(nt, 2)).toBe(1);
    expect(state(nt, 1)).toBe('StateLeader');
  });

  it('a node out of lease grants votes again', () => {
    const nt = new Network([1, 2, 3], { checkQuorum: true });
    nt.campaign(1);
    nt.isolate(1);
    // 2's lease runs out after an election timeout without the leader
    for (let i = 0; i < 10; i++) nt.tick(2);
    tickUntil(nt, 3, () => state(nt, 3) !== 'StateFollower');
    tickUntil(nt, 3, () => state(nt, 3) === 'StateLeader', 60);
    expect(state(nt, 3)).toBe('StateLeader');
  });

  it('a stale leader answers with its term so the deposed side learns (MsgAppResp)', () => {
    const nt = new Network([1, 2, 3], { checkQuorum: true });
    nt.campaign(1);
    nt.isolate(1);
    for (let i = 0; i < 10; i++) nt.tick(3);
    tickUntil(nt, 2, () => state(nt, 2) === 'StateLeader', 60);
    expect(state(nt, 2)).toBe('StateLeader');
    nt.recover();
    nt.heartbeat(1); // term 1 heartbeat to 2/3: answered with term 2
    expect(state(nt, 1)).toBe('StateFollower');
    expect(term(nt, 1)).toBe(term(nt, 2));
  });

  it('a learner never campaigns', () => {
    const nt = new Network([1, 2], { checkQuorum: true }, [3]);
    for (let i = 0; i < 100; i++) nt.tick(3);
    expect(state(nt, 3)).toBe('StateFollower');
    expect(term(nt, 3)).toBe(0);
  });
});
