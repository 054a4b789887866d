// ReadIndex (etcd's TestReadOnlyOption*, TestReadOnlyForNewLeader, read-only queue tests).
import { describe, expect, it } from 'vitest';
import { Network, dec, enc } from './testing/network';
import type { ReadState } from './types';

/** Calls readIndex on `id`, delivers everything, and returns the read states it got. */
function readOn(nt: Network, id: number, ctx: string): ReadState[] {
  nt.act(id, (n) => n.readIndex(enc(ctx)));
  return nt.get(id).readStates.splice(0);
}

/** Ticks `id` once, delivers everything, and returns the read states it got. */
function tickReads(nt: Network, id: number): ReadState[] {
  nt.tick(id);
  return nt.get(id).readStates.splice(0);
}

function cluster(opts: ConstructorParameters<typeof Network>[1] = {}): Network {
  const nt = new Network([1, 2, 3], opts);
  nt.campaign(1);
  expect(nt.raw(1).status().raftState).toBe('StateLeader');
  return nt;
}

describe('ReadIndex', () => {
  for (const option of ['safe', 'lease-based'] as const) {
    it(`${option}: every node gets the leader's commit index with its own context`, () => {
      const nt = cluster({ readOnlyOption: option, checkQuorum: option === 'lease-based' });
      let i = 0;
      for (const id of [1, 2, 3, 1, 2, 3]) {
        for (let p = 0; p < 3; p++) nt.propose(1, `p${i}-${p}`);
        const ctx = `ctx${i++}`;
        const rs = readOn(nt, id, ctx);
        expect(rs.map((r) => [r.index, dec(r.requestCtx)])).toEqual([
          [nt.raw(1).status().commit, ctx],
        ]);
      }
    });
  }

  it('safe: the leader answers only after a quorum acks the heartbeat round', () => {
    const nt = cluster();
    nt.isolate(2);
    nt.isolate(3);
    expect(readOn(nt, 1, 'x')).toEqual([]);
    nt.recover();
    // the next heartbeat round carries the pending read's context
    const got = tickReads(nt, 1);
    expect(got.map((r) => dec(r.requestCtx))).toEqual(['x']);
  });

  it('pending reads share one heartbeat round and each keeps its context', () => {
    const nt = cluster();
    nt.ignore('MsgHeartbeatResp');
    expect(readOn(nt, 1, 'a')).toEqual([]);
    expect(readOn(nt, 1, 'b')).toEqual([]);
    expect(readOn(nt, 1, 'c')).toEqual([]);
    nt.recover();
    const hb: number[] = [];
    nt.filter = (m) => {
      if (m.type === 'MsgHeartbeat') hb.push(m.to);
      return true;
    };
    const got = tickReads(nt, 1);
    // one round (one heartbeat per follower) answered all three, in order
    expect(hb.sort()).toEqual([2, 3]);
    const commit = nt.raw(1).status().commit;
    expect(got.map((r) => [dec(r.requestCtx), r.index])).toEqual([
      ['a', commit],
      ['b', commit],
      ['c', commit],
    ]);
  });

  it('a new leader defers reads until it has committed an entry of its term', () => {
    const nt = new Network([1, 2, 3]);
    // Node 1 wins the election but cannot replicate its empty entry yet.
    nt.ignore('MsgApp');
    nt.campaign(1);
    expect(nt.raw(1).status().raftState).toBe('StateLeader');
    expect(nt.raw(1).internal.committedEntryInCurrentTerm()).toBe(false);
    expect(readOn(nt, 1, 'early')).toEqual([]);
    expect(nt.raw(1).internal.pendingReadIndexMessages.length).toBe(1);
    nt.recover();
    // once the entry of its term commits, the deferred read goes out with a heartbeat round
    const got = tickReads(nt, 1);
    expect(nt.raw(1).internal.pendingReadIndexMessages.length).toBe(0);
    expect(got.map((r) => [dec(r.requestCtx), r.index])).toEqual([
      ['early', nt.raw(1).status().commit],
    ]);
    expect(nt.raw(1).status().commit).toBe(1);
  });

  it('a follower without a leader drops the read', () => {
    const nt = new Network([1, 2, 3]);
    expect(readOn(nt, 2, 'x')).toEqual([]);
  });

  it('a single-voter leader answers at once', () => {
    const nt = new Network([1]);
    nt.campaign(1);
    const rs = readOn(nt, 1, 'solo');
    expect(rs.map((r) => [r.index, dec(r.requestCtx)])).toEqual([[1, 'solo']]);
  });

  it('a learner can read through the leader', () => {
    const nt = new Network([1, 2], {}, [3]);
    nt.campaign(1);
    nt.propose(1, 'x');
    const rs = readOn(nt, 3, 'learner');
    expect(rs.map((r) => [r.index, dec(r.requestCtx)])).toEqual([
      [nt.raw(1).status().commit, 'learner'],
    ]);
  });
});

describe('lease-based reads', () => {
  it('answer at once within a lease a quorum acknowledged, and need a round once it runs out', () => {
    const nt = cluster({ readOnlyOption: 'lease-based', checkQuorum: true });
    const sent = () => nt.delivered.filter((m) => m.type === 'MsgHeartbeat' && m.from === 1).length;
    // The first read has no lease yet: a heartbeat round, which starts one.
    const before = sent();
    expect(readOn(nt, 1, 'a').map((r) => dec(r.requestCtx))).toEqual(['a']);
    expect(sent()).toBeGreaterThan(before);
    // Within it: answered with no round.
    const mid = sent();
    expect(readOn(nt, 1, 'b').map((r) => dec(r.requestCtx))).toEqual(['b']);
    expect(sent()).toBe(mid);
    // Cut off from both followers, the leader keeps its lease for electionTimeout - 2 ticks...
    nt.isolate(1);
    const election = 10; // the test network's electionTick
    for (let t = 0; t < election - 3; t++) nt.tick(1);
    expect(readOn(nt, 1, 'c').map((r) => dec(r.requestCtx))).toEqual(['c']);
    // ...and then answers nothing on its own: the round cannot complete without a quorum, even
    // though CheckQuorum has not deposed it yet.
    nt.tick(1);
    nt.tick(1);
    expect(nt.raw(1).status().raftState).toBe('StateLeader');
    expect(readOn(nt, 1, 'd')).toEqual([]);
  });
});
