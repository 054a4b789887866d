// A member whose WAL fsync outlasts a heartbeat interval misses ticks (etcd's raftNode takes no
// tick while it is inside storage.Save, and its ticker holds only one): a slow leader sends no
// heartbeats and its followers elect another. `slow-disk-leader` slows whichever member leads.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/schema';
import type { TraceRecord } from './conductor';
import { Session } from './session';

async function trace(actions: { atUs: number; kind: string; [k: string]: unknown }[]) {
  const records: TraceRecord[] = [];
  const scenario = parseScenario({
    version: 1,
    seed: 5,
    settings: {},
    workloads: [{ mode: 'open', rate: 50, mix: { put: 1 }, keySpace: 10, startMs: 1500 }],
    actions,
    cursorUs: 8_000_000,
  });
  const s = await Session.start(scenario, { onTrace: (r) => records.push(r) });
  await s.runTo(scenario.cursorUs);
  await s.dispose();
  return records;
}

const leaders = (rs: TraceRecord[]) =>
  rs.filter((r) => r.kind === 'state' && r.to === 'StateLeader');

describe('a slow disk on the leader', () => {
  it('with fast disks no tick is missed and the first leader stays', async () => {
    const rs = await trace([]);
    expect(rs.some((r) => r.kind === 'tick-missed')).toBe(false);
    expect(leaders(rs).length).toBe(1);
  });

  it('fsyncs of 2-2.5 s make the leader miss ticks, and the others elect a new leader', async () => {
    // Longer than the longest randomized election timeout (2 s): the MsgApps the leader sends
    // between two of its fsyncs cannot keep every follower waiting.
    const rs = await trace([{ atUs: 3_000_000, kind: 'slow-disk-leader', factor: 1000 }]);
    const first = leaders(rs)[0]!;
    const slowed = rs.find((r) => r.kind === 'slow-disk');
    expect(slowed).toMatchObject({ node: first.node, factor: 1000 });
    const missed = rs.filter((r) => r.kind === 'tick-missed');
    expect(missed.length).toBeGreaterThan(0);
    expect(missed.every((r) => r.atUs > 3_000_000)).toBe(true);
    expect(missed.some((r) => r.node === first.node)).toBe(true);
    const next = leaders(rs).find((r) => r.atUs > 3_000_000);
    expect(next).toBeDefined();
    expect(next!.node).not.toBe(first.node);
  });

  it('refuses a factor below 1', async () => {
    const rs = await trace([{ atUs: 3_000_000, kind: 'slow-disk-leader', factor: 0.5 }]).catch(
      (e: unknown) => String(e),
    );
    expect(String(rs)).toMatch(/factor must be a number >= 1/);
  });
});
