// End to end in one process: real Raft, real MVCC, memory disks, the conductor's network and
// disk models. What etcd users expect of a cluster, checked through the client API.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { nodeSettings, startCluster } from './cluster';

const key = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

describe('a 3-node cluster in process', () => {
  it('elects a leader, commits a put, and reads it back linearizably from every node', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 1 });
    const leader = await c.leaderOf([1, 2, 3]);
    const put = await c.call(leader, {
      method: 'put',
      body: { key: key('foo'), value: key('bar') },
    });
    expect(put.ok).toBe(true);
    for (const id of [1, 2, 3]) {
      const r = await c.call(id, { method: 'range', body: { key: key('foo') } });
      expect(r.ok).toBe(true);
      if (r.ok && 'kvs' in r.body) {
        expect(text(r.body.kvs[0]?.value)).toBe('bar');
        expect(r.body.kvs[0]?.mod_revision).toBe(2);
      }
    }
  });

  it('forwards a follower’s write to the leader and answers from the follower', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 2 });
    const leader = await c.leaderOf([1, 2, 3]);
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    const put = await c.call(follower, { method: 'put', body: { key: key('k'), value: key('v') } });
    expect(put).toMatchObject({ ok: true, method: 'put' });
  });

  it('replays identically from a seed', async () => {
    const run = async () => {
      const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 5 });
      await c.conductor.runUntil(3_000_000);
      await c.call(1, { method: 'put', body: { key: key('a'), value: key('1') } });
      await c.conductor.runUntil(c.conductor.now + 1_000_000);
      return c.conductor.traceHash;
    };
    expect(await run()).toBe(await run());
  });
});

describe('durability', () => {
  it('keeps every acknowledged put through minority crashes and a whole-cluster restart', async () => {
    const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed: 11 });
    let leader = await c.leaderOf([1, 2, 3]);
    const acked: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await c.call(leader, {
        method: 'put',
        body: { key: key(`k${i}`), value: key(`v${i}`) },
      });
      if (r.ok) acked.push(`k${i}`);
      if (i === 4) {
        // Crash one follower, write on, bring it back: it must catch up from its own disk.
        const victim = [1, 2, 3].find((id) => id !== leader)!;
        await c.conductor.crash(victim);
        await c.conductor.runUntil(c.conductor.now + 500_000);
        await c.conductor.restart(victim);
      }
    }
    expect(acked).toHaveLength(10);
    for (const id of [1, 2, 3]) await c.conductor.crash(id);
    await c.conductor.runUntil(c.conductor.now + 1_000_000);
    for (const id of [1, 2, 3]) await c.conductor.restart(id);
    leader = await c.leaderOf([1, 2, 3]);
    for (const id of [1, 2, 3]) {
      const r = await c.call(id, { method: 'range', body: { key: key('k'), range_end: key('l') } });
      expect(r.ok).toBe(true);
      if (r.ok && 'kvs' in r.body)
        expect(r.body.kvs.map((kv) => text(kv.key))).toEqual([...acked].sort());
    }
  });
});

describe('reads under a partition', () => {
  for (const readPath of ['read-index', 'lease', 'log'] as const) {
    it(`${readPath}: a linearizable read on the cut-off old leader never returns stale data`, async () => {
      const c = await startCluster({ settings: { ...DEFAULT_SETTINGS, readPath }, seed: 21 });
      const old = await c.leaderOf([1, 2, 3]);
      const others = [1, 2, 3].filter((id) => id !== old);
      await c.call(old, { method: 'put', body: { key: key('x'), value: key('1') } });
      c.conductor.network.partition([[old], others]);
      await c.conductor.runUntil(c.conductor.now + 3_000_000);
      const fresh = await c.leaderOf(others);
      const w = await c.call(fresh, { method: 'put', body: { key: key('x'), value: key('2') } });
      expect(w.ok).toBe(true);
      const r = await c.call(
        old,
        { method: 'range', body: { key: key('x') } },
        { maxWaitUs: 30_000_000 },
      );
      // Either an error (no leader, timed out) or the new value; never the stale '1'.
      if (r.ok && 'kvs' in r.body) expect(text(r.body.kvs[0]?.value)).toBe('2');
      else expect(r.ok).toBe(false);
      // A serializable read on the old leader is served locally: it may be stale, and here it is.
      const s = await c.call(old, { method: 'range', body: { key: key('x'), serializable: true } });
      expect(s.ok && 'kvs' in s.body ? text(s.body.kvs[0]?.value) : undefined).toBe('1');
    });
  }
});

describe('a corrupt disk', () => {
  it('keeps the node down with an error naming the database and record; the rest runs on', async () => {
    const { InProcessHost } = await import('../host/inproc-host');
    const { nodeSpecs } = await import('./cluster');
    const settings = { ...DEFAULT_SETTINGS };
    const host = new InProcessHost(nodeSpecs(settings, 51));
    const c = await startCluster({ settings, seed: 51, host });
    const leader = await c.leaderOf();
    await c.call(leader, { method: 'put', body: { key: key('a'), value: key('1') } });
    const victim = [1, 2, 3].find((n) => n !== leader)!;
    await c.conductor.crash(victim);
    const newest = host.disk(victim).walKeys().at(-1)!; // the record holding the hard state
    host.disk(victim).corrupt('wal', newest);
    await c.conductor.restart(victim);
    expect(c.conductor.nodeState(victim)).toBe('down');
    expect(c.conductor.startFailure(victim)).toMatch(
      new RegExp(`corrupt record wal/${newest} in database inproc/n${victim}: CRC mismatch`),
    );
    const w = await c.call(leader, { method: 'put', body: { key: key('b'), value: key('2') } });
    expect(w.ok).toBe(true);
  });
});

describe('the backend commit follows the disk', () => {
  it("costs two of the disk's fsyncs (bbolt syncs the dirty pages, then the meta page)", () => {
    const at = (fsyncMs: number, fsyncJitterMs: number) =>
      nodeSettings({ ...DEFAULT_SETTINGS, fsyncMs, fsyncJitterMs }).backend.commitBaseUs;
    expect(at(2, 1)).toBe(5_000);
    expect(at(10, 0)).toBe(20_000);
  });
});
