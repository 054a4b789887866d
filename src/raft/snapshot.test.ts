// Snapshots (etcd's raft_snap_test.go and the snapshot cases of raft_test.go): sending one to a
// follower behind the first index, pausing replication meanwhile, reportSnapshot, restore.
import { describe, expect, it } from 'vitest';
import type { Raft } from './raft';
import {
  confStateOf,
  entsWithTerms,
  forceLeader,
  logIdTerm,
  mkMsg,
  newTestRaft,
  newTestStorage,
  proposeOn,
  readMessages,
} from './testing/helpers';
import { Network, enc } from './testing/network';
import type { Snapshot } from './types';

const testingSnap = (): Snapshot => ({
  data: new Uint8Array(),
  metadata: {
    index: 11,
    term: 11,
    confState: confStateOf([1, 2]),
  },
});

/** A leader whose log starts after testingSnap, with follower 2 needing a snapshot. */
function leaderAfterSnapshot(): Raft {
  const r = newTestRaft(1, 10, 1, newTestStorage([1]));
  expect(r.restore(testingSnap())).toBe(true);
  forceLeader(r);
  return r;
}

const prop = (r: Raft): void => proposeOn(r, 'somedata');

describe('snapshots', () => {
  it('a follower behind the first index gets a snapshot and a pending snapshot index', () => {
    const r = leaderAfterSnapshot();
    const pr2 = r.trk.progress.get(2)!;
    pr2.next = r.raftLog.firstIndex();
    r.step(
      mkMsg({
        type: 'MsgAppResp',
        from: 2,
        to: 1,
        term: r.term,
        index: pr2.next - 1,
        reject: true,
      }),
    );
    expect(pr2.state).toBe('StateSnapshot');
    expect(pr2.pendingSnapshot).toBe(11);
    const ms = readMessages(r);
    expect(ms.map((m) => [m.type, m.to, m.snapshot?.metadata.index])).toEqual([['MsgSnap', 2, 11]]);
  });

  it('pauses replication while a snapshot is pending', () => {
    const r = leaderAfterSnapshot();
    r.trk.progress.get(2)!.becomeSnapshot(11);
    prop(r);
    expect(readMessages(r)).toEqual([]);
  });

  it('a failed snapshot report resets to probe from match + 1, paused', () => {
    const r = leaderAfterSnapshot();
    const pr2 = r.trk.progress.get(2)!;
    pr2.next = 1;
    pr2.becomeSnapshot(11);
    r.step(mkMsg({ type: 'MsgSnapStatus', from: 2, to: 1, reject: true }));
    expect(pr2.pendingSnapshot).toBe(0);
    expect(pr2.next).toBe(1);
    expect(pr2.msgAppFlowPaused).toBe(true);
  });

  it('a successful snapshot report probes from after the snapshot, paused', () => {
    const r = leaderAfterSnapshot();
    const pr2 = r.trk.progress.get(2)!;
    pr2.next = 1;
    pr2.becomeSnapshot(11);
    r.step(mkMsg({ type: 'MsgSnapStatus', from: 2, to: 1, reject: false }));
    expect(pr2.pendingSnapshot).toBe(0);
    expect(pr2.next).toBe(12);
    expect(pr2.msgAppFlowPaused).toBe(true);
  });

  it('an ack past the snapshot aborts it and resumes replication', () => {
    const r = leaderAfterSnapshot();
    const pr2 = r.trk.progress.get(2)!;
    pr2.next = 1;
    pr2.becomeSnapshot(11);
    // the follower caught up some other way
    r.step(mkMsg({ type: 'MsgAppResp', from: 2, to: 1, term: r.term, index: 11 }));
    expect(pr2.pendingSnapshot).toBe(0);
    expect(pr2.state).toBe('StateReplicate');
    // 12 (the leader's empty entry) is sent right away
    expect(pr2.next).toBe(13);
    expect(pr2.inflights.countInflight).toBe(1);
  });

  it('restore replaces the log and configuration; a stale snapshot is ignored', () => {
    const r = newTestRaft(1, 10, 1, newTestStorage([1, 2]));
    const s = testingSnap();
    s.metadata.confState.voters = [1, 2, 3];
    expect(r.restore(s)).toBe(true);
    expect(r.raftLog.lastIndex()).toBe(11);
    expect(r.raftLog.termOf(11)).toBe(11);
    expect(r.trk.confState().voters).toEqual([1, 2, 3]);
    expect(r.restore(s)).toBe(false);
    // while the snapshot is unpersisted, the node may not campaign
    for (let i = 0; i < 30; i++) r.tick();
    expect(r.state).toBe('StateFollower');
  });

  it('a snapshot whose last entry we hold fast-forwards the commit index instead', () => {
    const s = newTestStorage([1, 2]);
    s.append(entsWithTerms([1, 1, 1]));
    s.setHardState({ term: 1, vote: 0, commit: 1 });
    const r = newTestRaft(1, 10, 1, s);
    const snap = testingSnap();
    snap.metadata.index = 1;
    snap.metadata.term = 1;
    expect(r.restore(snap)).toBe(false); // not newer than commit
    expect(r.raftLog.committed).toBe(1);
    snap.metadata.index = 2;
    expect(r.restore(snap)).toBe(false);
    expect(r.raftLog.committed).toBe(2);
  });

  it('a snapshot that does not include this node is ignored', () => {
    const r = newTestRaft(3, 10, 1, newTestStorage([1, 2, 3]));
    expect(r.restore(testingSnap())).toBe(false);
    expect(r.raftLog.lastIndex()).toBe(0);
  });

  it('the leader sends no snapshot to a follower it has not heard from recently', () => {
    const r = leaderAfterSnapshot();
    const pr2 = r.trk.progress.get(2)!;
    pr2.next = r.raftLog.firstIndex() - 1;
    pr2.recentActive = false;
    prop(r);
    expect(readMessages(r)).toEqual([]);
  });

  it('a follower restores from MsgSnap and learns the leader', () => {
    const r = newTestRaft(2, 10, 1, newTestStorage([1, 2]));
    r.step(mkMsg({ type: 'MsgSnap', from: 1, to: 2, term: 2, snapshot: testingSnap() }));
    expect(r.lead).toBe(1);
    expect(r.raftLog.committed).toBe(11);
    const ms = readMessages(r);
    expect(ms.map((m) => [m.type, m.to, m.index])).toEqual([['MsgAppResp', 1, 11]]);
  });

  it('a slow follower catches up by snapshot after the leader compacts (end to end)', () => {
    const nt = new Network([1, 2, 3]);
    nt.campaign(1);
    nt.isolate(3);
    for (let i = 0; i < 20; i++) nt.propose(1, `e${i}`);
    const leader = nt.get(1);
    const applied = leader.node.status().applied;
    leader.storage.createSnapshot(applied, leader.node.confState(), enc('state'));
    leader.storage.compact(applied);
    nt.recover();
    // Heartbeats reveal 3 is behind; it gets the snapshot and then the rest of the log.
    for (let i = 0; i < 3; i++) nt.heartbeat(1);
    const st3 = nt.raw(3).status();
    expect(st3.commit).toBe(leader.node.status().commit);
    expect(nt.get(3).storage.snapshot().metadata.index).toBe(applied);
    // the leader learns the snapshot was installed from 3's MsgAppResp
    expect(leader.node.status().progress![3]!.state).toBe('StateReplicate');
    nt.propose(1, 'after');
    expect(logIdTerm(nt.raw(3).internal)).toEqual(
      logIdTerm(nt.raw(1).internal).slice(-logIdTerm(nt.raw(3).internal).length),
    );
    expect(nt.raw(3).status().commit).toBe(nt.raw(1).status().commit);
  });
});
