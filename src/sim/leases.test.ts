// Leases as etcd runs them: the leader notices a lease whose time is up and proposes its revoke
// through Raft, so every member deletes the attached keys at one revision; keep-alives reach the
// leader from any member; a new leader gives every lease a fresh TTL.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { startCluster, type Cluster } from './cluster';

const bytes = (s: string) => new TextEncoder().encode(s);

async function keyOn(c: Cluster, node: number, key: string) {
  const r = await c.call(node, { method: 'range', body: { key: bytes(key), serializable: true } });
  if (!r.ok || !('kvs' in r.body)) throw new Error('range failed');
  return r.body.kvs[0];
}

describe('leases', () => {
  it('expire on the leader’s revoke: every member deletes the keys at the same revision', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 41 });
    const leader = await c.leaderOf();
    const grant = await c.call(leader, { method: 'leaseGrant', body: { TTL: 3, ID: 7 } });
    expect(grant.ok).toBe(true);
    await c.call(leader, {
      method: 'put',
      body: { key: bytes('ephemeral'), value: bytes('x'), lease: 7 },
    });
    await c.conductor.runUntil(c.conductor.now + 2_000_000);
    for (const n of [1, 2, 3]) expect(await keyOn(c, n, 'ephemeral')).toBeDefined();
    await c.conductor.runUntil(c.conductor.now + 2_000_000);
    const revisions = new Set<number>();
    for (const n of [1, 2, 3]) {
      expect(await keyOn(c, n, 'ephemeral')).toBeUndefined();
      const s = await c.call(n, { method: 'status', body: {} });
      if (s.ok) revisions.add(s.body.header.revision);
    }
    expect(revisions.size).toBe(1);
    const ttl = await c.call(leader, { method: 'leaseTimeToLive', body: { ID: 7 } });
    expect(ttl.ok && 'TTL' in ttl.body && ttl.body.TTL).toBe(-1);
  });

  it('stay alive while keep-alives reach the leader, even when sent to a follower', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 42 });
    const leader = await c.leaderOf();
    const follower = [1, 2, 3].find((n) => n !== leader)!;
    await c.call(leader, { method: 'leaseGrant', body: { TTL: 3, ID: 8 } });
    await c.call(leader, {
      method: 'put',
      body: { key: bytes('kept'), value: bytes('x'), lease: 8 },
    });
    for (let i = 0; i < 6; i++) {
      await c.conductor.runUntil(c.conductor.now + 1_000_000);
      const r = await c.call(follower, { method: 'leaseKeepAlive', body: { ID: 8 } });
      expect(r.ok && 'TTL' in r.body && r.body.TTL).toBe(3);
    }
    expect(await keyOn(c, follower, 'kept')).toBeDefined();
    const ttl = await c.call(follower, { method: 'leaseTimeToLive', body: { ID: 8 } });
    expect(ttl.ok && 'TTL' in ttl.body && ttl.body.TTL).toBeGreaterThanOrEqual(2);
  });

  it('get a full TTL plus an election timeout from a new leader', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 43 });
    const leader = await c.leaderOf();
    await c.call(leader, { method: 'leaseGrant', body: { TTL: 3, ID: 9 } });
    await c.call(leader, { method: 'put', body: { key: bytes('k'), value: bytes('x'), lease: 9 } });
    await c.conductor.runUntil(c.conductor.now + 2_500_000);
    await c.conductor.crash(leader);
    const next = await c.leaderOf([1, 2, 3].filter((n) => n !== leader));
    // Had the old leader's clock carried over, the lease would be gone by now + 1 s.
    await c.conductor.runUntil(c.conductor.now + 2_000_000);
    expect(await keyOn(c, next, 'k')).toBeDefined();
    await c.conductor.runUntil(c.conductor.now + 3_000_000);
    expect(await keyOn(c, next, 'k')).toBeUndefined();
  });
});
