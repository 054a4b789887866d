// Membership as etcd 3.1+ guards it, end to end: changes go through the leader's health check,
// a refused change says "etcdserver: unhealthy cluster", a safe one commits, a new member
// catches up, and a graceful stop hands leadership over instead of leaving the cluster leaderless.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { startCluster, type Cluster } from './cluster';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

const memberIds = (r: Awaited<ReturnType<Cluster['call']>>) =>
  r.ok && 'members' in r.body ? r.body.members.map((m) => m.ID) : r;

describe('membership', () => {
  it('refuses a removal that would leave fewer active members than a quorum, allows a safe one', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 31 });
    const leader = await c.leaderOf([1, 2, 3]);
    const [a, b] = [1, 2, 3].filter((id) => id !== leader) as [number, number];
    await c.conductor.crash(b);
    await c.conductor.runUntil(c.conductor.now + 6_000_000); // past etcd's 5 s health interval
    // Asked through a follower: the call is forwarded to the leader, whose view decides.
    const refused = await c.call(a, { method: 'memberRemove', body: { ID: a } });
    expect(refused).toEqual({
      ok: false,
      method: 'memberRemove',
      error: { message: 'etcdserver: unhealthy cluster', code: 14 },
    });
    const ok = await c.call(a, { method: 'memberRemove', body: { ID: b } });
    expect(memberIds(ok)).toEqual([a, leader].sort());
    const list = await c.call(leader, { method: 'memberList', body: {} });
    expect(memberIds(list)).toEqual([a, leader].sort());
  });

  it('refuses to add a member while a voter is down', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 32 });
    const leader = await c.leaderOf([1, 2, 3]);
    await c.conductor.crash([1, 2, 3].find((id) => id !== leader)!);
    await c.conductor.runUntil(c.conductor.now + 6_000_000);
    const r = await c.call(leader, { method: 'memberAdd', body: { ID: 4 } });
    expect(r.ok ? r : r.error.message).toBe('etcdserver: unhealthy cluster');
  });

  it('adds a member that starts empty and catches up from the leader', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 33 });
    const leader = await c.leaderOf([1, 2, 3]);
    await c.call(leader, { method: 'put', body: { key: bytes('before'), value: bytes('1') } });
    const added = await c.call(leader, { method: 'memberAdd', body: { ID: 4 } });
    expect(memberIds(added)).toEqual([1, 2, 3, 4]);
    c.conductor.addNode(4);
    await c.conductor.restart(4);
    await c.conductor.runUntil(c.conductor.now + 2_000_000);
    const r = await c.call(4, { method: 'range', body: { key: bytes('before') } });
    expect(r.ok && 'kvs' in r.body ? text(r.body.kvs[0]?.value) : r).toBe('1');
  });

  it('graceful stop hands leadership over: the leaderless gap is one vote round, not an election timeout', async () => {
    const gapAfter = async (how: 'graceful' | 'crash') => {
      const leaders: { atUs: number; node: number; leader: number }[] = [];
      const c = await startCluster({
        settings: { ...DEFAULT_SETTINGS },
        seed: 34,
        onTrace: (t) => {
          if (t.kind === 'leader-change')
            leaders.push({ atUs: t.atUs, node: t.node!, leader: t.to as number });
        },
      });
      const old = await c.leaderOf([1, 2, 3]);
      const stopAt = c.conductor.now;
      if (how === 'graceful') {
        const r = await c.call(old, { method: 'stop', body: {} });
        expect(r.ok && 'transferredTo' in r.body && r.body.transferredTo).not.toBe(0);
      }
      await c.conductor.crash(old);
      await c.conductor.runUntil(c.conductor.now + 5_000_000);
      // The gap: from the moment the old leader stopped leading (stepped down or crashed) to the
      // moment another member became leader.
      const stepDown =
        leaders.find((l) => l.node === old && l.atUs >= stopAt && l.leader !== old)?.atUs ??
        c.conductor.now;
      const endedUs = how === 'crash' ? stopAt : stepDown;
      const next = leaders.find((l) => l.atUs >= stopAt && l.node !== old && l.leader === l.node);
      expect(next).toBeDefined();
      return next!.atUs - endedUs;
    };
    const graceful = await gapAfter('graceful');
    const crash = await gapAfter('crash');
    const s = DEFAULT_SETTINGS;
    // One vote round: MsgVote out and back, each side persisting its term and vote first.
    const voteRoundUs =
      2 * (s.networkLatencyMs + s.networkJitterMs) * 1000 +
      2 * (s.fsyncMs + s.fsyncJitterMs) * 1000;
    expect(graceful).toBeLessThanOrEqual(voteRoundUs);
    expect(crash).toBeGreaterThanOrEqual(s.electionTimeoutMs * 1000);
  });

  it('moves leadership only from the leader, and only to a voter', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 35 });
    const leader = await c.leaderOf([1, 2, 3]);
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    const notLeader = await c.call(follower, { method: 'moveLeader', body: { targetID: leader } });
    expect(notLeader.ok ? notLeader : notLeader.error).toEqual({
      message: 'etcdserver: not leader',
      code: 9,
    });
    const bad = await c.call(leader, { method: 'moveLeader', body: { targetID: 9 } });
    expect(bad.ok ? bad : bad.error).toEqual({
      message: 'etcdserver: bad leader transferee',
      code: 9,
    });
    const moved = await c.call(leader, { method: 'moveLeader', body: { targetID: follower } });
    expect(moved.ok).toBe(true);
    expect(await c.leaderOf([follower])).toBe(follower);
  });
});
