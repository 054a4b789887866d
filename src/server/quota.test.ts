// The space quota end to end on a running cluster: fill past --quota-backend-bytes, NOSPACE is
// raised through Raft, writes are refused with etcd's error while reads and deletes go on, the
// alarm survives a restart, and compaction + defragment + disarm bring writes back. The answers
// were checked against a real etcd 3.4.23 (see quota.ts).
import { describe, expect, it } from 'vitest';
import { InProcessHost } from '../host/inproc-host';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { nodeSpecs, startCluster } from '../sim/cluster';
import { gatewayRequest, gatewayResponse } from './gateway';
import type { ClientRequest } from './requests';
import {
  quotaAvailable,
  quotaCost,
  refusedWhileCapped,
  wrapSnapshot,
  unwrapSnapshot,
} from './quota';

const bytes = (s: string) => new TextEncoder().encode(s);
const NOSPACE = 'etcdserver: mvcc: database space exceeded';

async function cluster() {
  const settings = { ...DEFAULT_SETTINGS, quotaBackendBytes: 256 * 1024, snapshotCount: 40 };
  const host = new InProcessHost(nodeSpecs(settings, 7));
  const c = await startCluster({ settings, seed: 7, host, keepTrace: true });
  const leader = await c.leaderOf();
  const put = (key: string, size = 8000, node = leader) =>
    c.call(node, { method: 'put', body: { key: bytes(key), value: new Uint8Array(size) } });
  return { c, host, leader, put };
}

