// The rules of the Raft paper (sections 5.1-5.4), one by one, in the spirit of etcd-io/raft's
// raft_paper_test.go.
import { describe, expect, it } from 'vitest';
import type { Raft } from './raft';
import {
  ackAppends,
  entsWithTerms,
  forceLeader,
  logIdTerm,
  mkMsg,
  newTestRaft,
  newTestStorage,
  proposeOn,
  readMessages,
  storageWithTerms,
} from './testing/helpers';
import { Network } from './testing/network';
import { MemoryStorage } from './storage';
import type { Entry, Message, StateType } from './types';
import { EMPTY_BYTES } from './util';

const byTo = (a: Message, b: Message): number => a.to - b.to;
const data = (s: string): Uint8Array => new TextEncoder().encode(s);

function becomeState(r: Raft, state: StateType): void {
  if (state === 'StateFollower') r.becomeFollower(1, 2);
  else if (state === 'StateCandidate') r.becomeCandidate();
  else forceLeader(r);
}

describe('5.1 terms', () => {
  for (const state of ['StateFollower', 'StateCandidate', 'StateLeader'] as const) {
    it(`${state} adopts a higher term from any message and becomes follower`, () => {
      const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]));
      becomeState(r, state);
      r.step(mkMsg({ type: 'MsgApp', from: 2, to: 1, term: 2 }));
      expect(r.term).toBe(2);
      expect(r.state).toBe('StateFollower');
    });
  }

  it('ignores a message with a stale term', () => {
    const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]));
    r.loadState({ term: 2, vote: 0, commit: 0 });
    r.step(mkMsg({ type: 'MsgApp', from: 2, to: 1, term: 1, entries: entsWithTerms([1]) }));
    expect(r.term).toBe(2);
    expect(r.raftLog.lastIndex()).toBe(0);
    expect(readMessages(r)).toEqual([]);
  });

  it('starts as a follower', () => {
    const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]));
    expect(r.state).toBe('StateFollower');
  });
});

describe('5.2 leader election', () => {
  it('leader sends heartbeats every heartbeat timeout, commit bounded by match', () => {
    const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]));
    forceLeader(r);
    r.appendEntry([{ term: 0, index: 0, type: 'EntryNormal', data: data('x') }]);
    readMessages(r);
    r.tick();
    const msgs = readMessages(r).sort(byTo);
    expect(msgs.map((m) => [m.type, m.to, m.term, m.commit])).toEqual([
      ['MsgHeartbeat', 2, 1, 0],
      ['MsgHeartbeat', 3, 1, 0],
    ]);
  });

  for (const state of ['StateFollower', 'StateCandidate'] as const) {
    it(`${state} starts an election after the election timeout`, () => {
      const et = 10;
      const r = newTestRaft(1, et, 1, newTestStorage([1, 2, 3]));
      if (state === 'StateFollower') r.becomeFollower(1, 2);
      else r.becomeCandidate();
      for (let i = 1; i < 2 * et; i++) r.tick();
      const msgs = readMessages(r).sort(byTo);
      expect(r.term).toBe(2);
      expect(r.state).toBe('StateCandidate');
      expect(r.vote).toBe(1);
      expect(r.trk.votes.get(1)).toBe(true);
      expect(msgs.map((m) => [m.type, m.to, m.term, m.index, m.logTerm])).toEqual([
        ['MsgVote', 2, 2, 0, 0],
        ['MsgVote', 3, 2, 0, 0],
      ]);
    });
  }

  it.each([
    // size, votes (id -> granted), expected state
    [1, {}, 'StateLeader'],
    [3, { 2: true, 3: true }, 'StateLeader'],
    [3, { 2: true }, 'StateLeader'],
    [5, { 2: true, 3: true, 4: true, 5: true }, 'StateLeader'],
    [5, { 2: true, 3: true, 4: true }, 'StateLeader'],
    [5, { 2: true, 3: true }, 'StateLeader'],
    [3, { 2: false, 3: false }, 'StateFollower'],
    [5, { 2: false, 3: false, 4: false, 5: false }, 'StateFollower'],
    [5, { 2: true, 3: false, 4: false, 5: false }, 'StateFollower'],
    [3, {}, 'StateCandidate'],
    [5, { 2: true }, 'StateCandidate'],
    [5, { 2: false, 3: false }, 'StateCandidate'],
    [5, {}, 'StateCandidate'],
  ] as Array<[number, Record<number, boolean>, StateType]>)(
    'election in one round: %i nodes, votes %j -> %s',
    (size, votes, want) => {
      const ids = Array.from({ length: size }, (_, i) => i + 1);
      const r = newTestRaft(1, 10, 1, newTestStorage(ids));
      r.step(mkMsg({ type: 'MsgHup', from: 1, to: 1 }));
      readMessages(r);
      for (const [id, granted] of Object.entries(votes)) {
        r.step(
          mkMsg({ type: 'MsgVoteResp', from: Number(id), to: 1, term: r.term, reject: !granted }),
        );
      }
      expect(r.state).toBe(want);
      expect(r.term).toBe(1);
    },
  );

  it.each([
    // vote already cast, candidate, reject?
    [0, 2, false],
    [0, 3, false],
    [2, 2, false],
    [3, 3, false],
    [2, 3, true],
    [3, 2, true],
  ])('follower with vote %i asked by %i rejects=%s (one vote per term)', (vote, from, reject) => {
    const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]));
    r.loadState({ term: 1, vote, commit: 0 });
    r.step(mkMsg({ type: 'MsgVote', from, to: 1, term: 1 }));
    const msgs = readMessages(r);
    expect(msgs.map((m) => [m.type, m.to, m.term, m.reject])).toEqual([
      ['MsgVoteResp', from, 1, reject],
    ]);
  });

  it.each([
    ['same term', 1],
    ['higher term', 2],
  ])('candidate falls back to follower on MsgApp of %s', (_name, term) => {
    const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]));
    r.step(mkMsg({ type: 'MsgHup', from: 1, to: 1 }));
    expect(r.state).toBe('StateCandidate');
    r.step(mkMsg({ type: 'MsgApp', from: 2, to: 1, term }));
    expect(r.state).toBe('StateFollower');
    expect(r.term).toBe(term);
    expect(r.lead).toBe(2);
  });

  for (const state of ['StateFollower', 'StateCandidate'] as const) {
    it(`${state} election timeout is randomized over [et, 2et)`, () => {
      const et = 10;
      const r = newTestRaft(1, et, 1, newTestStorage([1, 2, 3]));
      const seen = new Set<number>();
      for (let round = 0; round < 50 * et; round++) {
        if (state === 'StateFollower') r.becomeFollower(r.term + 1, 2);
        else r.becomeCandidate();
        let time = 0;
        while (readMessages(r).length === 0) {
          r.tick();
          time++;
        }
        seen.add(time);
      }
      for (let d = et + 1; d < 2 * et; d++) expect(seen.has(d)).toBe(true);
      for (const t of seen) {
        expect(t).toBeGreaterThanOrEqual(et);
        expect(t).toBeLessThan(2 * et);
      }
    });
  }
});

