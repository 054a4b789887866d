// Settings changed mid-run (set-timing, set-read-path, set-backend, set-auth, and set-network and
// set-disk through the same path): each takes effect at its place in the run, a node down at the
// time takes the settings up as it restarts, and a change the settings in effect refuse fails
// without changing anything.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseScenario, type ClusterSettings } from '../scenario/schema';
import { checkActions, settingsActions, settingsInEffect } from './actions';
import type { TraceRecord } from './conductor';
import { Session } from './session';

async function start(
  settings: Partial<ClusterSettings> = {},
  workload = false,
): Promise<{ s: Session; trace: TraceRecord[] }> {
  const trace: TraceRecord[] = [];
  const scenario = parseScenario({
    version: 1,
    seed: 17,
    settings,
    workloads: workload
      ? [{ mode: 'closed', concurrency: 2, mix: { put: 1, 'range-cheap': 2 }, startMs: 1000 }]
      : [],
  });
  const s = await Session.start(scenario, { onTrace: (r) => trace.push(r) });
  return { s, trace };
}

const after = (trace: TraceRecord[], atUs: number) => trace.filter((r) => r.atUs > atUs);

/** Simulated time from a leader's crash to the first campaign (or pre-campaign) it causes. */
async function electionDelayUs(s: Session, trace: TraceRecord[]): Promise<number> {
  const leader = await s.cluster.leaderOf();
  const crashedUs = s.nowUs;
  await s.act({ kind: 'crash', node: leader });
  await s.runTo(s.nowUs + 10_000_000);
  const campaign = after(trace, crashedUs).find(
    (r) => r.kind === 'state' && (r.to === 'StatePreCandidate' || r.to === 'StateCandidate'),
  );
  return campaign!.atUs - crashedUs;
}

describe('set-timing', () => {
  it('makes a follower wait the new election timeout', async () => {
    const before = await start();
    await before.s.runTo(2_000_000);
    const usual = await electionDelayUs(before.s, before.trace);
    expect(usual).toBeGreaterThanOrEqual(900_000);
    expect(usual).toBeLessThan(2_200_000);

    const changed = await start();
    await changed.s.runTo(2_000_000);
    await changed.s.act({ kind: 'set-timing', electionTimeoutMs: 4000 });
    await changed.s.runTo(2_500_000);
    expect(await electionDelayUs(changed.s, changed.trace)).toBeGreaterThanOrEqual(3_900_000);
  });

  it('moves the leader’s heartbeats to the new interval', async () => {
    const { s, trace } = await start();
    await s.runTo(2_000_000);
    const leader = await s.cluster.leaderOf();
    await s.act({ kind: 'set-timing', heartbeatMs: 25, electionTimeoutMs: 250 });
    const changedUs = s.nowUs;
    await s.runTo(changedUs + 1_000_000);
    const beats = after(trace, changedUs + 200_000)
      .filter((r) => r.kind === 'send' && r.type === 'MsgHeartbeat' && r.node === leader)
      .filter((r) => r.to === (leader === 1 ? 2 : 1))
      .map((r) => r.atUs);
    const gaps = beats.slice(1).map((t, i) => t - beats[i]!);
    expect(gaps.length).toBeGreaterThan(20);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(25_000);
    expect(s.cluster.settings).toMatchObject({ heartbeatMs: 25, electionTimeoutMs: 250 });
  });

  it('is refused when the election timeout would not be longer than the heartbeat', async () => {
    const { s, trace } = await start();
    await s.runTo(1_000_000);
    await s.act({ kind: 'set-timing', heartbeatMs: 1500 });
    expect(trace.at(-1)).toMatchObject({ kind: 'action-failed', action: 'set-timing' });
    expect(String(trace.at(-1)!.error)).toMatch(/electionTimeoutMs: must be longer/);
    expect(s.cluster.settings.heartbeatMs).toBe(100);
  });
});

