// Each unsafe setting does what its name says, and only when asked (the default cluster is safe).
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type UnsafeSetting } from '../scenario/schema';
import type { TraceRecord } from '../sim/conductor';
import { startCluster } from '../sim/cluster';
import type { InProcessHost } from '../host/inproc-host';

const key = (s: string) => new TextEncoder().encode(s);

async function cluster(unsafe: UnsafeSetting[], extra: Partial<typeof DEFAULT_SETTINGS> = {}) {
  const trace: TraceRecord[] = [];
  const c = await startCluster({
    settings: { ...DEFAULT_SETTINGS, ...extra, unsafe },
    seed: 3,
    onTrace: (r) => trace.push(r),
  });
  const leader = await c.leaderOf();
  return { c, leader, trace, host: c.host as InProcessHost };
}

describe('unsafe settings', () => {
  it('local-reads: a linearizable read is served at once, with no ReadIndex round', async () => {
    for (const unsafe of [[], ['local-reads']] as UnsafeSetting[][]) {
      const { c, leader, trace } = await cluster(unsafe);
      const follower = c.conductor.nodeIds().find((n) => n !== leader)!;
      await c.call(follower, { method: 'range', body: { key: key('a') } });
      const rounds = trace.filter((r) => r.kind === 'read-index' && r.node === follower).length;
      expect(rounds).toBe(unsafe.length === 0 ? 1 : 0);
    }
  });

  it('ack-before-fsync: a follower answers an append before its write is durable', async () => {
    for (const unsafe of [[], ['ack-before-fsync']] as UnsafeSetting[][]) {
      const { c, leader, trace } = await cluster(unsafe, { fsyncMs: 20 });
      const follower = c.conductor.nodeIds().find((n) => n !== leader)!;
      const from = trace.length;
      await c.call(leader, { method: 'put', body: { key: key('a'), value: key('1') } });
      await c.conductor.runUntil(c.conductor.now + 100_000);
      const mine = trace.slice(from).filter((r) => r.node === follower);
      const persisted = mine.findIndex((r) => r.kind === 'persist' && (r.entries as number) > 0);
      const durable = mine.findIndex((r, i) => i > persisted && r.kind === 'durable');
      const ents = mine[persisted]?.ents as number[][];
      const last = ents[ents.length - 1]![0]!;
      const acked = mine.findIndex(
        (r) => r.kind === 'send' && r.type === 'MsgAppResp' && (r.index as number) >= last,
      );
      expect(persisted).toBeGreaterThanOrEqual(0);
      if (unsafe.length === 0) expect(acked).toBeGreaterThan(durable);
      else expect(acked).toBeLessThan(durable);
    }
  });

  it('no-vote-persist: the vote never reaches the disk', async () => {
    for (const unsafe of [[], ['no-vote-persist']] as UnsafeSetting[][]) {
      const { c, leader, host } = await cluster(unsafe);
      await c.conductor.runUntil(c.conductor.now + 100_000);
      const follower = c.conductor.nodeIds().find((n) => n !== leader)!;
      const hs = (await host.disk(follower).load()).hardState;
      expect(hs.vote === 0).toBe(unsafe.length > 0);
    }
  });

  it('figure8-commit: a new leader appends no empty entry of its own term', async () => {
    for (const unsafe of [[], ['figure8-commit']] as UnsafeSetting[][]) {
      const { c, leader, trace } = await cluster(unsafe);
      await c.conductor.runUntil(c.conductor.now + 100_000);
      const won = trace.find(
        (r) => r.kind === 'state' && r.to === 'StateLeader' && r.node === leader,
      )!;
      const own = trace.filter(
        (r) =>
          r.kind === 'persist' &&
          r.node === leader &&
          (r.ents as number[][]).some(([, term]) => term === won.term),
      );
      expect(own.length > 0).toBe(unsafe.length === 0);
    }
  });

  it('skip-health-check: removing a live member while another is down is allowed', async () => {
    for (const unsafe of [[], ['skip-health-check']] as UnsafeSetting[][]) {
      const { c, leader } = await cluster(unsafe);
      const [down, removed] = c.conductor.nodeIds().filter((n) => n !== leader);
      await c.conductor.crash(down!);
      await c.conductor.runUntil(c.conductor.now + 6_000_000);
      const r = await c.call(leader, { method: 'memberRemove', body: { ID: removed! } });
      if (unsafe.length === 0)
        expect(r).toMatchObject({ ok: false, error: { message: 'etcdserver: unhealthy cluster' } });
      else expect(r.ok).toBe(true);
    }
  });

  it('skip-health-check still refuses to remove the last voter', async () => {
    const { c, leader } = await cluster(['skip-health-check'], { size: 1 });
    const r = await c.call(leader, { method: 'memberRemove', body: { ID: leader } });
    expect(r.ok).toBe(false);
  });
});
