import { describe, expect, it } from 'vitest';
import { InProcessHost } from '../host/inproc-host';
import { Backend } from '../mvcc/backend';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { nodeSpecs, startCluster } from '../sim/cluster';
import { inspectBackend } from './inspect';

const bytes = (s: string) => new TextEncoder().encode(s);

async function cluster(seed: number) {
  const host = new InProcessHost(nodeSpecs(DEFAULT_SETTINGS, seed));
  const c = await startCluster({ settings: { ...DEFAULT_SETTINGS }, seed, host });
  return { c, host };
}

describe('inspecting a member', () => {
  it('shows its log, its keys at applied and its leases', async () => {
    const { c, host } = await cluster(101);
    const leader = await c.leaderOf();
    await c.call(leader, { method: 'leaseGrant', body: { TTL: 60, ID: 0xab } });
    await c.call(leader, {
      method: 'put',
      body: { key: bytes('color'), value: bytes('<blue>'), lease: 0xab },
    });
    const i = (await host.inspect(leader))!;
    expect(i.entries.map((e) => e.what)).toEqual(
      expect.arrayContaining([
        'ConfChangeAddNode n1',
        "empty (a new leader's first entry)",
        'lease grant, TTL 60 s',
        'put color = <blue>',
      ]),
    );
    expect(i.kvs).toEqual([
      { key: 'color', value: '<blue>', mod_revision: 2, version: 1, lease: 0xab },
    ]);
    expect(i.leases).toEqual([{ ID: 0xab, TTL: expect.any(Number), grantedTTL: 60 }]);
    expect(i.applied).toBe(i.lastIndex);
    expect(i.progress?.map((p) => p.id)).toEqual([1, 2, 3]);
    // The put was answered once a quorum had it: one follower at least, maybe not both.
    const followers = i.progress?.filter((p) => p.id !== leader) ?? [];
    expect(followers.every((p) => p.state === 'StateReplicate')).toBe(true);
    expect(followers.some((p) => p.match === i.lastIndex)).toBe(true);
    const follower = [1, 2, 3].find((n) => n !== leader)!;
    expect((await host.inspect(follower))!.progress).toBeUndefined();
  });

  it('never changes the run it looks at', async () => {
    const run = async (look: boolean) => {
      const { c, host } = await cluster(102);
      const leader = await c.leaderOf();
      for (let k = 0; k < 5; k++) {
        await c.call(leader, { method: 'put', body: { key: bytes(`k${k}`), value: bytes('v') } });
        if (look) for (const n of [1, 2, 3]) await host.inspect(n);
      }
      await c.conductor.runUntil(c.conductor.now + 1_000_000);
      return c.conductor.traceHash;
    };
    expect(await run(true)).toBe(await run(false));
  });
});

describe("a member's backend pages", () => {
  // An aged file (src/mvcc/backend/aged.ts) of a million pages.
  it('draws a million pages in at most 1024 squares, cold, partly free', () => {
    const backend = new Backend({ aged: { pages: 1_000_000, seed: 3 } });
    const view = inspectBackend(backend, 8 * 1024 ** 3, []);
    expect(view.pagesPerCell).toBe(977);
    expect(view.cells.length).toBeLessThanOrEqual(1024);
    expect(view.cellFree).toHaveLength(view.cells.length);
    expect(view.cells.slice(1, 100)).toBe('c'.repeat(99));
    // ~25% free low in the file: three tenths rounded up in every square there.
    expect(new Set(view.cellFree.slice(1, 900))).toEqual(new Set(['3']));
    expect(view.coldPages).toBeGreaterThan(650_000);
  });
});
