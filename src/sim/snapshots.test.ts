// Log compaction end to end: members snapshot their store every snapshotCount entries and drop
// the log it covers; a follower that fell behind the compacted log catches up from a MsgSnap;
// a cluster restarts from snapshots on disk.
import { describe, expect, it } from 'vitest';
import { InProcessHost } from '../host/inproc-host';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { nodeSpecs, startCluster, type Cluster } from './cluster';

const bytes = (s: string) => new TextEncoder().encode(s);
const settings = { ...DEFAULT_SETTINGS, snapshotCount: 20 };

async function count(c: Cluster, node: number): Promise<number> {
  const r = await c.call(node, {
    method: 'range',
    body: { key: bytes('k'), range_end: bytes('l'), count_only: true, serializable: true },
  });
  if (!r.ok || !('count' in r.body)) throw new Error('range failed');
  return r.body.count;
}

async function putMany(c: Cluster, node: number, from: number, n: number) {
  for (let i = from; i < from + n; i++) {
    const r = await c.call(node, {
      method: 'put',
      body: { key: bytes(`k${String(i).padStart(4, '0')}`), value: bytes(`v${i}`) },
    });
    expect(r.ok).toBe(true);
  }
}

describe('snapshots and log compaction', () => {
  it('a follower behind the compacted log catches up from a snapshot', async () => {
    const seen: string[] = [];
    const host = new InProcessHost(nodeSpecs(settings, 71));
    const c = await startCluster({
      settings,
      seed: 71,
      host,
      onTrace: (t) => seen.push(`${t.kind}@${t.node}`),
    });
    const leader = await c.leaderOf();
    const lagging = [1, 2, 3].find((n) => n !== leader)!;
    await putMany(c, leader, 0, 5);
    await c.conductor.crash(lagging);
    await putMany(c, leader, 5, 80);
    expect(seen).toContain(`snapshot@${leader}`);
    await c.conductor.restart(lagging);
    await c.conductor.runUntil(c.conductor.now + 2_000_000);
    expect(seen).toContain(`snapshot-restored@${lagging}`);
    expect(await count(c, lagging)).toBe(85);
    // Its log on disk starts after the snapshot it holds.
    const disk = await host.disk(lagging).load();
    expect(disk.snapshot).toBeDefined();
    expect(disk.entries[0]?.index ?? Infinity).toBeGreaterThan(disk.snapshot!.metadata.index);
  });

  it('a whole cluster restarts from snapshots on disk with every acknowledged write', async () => {
    const host = new InProcessHost(nodeSpecs(settings, 72));
    const c = await startCluster({ settings, seed: 72, host });
    const leader = await c.leaderOf();
    await putMany(c, leader, 0, 60);
    await c.conductor.runUntil(c.conductor.now + 1_000_000);
    for (const n of [1, 2, 3]) {
      const disk = await host.disk(n).load();
      expect(disk.snapshot?.metadata.index ?? 0).toBeGreaterThan(20);
      await c.conductor.crash(n);
    }
    for (const n of [1, 2, 3]) await c.conductor.restart(n);
    const next = await c.leaderOf();
    for (const n of [1, 2, 3]) expect(await count(c, n)).toBe(60);
    await putMany(c, next, 60, 5);
    expect(await count(c, next)).toBe(65);
  });
});
