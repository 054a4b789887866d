// Flow control per follower (etcd's raft_flow_control_test.go): probe, replicate with an
// inflights window, and recovery through heartbeats.
import { describe, expect, it } from 'vitest';
import type { Raft } from './raft';
import {
  forceLeader,
  mkMsg,
  newTestRaft,
  newTestStorage,
  proposeOn,
  readMessages,
} from './testing/helpers';
import type { Entry } from './types';

const prop = (r: Raft): void => proposeOn(r, 'somedata');

function replicatingLeader(maxInflight: number): Raft {
  const r = newTestRaft(1, 5, 1, newTestStorage([1, 2]), { maxInflightMsgs: maxInflight });
  forceLeader(r);
  const pr2 = r.trk.progress.get(2)!;
  // force the progress into replicate state
  pr2.becomeReplicate();
  return r;
}

describe('flow control', () => {
  it('stops sending MsgApp when the inflights window is full', () => {
    const r = replicatingLeader(8);
    const pr2 = r.trk.progress.get(2)!;
    for (let i = 0; i < 8; i++) {
      prop(r);
      const ms = readMessages(r);
      expect(ms.length).toBe(1);
      expect(ms[0]!.type).toBe('MsgApp');
    }
    expect(pr2.inflights.full()).toBe(true);
    expect(pr2.isPaused()).toBe(true);
    for (let i = 0; i < 10; i++) {
      prop(r);
      expect(readMessages(r)).toEqual([]);
    }
  });

  it('acks move the window forward', () => {
    const r = replicatingLeader(8);
    const pr2 = r.trk.progress.get(2)!;
    for (let i = 0; i < 8; i++) {
      prop(r);
      readMessages(r);
    }
    // entries 2..9 in flight (1 was the empty entry sent before replicate... next started at 2)
    for (let tt = 2; tt < 9; tt++) {
      r.step(mkMsg({ type: 'MsgAppResp', from: 2, to: 1, term: r.term, index: tt }));
      readMessages(r);
      // one slot free: one proposal goes out, then it's full again
      prop(r);
      const ms = readMessages(r);
      expect(ms.map((m) => m.type)).toEqual(['MsgApp']);
      expect(pr2.inflights.full()).toBe(true);
      // a stale ack frees nothing
      for (let i = 0; i < tt; i++) {
        r.step(mkMsg({ type: 'MsgAppResp', from: 2, to: 1, term: r.term, index: i }));
        expect(pr2.inflights.full()).toBe(true);
      }
    }
  });

  it('a heartbeat response lets one empty MsgApp through a full window', () => {
    const r = replicatingLeader(8);
    const pr2 = r.trk.progress.get(2)!;
    for (let i = 0; i < 8; i++) {
      prop(r);
      readMessages(r);
    }
    for (let tt = 1; tt < 5; tt++) {
      for (let i = 0; i < tt; i++) {
        r.step(mkMsg({ type: 'MsgHeartbeatResp', from: 2, to: 1, term: r.term }));
        const ms = readMessages(r);
        expect(ms.map((m) => [m.type, m.entries.length])).toEqual([['MsgApp', 0]]);
        expect(pr2.isPaused()).toBe(true);
      }
      // no new MsgApp for proposals while full
      prop(r);
      expect(readMessages(r)).toEqual([]);
    }
  });

  it('probing sends one MsgApp per heartbeat interval until accepted', () => {
    const r = newTestRaft(1, 5, 1, newTestStorage([1, 2]));
    forceLeader(r);
    const pr2 = r.trk.progress.get(2)!;
    expect(pr2.state).toBe('StateProbe');
    prop(r);
    // the first proposal goes out and pauses the probe
    expect(readMessages(r).filter((m) => m.type === 'MsgApp').length).toBeLessThanOrEqual(1);
    prop(r);
    prop(r);
    expect(readMessages(r)).toEqual([]);
    r.step(mkMsg({ type: 'MsgHeartbeatResp', from: 2, to: 1, term: r.term }));
    const ms = readMessages(r);
    expect(ms.map((m) => m.type)).toEqual(['MsgApp']);
    // the follower accepts: the leader moves it to replicate and streams the rest
    const last = ms[0]!.index + ms[0]!.entries.length;
    r.step(mkMsg({ type: 'MsgAppResp', from: 2, to: 1, term: r.term, index: last }));
    expect(pr2.state).toBe('StateReplicate');
  });

  it('rejections back off with the follower hint (fast backtracking)', () => {
    // leader log: terms 1 3 3 3 5 5 5 5 5 (idx 1..9); follower: 1 1 1 1 2 2 (idx 1..6)
    const s = newTestStorage([1, 2]);
    const terms = [1, 3, 3, 3, 5, 5, 5, 5, 5];
    s.append(
      terms.map((term, i): Entry => ({
        term,
        index: i + 1,
        type: 'EntryNormal',
        data: new Uint8Array(),
      })),
    );
    s.setHardState({ term: 5, vote: 0, commit: 0 });
    const r = newTestRaft(1, 5, 1, s);
    forceLeader(r); // term 6, entry 10
    const pr2 = r.trk.progress.get(2)!;
    // the probe after (9, 5) is rejected by a follower whose log ends at 6 with term 2
    r.step(
      mkMsg({
        type: 'MsgAppResp',
        from: 2,
        to: 1,
        term: r.term,
        index: 9,
        reject: true,
        rejectHint: 6,
        logTerm: 2,
      }),
    );
    // the leader skips straight to index 1, the last with a term <= 2
    expect(pr2.next).toBe(2);
    const ms = readMessages(r);
    expect(ms.map((m) => [m.type, m.index, m.logTerm])).toEqual([['MsgApp', 1, 1]]);
  });

  it('a stale rejection is ignored', () => {
    const r = replicatingLeader(8);
    const pr2 = r.trk.progress.get(2)!;
    r.step(mkMsg({ type: 'MsgAppResp', from: 2, to: 1, term: r.term, index: 1 }));
    const next = pr2.next;
    r.step(
      mkMsg({
        type: 'MsgAppResp',
        from: 2,
        to: 1,
        term: r.term,
        index: 0,
        reject: true,
        rejectHint: 0,
      }),
    );
    expect(pr2.next).toBe(next);
    expect(pr2.state).toBe('StateReplicate');
  });

  it('maxSizePerMsg limits the entries in one MsgApp', () => {
    const r = newTestRaft(1, 5, 1, newTestStorage([1, 2]), { maxSizePerMsg: 30 });
    forceLeader(r);
    r.trk.progress.get(2)!.becomeReplicate();
    r.step(
      mkMsg({
        type: 'MsgProp',
        from: 1,
        to: 1,
        entries: Array.from({ length: 5 }, () => ({
          term: 0,
          index: 0,
          type: 'EntryNormal' as const,
          data: new Uint8Array(10),
        })),
      }),
    );
    let ms = readMessages(r).filter((m) => m.type === 'MsgApp');
    expect(ms.map((m) => m.entries.length)).toEqual([2]);
    // each ack lets the next size-limited batch out
    const sizes: number[] = [];
    while (ms.length > 0) {
      const next: typeof ms = [];
      for (const m of ms) {
        sizes.push(m.entries.length);
        const index = m.index + m.entries.length;
        r.step(mkMsg({ type: 'MsgAppResp', from: 2, to: 1, term: r.term, index }));
        next.push(...readMessages(r).filter((x) => x.type === 'MsgApp' && x.entries.length > 0));
      }
      ms = next;
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(6);
    for (const n of sizes) expect(n).toBeLessThanOrEqual(2);
  });

  it('an unreachable report moves a replicating follower back to probe', () => {
    const r = replicatingLeader(8);
    r.step(mkMsg({ type: 'MsgUnreachable', from: 2, to: 1 }));
    expect(r.trk.progress.get(2)!.state).toBe('StateProbe');
  });
});
