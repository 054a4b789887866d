// The operator-only 'configure' request: settings change on a running member, which keeps its
// state; a bad combination is refused and changes nothing; operators are not authenticated.
import { describe, expect, it } from 'vitest';
import { InProcessHost } from '../host/inproc-host';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { nodeSpecs, startCluster } from '../sim/cluster';

const bytes = (s: string) => new TextEncoder().encode(s);

async function cluster(settings = { ...DEFAULT_SETTINGS }) {
  const host = new InProcessHost(nodeSpecs(settings, 9));
  const c = await startCluster({ settings, seed: 9, host, keepTrace: true });
  return { c, host, leader: await c.leaderOf() };
}

describe("EtcdServer's configure request", () => {
  it('changes the member’s settings and keeps its log, term and leadership', async () => {
    const { c, host, leader } = await cluster();
    await c.call(leader, { method: 'put', body: { key: bytes('a'), value: bytes('1') } });
    const before = host.server(leader)!.raftStatus();
    const r = await c.call(leader, {
      method: 'configure',
      body: {
        electionTicks: 30,
        preVote: false,
        backend: { lockMode: 'rwlock', batchIntervalMs: 5, batchLimit: 7, freelistType: 'map' },
      },
    });
    expect(r.ok).toBe(true);
    const after = host.server(leader)!.raftStatus();
    expect([after.term, after.lead, after.commit]).toEqual([
      before.term,
      before.lead,
      before.commit,
    ]);
    expect(c.trace.at(-2)).toMatchObject({ kind: 'configured', node: leader, electionTicks: 30 });
    const got = await c.call(leader, { method: 'range', body: { key: bytes('a') } });
    expect(got.ok && 'kvs' in got.body && got.body.kvs.length).toBe(1);
  });

  it('refuses the lease read path without CheckQuorum, changing nothing', async () => {
    const { c, leader } = await cluster({ ...DEFAULT_SETTINGS, checkQuorum: false });
    const r = await c.call(leader, { method: 'configure', body: { readPath: 'lease' } });
    expect(r.ok).toBe(false);
    expect(c.trace.some((t) => t.kind === 'configured')).toBe(false);
  });

  it('is not authenticated: an operator is not a client', async () => {
    const { c, leader } = await cluster({ ...DEFAULT_SETTINGS, authMode: 'bcrypt' });
    const from = c.trace.length;
    await c.call(leader, {
      method: 'configure',
      body: { auth: { mode: 'off', bcryptCost: 10, cpuCores: 2 } },
    });
    expect(c.trace.slice(from).some((t) => t.kind === 'auth')).toBe(false);
    // Auth is off from here on: a put is served without a password check.
    await c.call(leader, { method: 'put', body: { key: bytes('b'), value: bytes('2') } });
    expect(c.trace.slice(from).some((t) => t.kind === 'auth')).toBe(false);
  });
});