describe('set-backend', () => {
  it('changes the lock events of reads from that place on', async () => {
    const { s, trace } = await start({}, true);
    await s.runTo(2_000_000);
    const reads = (rs: TraceRecord[]) => rs.filter((r) => r.kind === 'lock' && r.txn === 'read');
    expect(reads(trace).length).toBeGreaterThan(10);
    expect(reads(trace).every((r) => r.lock !== 'batchTx')).toBe(true);
    await s.act({ kind: 'set-backend', lockMode: 'coarse' });
    const changedUs = s.nowUs;
    await s.runTo(3_000_000);
    const later = reads(after(trace, changedUs));
    expect(later.length).toBeGreaterThan(10);
    expect(later.every((r) => r.lock === 'batchTx' && r.mode === 'exclusive')).toBe(true);
  });

  it('reaches a node that was down when it happened, as the node restarts', async () => {
    const { s, trace } = await start();
    await s.runTo(1_500_000);
    await s.act({ kind: 'crash', node: 3 });
    await s.act({ kind: 'set-backend', lockMode: 'coarse', batchLimit: 50 });
    await s.runTo(2_000_000);
    // Only the nodes that were up were sent the change.
    expect(trace.filter((r) => r.kind === 'configured').map((r) => r.node)).toEqual([1, 2]);
    await s.act({ kind: 'restart', node: 3 });
    const restartedUs = s.nowUs;
    await s.runTo(2_500_000);
    const took = after(trace, restartedUs - 1).find((r) => r.kind === 'configured');
    expect(took).toMatchObject({
      node: 3,
      backend: { lockMode: 'coarse', batchIntervalMs: 100, batchLimit: 50 },
    });
    // n3 serves a local read under the coarse lock.
    await s.act({ kind: 'get', node: 3, key: 'k', serializable: true });
    await s.runTo(2_600_000);
    const read = after(trace, 2_500_000).find(
      (r) => r.kind === 'lock' && r.node === 3 && r.txn === 'read',
    );
    expect(read).toMatchObject({ lock: 'batchTx', mode: 'exclusive' });
  });
});

describe('set-read-path', () => {
  it('serves reads through the log, then locally and serializably', async () => {
    const { s, trace } = await start();
    await s.runTo(1_500_000);
    await s.act({ kind: 'set-read-path', readPath: 'log' });
    await s.act({ kind: 'get', node: 2, key: 'k' });
    await s.runTo(2_000_000);
    expect(trace.some((r) => r.kind === 'propose' && r.method === 'range')).toBe(true);
    await s.act({ kind: 'set-read-path', readPath: 'serializable' });
    const changedUs = s.nowUs;
    await s.act({ kind: 'get', node: 2, key: 'k' });
    await s.runTo(2_500_000);
    const later = after(trace, changedUs);
    expect(later.some((r) => r.kind === 'response' && r.node === 2 && r.clientId === 1)).toBe(true);
    expect(later.some((r) => ['read-index', 'propose'].includes(r.kind))).toBe(false);
  });

  it('reads again, under the new path, a read waiting for its round', async () => {
    const { s, trace } = await start();
    await s.runTo(1_500_000);
    const leader = await s.cluster.leaderOf();
    const follower = leader === 1 ? 2 : 1;
    await s.act({
      kind: 'partition',
      groups: [[follower], [1, 2, 3].filter((n) => n !== follower)],
    });
    await s.act({ kind: 'get', node: follower, key: 'k' });
    await s.runTo(s.nowUs + 300_000);
    const answered = () =>
      trace.some((r) => r.kind === 'response' && r.node === follower && r.clientId === 1);
    expect(answered()).toBe(false); // its ReadIndex cannot reach the leader
    await s.act({ kind: 'set-read-path', readPath: 'serializable' });
    await s.runTo(s.nowUs + 10_000);
    expect(answered()).toBe(true);
  });

  it('refuses the lease read path without CheckQuorum', async () => {
    const { s, trace } = await start({ checkQuorum: false });
    await s.runTo(1_000_000);
    await s.act({ kind: 'set-read-path', readPath: 'lease' });
    expect(trace.at(-1)).toMatchObject({ kind: 'action-failed', action: 'set-read-path' });
    expect(s.cluster.settings.readPath).toBe('read-index');
  });
});

describe('the serializable read path as a cluster setting', () => {
  it('serves every range and read-only txn locally: no ReadIndex round, no proposal', async () => {
    const { s, trace } = await start({ readPath: 'serializable' }, true);
    await s.runTo(3_000_000);
    const served = trace.filter((r) => r.kind === 'lock' && r.txn === 'read');
    expect(served.length).toBeGreaterThan(20);
    expect(trace.some((r) => r.kind === 'read-index' || r.kind === 'read-served')).toBe(false);
    expect(trace.some((r) => r.kind === 'propose' && r.method === 'range')).toBe(false);
  });
});

describe('set-auth', () => {
  it('makes every request pay for a bcrypt check from that place on', async () => {
    const { s, trace } = await start({}, true);
    await s.runTo(1_500_000);
    expect(trace.some((r) => r.kind === 'auth')).toBe(false);
    await s.act({ kind: 'set-auth', authMode: 'bcrypt', bcryptCost: 5 });
    await s.runTo(2_000_000);
    const checks = trace.filter((r) => r.kind === 'auth');
    expect(checks.length).toBeGreaterThan(5);
    expect(checks.every((r) => r.check === 'password' && r.costUs === 2 ** 5 * 64)).toBe(true);
  });
});

