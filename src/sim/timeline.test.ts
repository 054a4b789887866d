import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { startCluster } from './cluster';
import type { TraceRecord } from './conductor';
import { DYING_US, Timeline, messageProgress } from './timeline';

async function recordedRun() {
  const records: TraceRecord[] = [];
  const c = await startCluster({
    settings: { ...DEFAULT_SETTINGS },
    seed: 81,
    onTrace: (r) => records.push(r),
  });
  const leader = await c.leaderOf();
  const key = new TextEncoder().encode('k');
  for (let i = 0; i < 130; i++) await c.call(leader, { method: 'put', body: { key, value: key } });
  c.conductor.network.partition([[leader], [1, 2, 3].filter((n) => n !== leader)]);
  await c.conductor.runUntil(c.conductor.now + 3_000_000);
  await c.conductor.crash([1, 2, 3].find((n) => n !== leader)!);
  c.conductor.network.healAll();
  await c.conductor.runUntil(c.conductor.now + 2_000_000);
  return { records, leader, endUs: c.conductor.now };
}

describe('Timeline', () => {
  it('derives node state at any time exactly as a fold from the start would', async () => {
    const { records, endUs } = await recordedRun();
    expect(records.length).toBeGreaterThan(5000); // enough for several checkpoints
    const t = new Timeline([1, 2, 3]);
    for (const r of records) t.push(r);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: endUs }), (at) => {
        const fresh = new Timeline([1, 2, 3]);
        for (const r of records) if (r.atUs <= at) fresh.push(r);
        expect(t.nodesAt(at)).toEqual(fresh.nodesAt(at));
      }),
      { numRuns: 40 },
    );
  });

  it('shows the leader, its term, and the old leader deposed after a partition', async () => {
    const { records, leader } = await recordedRun();
    const t = new Timeline([1, 2, 3]);
    const partitionAt = records.find(
      (r) => r.kind === 'state' && r.to === 'StatePreCandidate',
    )?.atUs;
    for (const r of records) t.push(r);
    const early = t.nodesAt(2_000_000);
    expect(early.find((n) => n.id === leader)).toMatchObject({
      role: 'StateLeader',
      liveness: 'up',
    });
    expect(early.filter((n) => n.role === 'StateLeader')).toHaveLength(1);
    expect(partitionAt).toBeDefined();
    const end = t.nodesAt(t.lastUs);
    expect(end.filter((n) => n.liveness === 'down')).toHaveLength(1);
    expect(Math.max(...end.map((n) => n.term))).toBeGreaterThan(
      early.find((n) => n.id === leader)!.term,
    );
  });

  it('puts every message in flight on its link by time alone, and lets dropped ones die visibly', async () => {
    const { records } = await recordedRun();
    const t = new Timeline([1, 2, 3]);
    for (const r of records) t.push(r);
    let sawDying = false;
    for (let at = 1_000_000; at < t.lastUs; at += 37_013) {
      for (const m of t.messagesAt(at)) {
        expect(m.sentUs).toBeLessThanOrEqual(at);
        const p = messageProgress(m, at);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        if (m.droppedUs !== undefined) {
          sawDying = true;
          expect(at - m.droppedUs).toBeLessThanOrEqual(DYING_US);
        } else expect(m.deliverUs).toBeGreaterThan(at);
      }
    }
    expect(sawDying).toBe(true);
  });

  it('finds the next record of a kind and the records in a window', async () => {
    const { records } = await recordedRun();
    const t = new Timeline([1, 2, 3]);
    for (const r of records) t.push(r);
    const i = t.findNext(0, (r) => r.kind === 'state' && r.to === 'StateLeader');
    expect(t.record(i)?.kind).toBe('state');
    const w = t.between(1_000_000, 1_100_000);
    expect(w.every((r) => r.atUs >= 1_000_000 && r.atUs <= 1_100_000)).toBe(true);
  });
});