describe('5.3 log replication', () => {
  it('leader appends a proposal and replicates it to followers', () => {
    const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]));
    forceLeader(r);
    // commit the empty entry
    for (const id of [2, 3])
      r.step(mkMsg({ type: 'MsgAppResp', from: id, to: 1, term: 1, index: 1 }));
    readMessages(r);
    const li = r.raftLog.lastIndex();
    proposeOn(r, 'some data');
    expect(r.raftLog.lastIndex()).toBe(li + 1);
    expect(r.raftLog.committed).toBe(li);
    const msgs = readMessages(r).sort(byTo);
    expect(msgs.map((m) => [m.type, m.to, m.index, m.logTerm, m.commit, m.entries.length])).toEqual(
      [
        ['MsgApp', 2, li, 1, li, 1],
        ['MsgApp', 3, li, 1, li, 1],
      ],
    );
    expect(r.raftLog.nextUnstableEnts().map((e) => [e.index, e.term])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('leader commits once a majority acked, and tells followers', () => {
    const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]));
    forceLeader(r);
    for (const id of [2, 3])
      r.step(mkMsg({ type: 'MsgAppResp', from: id, to: 1, term: 1, index: 1 }));
    readMessages(r);
    proposeOn(r, 'some data');
    ackAppends(r, readMessages(r));
    expect(r.raftLog.committed).toBe(2);
    const committed = r.raftLog.nextCommittedEnts(true).map((e) => [e.index, e.term]);
    expect(committed).toEqual([
      [1, 1],
      [2, 1],
    ]);
    const msgs = readMessages(r).sort(byTo);
    expect(msgs.map((m) => [m.type, m.to, m.commit])).toEqual([
      ['MsgApp', 2, 2],
      ['MsgApp', 3, 2],
    ]);
  });

  it.each([
    [1, [], true],
    [3, [], false],
    [3, [2], true],
    [3, [2, 3], true],
    [5, [], false],
    [5, [2], false],
    [5, [2, 3], true],
    [5, [2, 3, 4], true],
    [5, [2, 3, 4, 5], true],
  ])('size %i, acks from %j: committed=%s', (size, acceptors, want) => {
    const ids = Array.from({ length: size }, (_, i) => i + 1);
    const r = newTestRaft(1, 10, 1, newTestStorage(ids));
    forceLeader(r);
    const li = r.raftLog.lastIndex();
    proposeOn(r, 'some data');
    readMessages(r);
    for (const id of acceptors) {
      r.step(mkMsg({ type: 'MsgAppResp', from: id, to: 1, term: 1, index: li + 1 }));
    }
    expect(r.raftLog.committed > li).toBe(want);
  });

  it('committing an entry of the current term commits all preceding entries', () => {
    for (const terms of [[], [2], [1, 1], [1, 2]]) {
      const r = newTestRaft(1, 10, 1, storageWithTerms([1, 2, 3], terms));
      r.loadState({ term: 2, vote: 0, commit: 0 });
      forceLeader(r);
      proposeOn(r, 'some data');
      ackAppends(r, readMessages(r));
      const li = terms.length;
      expect(r.raftLog.committed).toBe(li + 2);
      expect(r.raftLog.nextCommittedEnts(true).map((e) => e.term)).toEqual([...terms, 3, 3]);
    }
  });

  it.each([
    [[1], 1],
    [[1, 1], 2],
    [[1], 2],
    [[1, 1], 1],
  ])(
    'follower commits up to min(leader commit, last new entry): ents %j commit %i',
    (terms, commit) => {
      const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]));
      r.becomeFollower(1, 2);
      const ents = entsWithTerms(terms);
      r.step(
        mkMsg({
          type: 'MsgApp',
          from: 2,
          to: 1,
          term: 1,
          logTerm: 0,
          index: 0,
          commit,
          entries: ents,
        }),
      );
      expect(r.raftLog.committed).toBe(Math.min(commit, terms.length));
    },
  );

  it.each([
    // term, index, want index, reject, rejectHint, logTerm
    [0, 0, 1, false, 0, 0],
    [2, 2, 2, false, 0, 0],
    [2, 1, 1, true, 1, 1],
    [3, 3, 3, true, 2, 2],
  ])(
    'follower checks MsgApp consistency: prev (term %i, index %i)',
    (term, index, wIndex, reject, hint, logTerm) => {
      const r = newTestRaft(1, 10, 1, storageWithTerms([1, 2, 3], [1, 2]));
      r.loadState({ term: 0, vote: 0, commit: 1 });
      r.becomeFollower(2, 2);
      r.step(mkMsg({ type: 'MsgApp', from: 2, to: 1, term: 2, logTerm: term, index }));
      const msgs = readMessages(r);
      expect(msgs.map((m) => [m.type, m.index, m.reject, m.rejectHint, m.logTerm])).toEqual([
        ['MsgAppResp', wIndex, reject, hint, logTerm],
      ]);
    },
  );

  it.each([
    // prev index, prev term, entries (index,term), expected log terms, expected unstable
    [2, 2, [[3, 3]], [1, 2, 3], [[3, 3]]],
    [
      1,
      1,
      [
        [2, 3],
        [3, 4],
      ],
      [1, 3, 4],
      [
        [2, 3],
        [3, 4],
      ],
    ],
    [0, 0, [[1, 1]], [1, 2], []],
    [0, 0, [[1, 3]], [3], [[1, 3]]],
  ] as Array<[number, number, Array<[number, number]>, number[], Array<[number, number]>]>)(
    'follower appends after (%i, %i), truncating conflicts',
    (index, term, ents, wTerms, wUnstable) => {
      const r = newTestRaft(1, 10, 1, storageWithTerms([1, 2, 3], [1, 2]));
      r.becomeFollower(2, 2);
      const entries: Entry[] = ents.map(([i, t]) => ({
        index: i,
        term: t,
        type: 'EntryNormal',
        data: EMPTY_BYTES,
      }));
      r.step(mkMsg({ type: 'MsgApp', from: 2, to: 1, term: 2, logTerm: term, index, entries }));
      expect(logIdTerm(r).map(([, t]) => t)).toEqual(wTerms);
      expect(r.raftLog.nextUnstableEnts().map((e) => [e.index, e.term])).toEqual(wUnstable);
    },
  );

  it('leader brings divergent follower logs in line with its own (Figure 7)', () => {
    const leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    const followers = [
      [1, 1, 1, 4, 4, 5, 5, 6, 6],
      [1, 1, 1, 4],
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      [1, 1, 1, 4, 4, 4, 4],
      [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    ];
    for (const fTerms of followers) {
      const nt = new Network([1, 2, 3]);
      // leader 1 with term 8 log; follower 2 divergent; 3 votes but has an empty log.
      const s1 = storageWithTerms([1, 2, 3], leaderTerms);
      s1.setHardState({ term: 8, vote: 0, commit: leaderTerms.length });
      const s2 = storageWithTerms([1, 2, 3], fTerms);
      s2.setHardState({ term: 7, vote: 0, commit: 0 });
      nt.add(1, s1);
      nt.add(2, s2);
      nt.campaign(1);
      expect(nt.raw(1).status().raftState).toBe('StateLeader');
      // Heartbeat rounds let the leader probe and repair follower 2.
      for (let i = 0; i < 20; i++) nt.heartbeat(1);
      expect(logIdTerm(nt.raw(2).internal)).toEqual(logIdTerm(nt.raw(1).internal));
    }
  });
});