describe('set-network and set-disk', () => {
  it('change every link’s latency and every disk’s fsync from that place on', async () => {
    const { s, trace } = await start({}, true);
    await s.runTo(1_500_000);
    await s.act({ kind: 'set-network', latencyMs: 20, jitterMs: 0 });
    await s.act({ kind: 'set-disk', fsyncMs: 30, fsyncJitterMs: 0 });
    const changedUs = s.nowUs;
    await s.runTo(2_500_000);
    const later = after(trace, changedUs);
    const sends = later.filter((r) => r.kind === 'send');
    expect(sends.length).toBeGreaterThan(10);
    for (const r of sends) expect((r.deliverAtUs as number[])[0]! - r.atUs).toBe(20_000);
    const persisted = new Map<string, number>();
    let durable = 0;
    for (const r of later) {
      const key = `${String(r.node)}/${String(r.writeId)}`;
      if (r.kind === 'persist') persisted.set(key, r.atUs);
      if (r.kind === 'durable' && persisted.has(key)) {
        expect(r.atUs - persisted.get(key)!).toBeGreaterThanOrEqual(30_000);
        durable++;
      }
    }
    expect(durable).toBeGreaterThan(5);
    expect(s.cluster.settings).toMatchObject({ networkLatencyMs: 20, fsyncMs: 30 });
  });

  it('give a client’s call its trip to the member (clientLatencyMs), and change it', async () => {
    /** For each closed-loop client, the time from a response to its next call reaching a member. */
    const gaps = (records: TraceRecord[]) => {
      const answered = new Map<number, number>();
      const out: number[] = [];
      for (const r of records) {
        const client = r.clientId as number;
        if (!(client >= 1000)) continue;
        if (r.kind === 'response' && r.ok === true) answered.set(client, r.atUs);
        if (r.kind === 'request' && answered.has(client)) {
          out.push(r.atUs - answered.get(client)!);
          answered.delete(client);
        }
      }
      return out;
    };
    const { s, trace } = await start({ clientLatencyMs: 3 }, true);
    await s.runTo(1_500_000);
    const before = gaps(trace);
    expect(before.length).toBeGreaterThan(20);
    expect(new Set(before)).toEqual(new Set([3000]));
    await s.act({ kind: 'set-network', clientMs: 0 });
    const changedUs = s.nowUs;
    await s.runTo(2_000_000);
    const now = gaps(after(trace, changedUs));
    expect(now.length).toBeGreaterThan(20);
    expect(new Set(now)).toEqual(new Set([0]));
    expect(s.cluster.settings.clientLatencyMs).toBe(0);
  });
});

describe('settings actions', () => {
  it('check their arguments as scenario settings are checked', () => {
    const bad = [
      { kind: 'set-timing' },
      { kind: 'set-timing', heartbeatMs: 0 },
      { kind: 'set-timing', heartbeatMs: 100, electionTimeoutMs: 100 },
      { kind: 'set-read-path', readPath: 'fast' },
      { kind: 'set-backend', lockMode: 'none' },
      { kind: 'set-backend', batchLimit: 0.5 },
      { kind: 'set-auth', bcryptCost: 99 },
      { kind: 'set-network', loss: 2 },
      { kind: 'set-disk', fsyncMs: -1 },
    ];
    for (const a of bad) expect(() => checkActions([{ atUs: 0, ...a }]), a.kind).toThrow();
    checkActions([{ atUs: 0, kind: 'set-timing', preVote: false }]);
  });

  it('fold into the settings in effect at a time, leaving out the refused ones', () => {
    const scenario = parseScenario({
      version: 1,
      actions: [
        { atUs: 1000, kind: 'set-backend', lockMode: 'rwlock' },
        { atUs: 2000, kind: 'set-timing', heartbeatMs: 2000 }, // refused: not below 1000 ms
        { atUs: 3000, kind: 'set-network', latencyMs: 5 },
        { atUs: 4000, kind: 'set-read-path', readPath: 'log' },
      ],
    });
    expect(settingsInEffect(scenario, 500).lockMode).toBe('concurrent');
    const at3 = settingsInEffect(scenario, 3000);
    expect(at3).toMatchObject({ lockMode: 'rwlock', heartbeatMs: 100, networkLatencyMs: 5 });
    expect(at3.readPath).toBe('read-index');
    expect(settingsInEffect(scenario, 4000).readPath).toBe('log');
  });

  it('are derived from two sets of settings, one per kind, with just what changes', () => {
    const to = {
      ...DEFAULT_SETTINGS,
      heartbeatMs: 50,
      lockMode: 'coarse' as const,
      networkLoss: 0.1,
      size: 5, // not an action's: left out
    };
    expect(settingsActions(DEFAULT_SETTINGS, to)).toEqual([
      { kind: 'set-network', loss: 0.1 },
      { kind: 'set-timing', heartbeatMs: 50 },
      { kind: 'set-backend', lockMode: 'coarse' },
    ]);
    expect(settingsActions(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS })).toEqual([]);
  });
});
