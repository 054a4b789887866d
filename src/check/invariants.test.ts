import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../scenario/schema';
import type { TraceRecord } from '../sim/conductor';
import { Session } from '../sim/session';
import { InvariantChecker } from './invariants';

/** Feeds records in order; returns the first violation. */
function feed(records: Omit<TraceRecord, 'atUs'>[]) {
  const c = new InvariantChecker();
  records.forEach((r, i) => c.observe({ atUs: i, ...r } as TraceRecord));
  return c.violation;
}

const persist = (node: number, writeId: number, ents: number[][]) => ({
  kind: 'persist',
  node,
  writeId,
  ents,
});
const leader = (node: number, term: number) => ({ kind: 'state', node, to: 'StateLeader', term });
const apply = (node: number, index: number, term: number, rev = 1, kv = 0) => ({
  kind: 'apply',
  node,
  index,
  term,
  rev,
  kv,
});

describe('InvariantChecker', () => {
  it('accepts a consistent history of three members', () => {
    const ents = [
      [1, 1, 11],
      [2, 1, 12],
    ];
    expect(
      feed([
        persist(1, 1, ents),
        persist(2, 1, ents),
        persist(3, 1, ents),
        leader(1, 2),
        persist(1, 2, [[3, 2, 0]]),
        apply(1, 1, 1),
        apply(2, 1, 1),
        apply(1, 2, 1),
        apply(1, 3, 2, 2, 7),
        persist(2, 2, [[3, 2, 0]]),
        apply(2, 2, 1),
        apply(2, 3, 2, 2, 7),
      ]),
    ).toBeUndefined();
  });

  it('election safety: two leaders in one term', () => {
    const v = feed([leader(1, 3), leader(2, 3)]);
    expect(v?.invariant).toBe('election-safety');
    expect(v?.message).toMatch(/n2 became leader of term 3, which n1 already leads/);
    expect(v?.node).toBe(2);
  });

  it('log matching: the same index and term over different histories', () => {
    const v = feed([
      persist(1, 1, [
        [1, 1, 5],
        [2, 2, 6],
      ]),
      persist(2, 1, [
        [1, 1, 9],
        [2, 2, 6],
      ]),
    ]);
    expect(v?.invariant).toBe('log-matching');
  });

  it('state machine safety: two members apply different entries at one index', () => {
    const v = feed([
      persist(1, 1, [[1, 1, 5]]),
      persist(2, 1, [[1, 2, 6]]),
      apply(1, 1, 1),
      apply(2, 1, 2),
    ]);
    expect(v?.invariant).toBe('state-machine-safety');
  });

  it('kv agreement: the same entry leaves different stores', () => {
    const v = feed([
      persist(1, 1, [[1, 1, 5]]),
      persist(2, 1, [[1, 1, 5]]),
      apply(1, 1, 1, 2, 100),
      apply(2, 1, 1, 2, 101),
    ]);
    expect(v?.invariant).toBe('kv-agreement');
  });

  it('revisions never go backwards on a member', () => {
    const v = feed([
      persist(1, 1, [
        [1, 1, 5],
        [2, 1, 6],
      ]),
      apply(1, 1, 1, 5),
      apply(1, 2, 1, 4),
    ]);
    expect(v?.invariant).toBe('revision-monotonic');
  });

  it('leader completeness: a crash loses what was not durable, and the new leader lacks it', () => {
    const v = feed([
      persist(1, 1, [[1, 1, 5]]),
      { kind: 'durable', node: 1, writeId: 1 },
      persist(1, 2, [[2, 1, 6]]), // never durable
      apply(2, 1, 1), // (n2 has nothing: a stand-in for a member that applied nothing)
      persist(3, 1, [
        [1, 1, 5],
        [2, 1, 6],
      ]),
      apply(3, 1, 1),
      apply(3, 2, 1),
      { kind: 'crash', node: 1 },
      { kind: 'node-start', node: 1 },
      leader(1, 2),
      persist(1, 3, [[2, 2, 0]]),
    ]);
    expect(v?.invariant).toBe('leader-completeness');
    expect(v?.message).toMatch(/n1 became leader of term 2 without the entries up to index 2/);
  });

  it('a removal that leaves the rest without a working quorum', () => {
    const conf = (node: number) => ({
      kind: 'apply-conf',
      node,
      index: 3,
      term: 1,
      voters: [1, 2, 3],
    });
    const ok = feed([
      conf(1),
      { kind: 'propose-conf', node: 1, change: 'ConfChangeRemoveNode', nodeId: 3 },
    ]);
    expect(ok).toBeUndefined();
    const c = new InvariantChecker();
    c.observe({ atUs: 0, ...conf(1) });
    c.observe({ atUs: 1_000_000, kind: 'crash', node: 3 });
    // Down for 2 s: etcd still counts it active (the health interval is 5 s).
    c.observe({
      atUs: 3_000_000,
      kind: 'propose-conf',
      node: 1,
      change: 'ConfChangeRemoveNode',
      nodeId: 2,
    });
    expect(c.violation).toBeUndefined();
    c.observe({
      atUs: 7_000_000,
      kind: 'propose-conf',
      node: 1,
      change: 'ConfChangeRemoveNode',
      nodeId: 2,
    });
    expect(c.violation?.invariant).toBe('quorum-safe-removal');
  });

  it('stops at the first violation', () => {
    const c = new InvariantChecker();
    c.observe({ atUs: 1, ...leader(1, 3) });
    c.observe({ atUs: 2, ...leader(2, 3) });
    c.observe({ atUs: 3, ...leader(3, 3) });
    expect(c.violation?.atUs).toBe(2);
    expect(c.violation?.record).toBe(2);
  });

  it('finds nothing in a real run with crashes, a partition and a workload', async () => {
    const s = defaultScenario(5);
    s.settings.snapshotCount = 100;
    s.workloads = [
      {
        mode: 'closed',
        rate: 0,
        concurrency: 4,
        mix: { put: 3, 'range-cheap': 1, txn: 1, delete: 1 },
        linearizable: true,
        keySpace: 5,
        valueBytes: 4,
        startMs: 500,
        stopMs: 9000,
      },
    ];
    s.actions = [
      { atUs: 2_000_000, kind: 'crash-leader' },
      { atUs: 3_000_000, kind: 'restart-all' },
      { atUs: 4_000_000, kind: 'isolate-leader' },
      { atUs: 6_000_000, kind: 'heal-all' },
      { atUs: 7_000_000, kind: 'crash', node: 2 },
      { atUs: 7_500_000, kind: 'restart', node: 2 },
    ];
    const session = await Session.start(s);
    await session.runTo(10_000_000);
    expect(session.invariants.violation).toBeUndefined();
    // The run did what it says: leaders changed and writes were applied on every member.
    expect(session.metrics.summary(1).leaderChanges).toBeGreaterThanOrEqual(3);
    expect(session.history.filter((op) => op.response).length).toBeGreaterThan(100);
    await session.dispose();
  });
});
