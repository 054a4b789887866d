// The server's client-facing behaviour in a running cluster: the errors etcd gives when the
// cluster cannot serve, and the header it puts on every answer.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { startCluster } from '../sim/cluster';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('EtcdServer', () => {
  it('says "etcdserver: no leader" on a member cut off from everyone', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 4 });
    const leader = await c.leaderOf([1, 2, 3]);
    const loner = [1, 2, 3].find((id) => id !== leader)!;
    c.conductor.network.partition([[loner], [1, 2, 3].filter((id) => id !== loner)]);
    await c.conductor.runUntil(c.conductor.now + 5_000_000);
    const r = await c.call(loner, { method: 'put', body: { key: bytes('a'), value: bytes('1') } });
    expect(r).toEqual({
      ok: false,
      method: 'put',
      error: { message: 'etcdserver: no leader', code: 14 },
    });
  });

  it('times out a write stranded on a leader that lost its quorum', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 5 });
    const leader = await c.leaderOf([1, 2, 3]);
    c.conductor.network.partition([[leader], [1, 2, 3].filter((id) => id !== leader)]);
    const started = c.conductor.now;
    const r = await c.call(leader, { method: 'put', body: { key: bytes('a'), value: bytes('1') } });
    expect(r).toEqual({
      ok: false,
      method: 'put',
      error: { message: 'etcdserver: request timed out', code: 14 },
    });
    // etcd's request timeout: 5 s plus twice the election timeout.
    expect(c.conductor.now - started).toBeGreaterThanOrEqual(7_000_000);
    expect(c.conductor.now - started).toBeLessThan(7_200_000);
  });

  it('fills the response header as etcd does', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 6 });
    const leader = await c.leaderOf([1, 2, 3]);
    const r = await c.call(leader, { method: 'put', body: { key: bytes('a'), value: bytes('1') } });
    expect(r.ok && r.body.header).toEqual({
      cluster_id: expect.any(Number),
      member_id: leader,
      revision: 2,
      raft_term: expect.any(Number),
    });
    const members = await c.call(leader, { method: 'memberList', body: {} });
    expect(
      members.ok && 'members' in members.body && members.body.members.map((m) => m.ID),
    ).toEqual([1, 2, 3]);
    // Like etcd's, a member list's header carries no revision.
    expect(members.ok && members.body.header.revision).toBe(0);
  });

  it('waits for fsync only where raft.MustSync says: entries, term or vote, not a commit index', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 8, keepTrace: true });
    const leader = await c.leaderOf([1, 2, 3]);
    const from = c.trace.length;
    await c.call(leader, { method: 'put', body: { key: bytes('a'), value: bytes('1') } });
    const put = c.trace.slice(from);
    const mine = put.filter((t) => t.node === leader);
    const persists = mine.filter((t) => t.kind === 'persist');
    // The put's entry waits for its fsync; the commit that follows does not.
    const entry = persists.find((t) => t.entries === 1)!;
    expect(entry.sync).toBeUndefined();
    const commit = persists.find((t) => t.entries === 0 && t.sync === false)!;
    expect(commit).toBeDefined();
    // The entry is applied in the same instant its commit is written, before any fsync of it.
    const apply = mine.find((t) => t.kind === 'apply' && t.method === 'put')!;
    expect(apply.atUs).toBe(commit.atUs);
    expect(
      mine.some(
        (t) => t.kind === 'durable' && t.writeId === commit.writeId && t.atUs <= apply.atUs,
      ),
    ).toBe(false);
    // A new term or vote is never left unsynced (the election before the put has both).
    const last = new Map<number, { term: number; vote: number }>();
    let changes = 0;
    for (const t of c.trace) {
      if (t.kind !== 'persist' || !t.hardState) continue;
      const hs = t.hardState as { term: number; vote: number };
      const prev = last.get(t.node as number);
      if (prev && (prev.term !== hs.term || prev.vote !== hs.vote)) {
        changes++;
        expect(t.sync).toBeUndefined();
      }
      last.set(t.node as number, hs);
    }
    expect(changes).toBeGreaterThan(0);
  });

  it('answers a read after its backend transaction completes, not before', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 7, keepTrace: true });
    const leader = await c.leaderOf([1, 2, 3]);
    await c.call(leader, { method: 'put', body: { key: bytes('a'), value: bytes('1') } });
    const sent = c.conductor.now;
    const r = await c.call(leader, {
      method: 'range',
      body: { key: bytes('a'), serializable: true },
    });
    expect(r.ok).toBe(true);
    // A serializable read never leaves the node; it still pays its read transaction's cost.
    expect(c.conductor.now).toBeGreaterThan(sent);
    const locks = c.trace.filter((t) => t.kind === 'lock' && t.node === leader);
    expect(locks.some((t) => t.txn === 'read' && t.phase === 'granted')).toBe(true);
    expect(locks.some((t) => t.txn === 'write' && t.phase === 'released')).toBe(true);
  });
});