describe('5.4 safety', () => {
  it('vote requests carry the candidate last index and term', () => {
    for (const [terms, wterm] of [
      [[1], 2],
      [[1, 2], 3],
    ] as Array<[number[], number]>) {
      const r = newTestRaft(1, 10, 1, newTestStorage([1, 2, 3]));
      r.step(
        mkMsg({
          type: 'MsgApp',
          from: 2,
          to: 1,
          term: wterm - 1,
          logTerm: 0,
          index: 0,
          entries: entsWithTerms(terms),
        }),
      );
      readMessages(r);
      for (let i = 1; i < r.electionTimeout * 2; i++) r.tick();
      const msgs = readMessages(r).sort(byTo);
      expect(msgs.map((m) => [m.type, m.to, m.term, m.index, m.logTerm])).toEqual([
        ['MsgVote', 2, wterm, terms.length, terms[terms.length - 1]],
        ['MsgVote', 3, wterm, terms.length, terms[terms.length - 1]],
      ]);
    }
  });

  it.each([
    // voter log terms, candidate logTerm, candidate index, reject
    [[1], 1, 1, false],
    [[1], 1, 2, false],
    [[1, 1], 1, 1, true],
    [[1], 2, 1, false],
    [[1], 2, 2, false],
    [[1, 1], 2, 1, false],
    [[2], 1, 1, true],
    [[2], 1, 2, true],
    [[2, 2], 1, 1, true],
    [[1, 1], 1, 2, false],
  ])(
    'voter with log %j asked by (logTerm %i, index %i) rejects=%s',
    (terms, logTerm, index, reject) => {
      const r = newTestRaft(1, 10, 1, storageWithTerms([1, 2], terms));
      r.step(mkMsg({ type: 'MsgVote', from: 2, to: 1, term: 3, logTerm, index }));
      const msgs = readMessages(r);
      expect(msgs.map((m) => [m.type, m.reject])).toEqual([['MsgVoteResp', reject]]);
    },
  );

  it.each([
    [1, 0],
    [2, 0],
    [3, 3],
  ])(
    'leader only commits entries of its own term by counting (ack index %i -> commit %i)',
    (index, wcommit) => {
      const s = storageWithTerms([1, 2], [1, 2]);
      const r = newTestRaft(1, 10, 1, s);
      r.loadState({ term: 2, vote: 0, commit: 0 });
      forceLeader(r); // term 3, appends entry 3
      r.step(mkMsg({ type: 'MsgAppResp', from: 2, to: 1, term: r.term, index }));
      expect(r.raftLog.committed).toBe(wcommit);
    },
  );
});

describe('leader self-ack after persistence', () => {
  it('a single-node leader commits its entry only on advance', () => {
    const storage = new MemoryStorage({ confState: { voters: [1] } });
    const nt = new Network([1]);
    nt.add(1, storage);
    const n = nt.raw(1);
    n.campaign();
    // The self-vote comes back only after the Ready persisting the vote is advanced.
    expect(n.status().raftState).toBe('StateCandidate');
    let rd = n.ready();
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    storage.setHardState(rd.hardState!);
    n.advance(rd);
    expect(n.status().raftState).toBe('StateLeader');
    rd = n.ready();
    expect(rd.entries.map((e) => [e.index, e.term])).toEqual([[1, 1]]);
    expect(n.status().commit).toBe(0);
    storage.append(rd.entries);
    n.advance(rd);
    expect(n.status().commit).toBe(1);
    rd = n.ready();
    expect(rd.committedEntries.map((e) => e.index)).toEqual([1]);
    expect(rd.hardState?.commit).toBe(1);
    n.advance(rd);
    expect(n.status().applied).toBe(1);
    expect(n.hasReady()).toBe(false);
  });
});