describe('the space quota', () => {
  it('costs requests as quota.go does, and lets free ones through', () => {
    const put: ClientRequest = { method: 'put', body: { key: bytes('k'), value: bytes('vv') } };
    expect(quotaCost(put)).toBe(256 + 1 + 2);
    const delTxn: ClientRequest = {
      method: 'txn',
      body: { success: [{ request_delete_range: { key: bytes('k') } }] },
    };
    expect(quotaCost(delTxn)).toBe(0);
    expect(quotaAvailable(delTxn, 10_000, 1000)).toBe(true);
    expect(quotaAvailable(put, 741, 1000)).toBe(false); // Size + cost must stay under the quota
    expect(quotaAvailable(put, 740, 1000)).toBe(true);
    expect(refusedWhileCapped(delTxn)).toBe(false);
    expect(refusedWhileCapped({ method: 'leaseGrant', body: { TTL: 5 } })).toBe(true);
    const data = wrapSnapshot(bytes('mvcc...'), [{ memberID: 2, alarm: 'NOSPACE' }]);
    expect(unwrapSnapshot(data)).toEqual({
      store: bytes('mvcc...'),
      alarms: [{ memberID: 2, alarm: 'NOSPACE' }],
    });
  });

  it('raises NOSPACE through Raft, refuses writes, and recovers with compact, defrag and disarm', async () => {
    const { c, leader, put } = await cluster();
    let refused: Awaited<ReturnType<typeof put>> | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      const r = await put(`k${i % 4}`);
      if (!r.ok) refused = r;
    }
    expect(refused).toMatchObject({ ok: false, error: { message: NOSPACE, code: 8 } });
    await c.conductor.runUntil(c.conductor.now + 500_000);
    // Every member applied the alarm entry.
    for (const n of c.conductor.nodeIds()) {
      const list = await c.call(n, { method: 'alarm', body: { action: 'GET' } });
      expect(list.ok && 'alarms' in list.body && list.body.alarms.length).toBeGreaterThan(0);
    }
    const follower = c.conductor.nodeIds().find((n) => n !== leader)!;
    expect(await put('more', 10, follower)).toMatchObject({
      ok: false,
      error: { message: NOSPACE },
    });
    expect(await c.call(leader, { method: 'leaseGrant', body: { TTL: 60 } })).toMatchObject({
      ok: false,
      error: { message: NOSPACE },
    });
    // Reads, deletes and a txn without puts go on.
    expect((await c.call(leader, { method: 'range', body: { key: bytes('k1') } })).ok).toBe(true);
    expect((await c.call(leader, { method: 'deleteRange', body: { key: bytes('k3') } })).ok).toBe(
      true,
    );
    // A txn of deletes costs nothing and goes through; one with a put is refused (etcd 3.4.23).
    const delTxn = { success: [{ request_delete_range: { key: bytes('k2') } }] };
    expect((await c.call(leader, { method: 'txn', body: delTxn })).ok).toBe(true);
    const putTxn = { success: [{ request_put: { key: bytes('t'), value: bytes('v') } }] };
    expect(await c.call(leader, { method: 'txn', body: putTxn })).toMatchObject({
      ok: false,
      error: { message: NOSPACE },
    });
    const status = await c.call(leader, { method: 'status', body: {} });
    expect(status.ok && 'errors' in status.body && status.body.errors?.[0]).toMatch(
      /^memberID:\d+ alarm:NOSPACE $/,
    );

    // Compaction frees pages but the file keeps its size: disarmed, the alarm comes back.
    const rev = status.ok ? status.body.header.revision : 0;
    expect((await c.call(leader, { method: 'compact', body: { revision: rev } })).ok).toBe(true);
    await c.conductor.runUntil(c.conductor.now + 500_000);
    const disarm = { method: 'alarm', body: { action: 'DEACTIVATE', memberID: 0, alarm: 'NONE' } };
    expect((await c.call(leader, disarm as ClientRequest)).ok).toBe(true);
    expect(await put('again', 10)).toMatchObject({ ok: false, error: { message: NOSPACE } });

    // Defragment every member, disarm: writes are back.
    for (const n of c.conductor.nodeIds()) {
      expect((await c.call(n, { method: 'defragment', body: {} })).ok).toBe(true);
      const s = await c.call(n, { method: 'status', body: {} });
      if (!s.ok || !('dbSize' in s.body)) throw new Error('no status');
      expect(s.body.dbSize).toBe(s.body.dbSizeInUse);
      expect(s.body.dbSize).toBeLessThan((256 * 1024) / 2);
    }
    await c.conductor.runUntil(c.conductor.now + 500_000);
    expect((await c.call(leader, disarm as ClientRequest)).ok).toBe(true);
    await c.conductor.runUntil(c.conductor.now + 500_000);
    expect((await put('again', 10)).ok).toBe(true);
    expect(c.trace.some((r) => r.kind === 'defrag')).toBe(true);
  });

  it('keeps the alarm across a restart (the log and snapshots carry it)', async () => {
    const { c, leader, put } = await cluster();
    for (let i = 0; i < 100; i++) if (!(await put(`k${i % 4}`)).ok) break;
    await c.conductor.runUntil(c.conductor.now + 500_000);
    const follower = c.conductor.nodeIds().find((n) => n !== leader)!;
    // Enough entries after the alarm for a snapshot that holds it.
    for (let i = 0; i < 50; i++)
      await c.call(leader, { method: 'deleteRange', body: { key: bytes(`x${i}`) } });
    await c.conductor.crash(follower);
    await c.conductor.restart(follower);
    await c.conductor.runUntil(c.conductor.now + 2_000_000);
    // The follower snapshotted after applying the alarm, so its restart read it from the snapshot.
    const alarmAt = c.trace.find(
      (r) => r.kind === 'apply' && r.node === follower && r.method === 'alarm',
    )!.index as number;
    const snapAt = c.trace.filter((r) => r.kind === 'snapshot' && r.node === follower).at(-1)!;
    expect(snapAt.index as number).toBeGreaterThan(alarmAt);
    const list = await c.call(follower, { method: 'alarm', body: { action: 'GET' } });
    expect(list.ok && 'alarms' in list.body && list.body.alarms.map((a) => a.alarm)).toContain(
      'NOSPACE',
    );
    expect(await put('more', 10, follower)).toMatchObject({
      ok: false,
      error: { message: NOSPACE },
    });
  });

  it('speaks /v3/maintenance/alarm and /v3/maintenance/defragment as etcd 3.4.23 answers', async () => {
    const { c, leader, put } = await cluster();
    const call = async (path: string, body: unknown) =>
      gatewayResponse(await c.call(leader, gatewayRequest(path, body)));
    expect(await call('/v3/maintenance/alarm', { action: 'GET' })).toEqual({
      status: 200,
      body: {},
    });
    for (let i = 0; i < 100; i++) if (!(await put(`k${i % 4}`)).ok) break;
    await c.conductor.runUntil(c.conductor.now + 500_000);
    const list = await call('/v3/maintenance/alarm', {});
    // One alarm per member that found itself out of space (each checks its own backend).
    const alarms = (list.body as { alarms: { memberID: string; alarm: string }[] }).alarms;
    expect(alarms.length).toBeGreaterThan(0);
    for (const a of alarms)
      expect(a).toEqual({ memberID: expect.stringMatching(/^\d+$/), alarm: 'NOSPACE' });
    expect(await call('/v3/kv/put', { key: 'aw==', value: 'dg==' })).toEqual({
      status: 429,
      body: { error: NOSPACE, message: NOSPACE, code: 8 },
    });
    expect(await call('/v3/maintenance/defragment', {})).toEqual({ status: 200, body: {} });
    const off = { action: 'DEACTIVATE', memberID: alarms[0]!.memberID, alarm: 'NOSPACE' };
    expect((await call('/v3/maintenance/alarm', off)).body).toEqual({ alarms: [alarms[0]] });
  });
});
