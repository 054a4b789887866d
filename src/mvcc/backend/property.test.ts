// Random request sequences, in each mode and with modes switching mid-run: the schedule must be
// a legal lock schedule and every duration exactly its cost.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backend } from './backend';
import { bufferCopyCostUs, commitCostUs, readCostUs, writeCostUs } from './cost';
import { conflictingOverlaps, holdsOf } from './testkit';
import type { BackendEvent, CostModel, LockMode, TxnTiming } from './types';

// Small durations against a 2 ms batch interval and a batch limit of 6: plenty of contention,
// interval commits and limit commits. Per-key commit and copy costs are 0 so that every cost is
// known from the request alone (those two are covered in backend.test.ts).
const COST: CostModel = {
  readTxnNs: 20_000,
  perKeyScannedNs: 1_000,
  perByteReadNs: 1,
  writeTxnNs: 30_000,
  perKeyWrittenNs: 7_000,
  perByteWrittenNs: 3,
  commitBaseNs: 400_000,
  perKeyCommittedNs: 0,
  bufferCopyBaseNs: 3_000,
  bufferCopyPerKeyNs: 0,
  defragBaseNs: 1_000_000,
  defragPerByteNs: 0,
};

const MODES = ['coarse', 'rwlock', 'concurrent'] as const;

const opArb = fc.record({
  dtUs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000 })),
  what: fc.constantFrom('read', 'read', 'write', 'write', 'advance', 'force', 'mode'),
  keys: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 5_000 })),
  mode: fc.constantFrom(...MODES),
});

type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

interface Expected {
  timing: TxnTiming;
  costUs: number;
}

function check(initial: LockMode, ops: readonly Op[], mixed: boolean): void {
  const events: BackendEvent[] = [];
  const late: BackendEvent[] = [];
  const b: Backend = new Backend({
    lockMode: initial,
    batchIntervalMs: 2,
    batchLimit: 6,
    cost: COST,
    onEvent: (e) => {
      if (e.atUs > b.stats.nowUs) late.push(e);
      events.push(e);
    },
  });
  const commitUs = commitCostUs(COST, 0);
  const expected: Expected[] = [];
  const commits = (ts: readonly TxnTiming[]) =>
    ts.forEach((timing) => expected.push({ timing, costUs: commitUs }));
  let now = 0;
  for (const op of ops) {
    now += op.dtUs;
    const mode = b.settings.lockMode;
    if (op.what === 'read') {
      const work = { keysScanned: op.keys, bytesRead: op.keys * 100 };
      const copyUs = mode === 'concurrent' ? bufferCopyCostUs(COST, 0) : 0;
      expected.push({ timing: b.read(now, work), costUs: copyUs + readCostUs(COST, work) });
    } else if (op.what === 'write') {
      const work = { keysWritten: op.keys % 4, bytesWritten: op.keys };
      expected.push({ timing: b.write(now, work), costUs: writeCostUs(COST, work) });
    } else if (op.what === 'advance') {
      commits(b.advanceTo(now));
    } else if (op.what === 'force') {
      const forced = b.forceCommit(now);
      if (forced) commits([forced]);
    } else if (mixed) {
      b.configure({ lockMode: op.mode });
    }
  }
  for (let d = b.nextDeadlineUs(); d !== undefined; d = b.nextDeadlineUs()) commits(b.advanceTo(d));

  expect(late).toEqual([]);
  for (let i = 1; i < events.length; i++) {
    expect(events[i]!.atUs).toBeGreaterThanOrEqual(events[i - 1]!.atUs);
  }
  const holds = holdsOf(events); // throws unless each (txn, lock) is requested, granted, released once
  for (const h of holds) {
    expect(h.grantedUs).toBeGreaterThanOrEqual(h.requestedUs);
    expect(h.releasedUs).toBeGreaterThanOrEqual(h.grantedUs);
    // Limit commits are returned by no call; their cost shows in their readTx hold.
    if (h.kind === 'commit' && h.lock === 'readTx')
      expect(h.releasedUs - h.grantedUs).toBe(commitUs);
  }
  expect(conflictingOverlaps(holds)).toEqual([]);
  for (const { timing, costUs } of expected) {
    expect(timing.grantedUs).toBeGreaterThanOrEqual(timing.requestedUs);
    expect(timing.completedUs - timing.grantedUs).toBe(costUs);
    const own = holds.filter((h) => h.txnId === timing.txnId);
    expect(own.length).toBeGreaterThan(0);
    expect(Math.min(...own.map((h) => h.requestedUs))).toBe(timing.requestedUs);
    expect(Math.max(...own.map((h) => h.releasedUs))).toBe(timing.completedUs);
  }
  const txnIds = new Set(holds.map((h) => h.txnId));
  expect(txnIds.size).toBe(
    b.stats.commits + expected.filter((x) => x.timing.kind !== 'commit').length,
  );
}

describe('backend schedules (property)', () => {
  it.each(MODES)('are legal and exact in %s mode', (mode) => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => check(mode, ops, false)),
      { numRuns: 200 },
    );
  });

  it('stay legal when the lock mode changes mid-run', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MODES), fc.array(opArb, { maxLength: 60 }), (mode, ops) =>
        check(mode, ops, true),
      ),
      { numRuns: 300 },
    );
  });
});
