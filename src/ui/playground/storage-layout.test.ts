import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../mvcc/backend';
import type { TxnTiming } from '../../mvcc/backend';
import type { TraceRecord } from '../../sim/conductor';
import {
  asOf,
  blockedSummary,
  blockedWithin,
  mergeRuns,
  StorageScan,
  type LockMode,
  type StorageTxn,
} from './storage-layout';

/** A trace as the server writes it: each backend event a 'lock' record of node `node`. */
class Trace {
  readonly records: TraceRecord[] = [];
  get length() {
    return this.records.length;
  }
  record(i: number) {
    return this.records[i];
  }
  backend(node: number, lockMode: LockMode): Backend {
    return new Backend({
      lockMode,
      // as the server writes them (src/server/etcd-server.ts)
      onEvent: ({ atUs, kind, ...rest }) =>
        this.records.push({ ...rest, atUs, node, kind: 'lock', lockAtUs: atUs, txn: kind }),
    });
  }
  push(r: TraceRecord) {
    this.records.push(r);
  }
}

const expensive = { keysScanned: 20_000, bytesRead: 20_000 * 100 };
const cheap = { keysScanned: 10, bytesRead: 1000 };
const one = { keysWritten: 1, bytesWritten: 100 };

/** The scan's transaction for a timing the backend answered. */
function find(scan: StorageScan, node: number, t: TxnTiming): StorageTxn {
  const found = scan.node(node).txns.find((x) => x.txnId === t.txnId);
  if (!found) throw new Error(`txn ${t.txnId} not found`);
  return found;
}

describe('StorageScan', () => {
  it('rebuilds each transaction’s request, grant and end from the lock events, per lock mode', () => {
    for (const mode of ['coarse', 'rwlock', 'concurrent'] as const) {
      const trace = new Trace();
      const b = trace.backend(1, mode);
      const timings: TxnTiming[] = [];
      timings.push(b.read(1000, expensive));
      timings.push(b.write(2000, one));
      timings.push(...b.advanceTo(110_000)); // the batch commit
      timings.push(b.read(110_500, cheap));
      timings.push(b.write(111_000, one));
      timings.push(...b.advanceTo(1_000_000));
      const scan = new StorageScan(trace, mode).update();
      const n = scan.node(1);
      expect(n.txns.map((t) => t.kind)).toEqual(timings.map((t) => t.kind));
      expect(timings.map((t) => t.kind)).toEqual([
        'read',
        'write',
        'commit',
        'read',
        'write',
        'commit',
      ]);
      for (const t of timings) {
        const txn = find(scan, 1, t);
        expect(txn.requestedUs).toBe(t.requestedUs);
        expect(txn.grantedUs).toBe(t.grantedUs);
        expect(txn.releasedUs).toBe(t.completedUs);
        expect(txn.open).toBe(0);
        // only a concurrent read runs part of its time with no lock
        expect(txn.lockFreeUs !== undefined).toBe(mode === 'concurrent' && t.kind === 'read');
      }
    }
  });

  it('shows rwlock’s head-of-line blocking, and its absence under concurrent', () => {
    const blocked = (mode: LockMode) => {
      const trace = new Trace();
      const b = trace.backend(1, mode);
      b.write(1000, one);
      b.advanceTo(100_000); // a commit at 100 ms: the next is due about 100 ms after it ends
      b.write(150_000, one);
      b.read(190_000, expensive); // ~22 ms: in flight when the next commit is due
      b.advanceTo(202_500); // under rwlock the commit waits for it
      for (let t = 203_000; t < 215_000; t += 1000) b.read(t, cheap);
      b.advanceTo(1_000_000);
      const scan = new StorageScan(trace, mode).update();
      return blockedSummary(scan.node(1), 0, 1_000_000);
    };
    const rw = blocked('rwlock');
    const cc = blocked('concurrent');
    // the commit due at ~202 ms waits for the expensive read to end at ~212 ms
    expect(rw.byKind.commit).toBeGreaterThan(5000);
    expect(rw.byKind.read).toBeGreaterThan(50_000);
    expect(cc.byKind.commit).toBe(0);
    expect(cc.totalUs).toBeLessThan(rw.totalUs / 5);
  });

  it('puts overlapping reads in different rows and reuses a row once it is free', () => {
    const trace = new Trace();
    const b = trace.backend(1, 'rwlock');
    b.read(0, expensive);
    b.read(100, cheap);
    b.read(200, cheap);
    b.read(30_000, cheap); // everything before has ended
    b.advanceTo(100_000);
    const rows = new StorageScan(trace, 'rwlock')
      .update()
      .node(1)
      .txns.map((t) => t.row);
    expect(rows).toEqual([0, 1, 1, 0]);
  });

  it('scans only what was added since the last update, and keeps nodes apart', () => {
    const trace = new Trace();
    const b1 = trace.backend(1, 'rwlock');
    const b2 = trace.backend(2, 'rwlock');
    const scan = new StorageScan(trace, 'rwlock');
    b1.read(0, cheap);
    b1.advanceTo(1000);
    expect(scan.update().node(1).txns).toHaveLength(1);
    b2.write(2000, one);
    b1.read(3000, cheap);
    b1.advanceTo(10_000);
    b2.advanceTo(10_000);
    scan.update();
    expect(scan.node(1).txns).toHaveLength(2);
    expect(scan.node(2).txns.map((t) => t.kind)).toEqual(['write']);
  });

  it('follows the lock mode each node reports, from the scenario’s own', () => {
    const trace = new Trace();
    trace.push({ atUs: 5, node: 1, kind: 'configured', backend: { lockMode: 'rwlock' } });
    trace.push({ atUs: 6, node: 1, kind: 'configured', backend: { lockMode: 'rwlock' } });
    trace.push({ atUs: 9, node: 2, kind: 'configured', tickUs: 50_000 });
    trace.push({ atUs: 10, node: 1, kind: 'configured', backend: { lockMode: 'concurrent' } });
    const scan = new StorageScan(trace, 'coarse').update();
    expect(scan.node(1).modes).toEqual([
      { atUs: 0, mode: 'coarse' },
      { atUs: 5, mode: 'rwlock' },
      { atUs: 10, mode: 'concurrent' },
    ]);
    expect(scan.node(1).modeAt(7)).toBe('rwlock');
    expect(scan.node(2).modes).toEqual([{ atUs: 0, mode: 'coarse' }]);
  });

  it('ends what a node had in flight when it crashes; ids start again after a restart', () => {
    const trace = new Trace();
    const b = trace.backend(1, 'rwlock');
    b.read(0, expensive); // granted at 0, would end at ~22 ms
    b.advanceTo(5000);
    trace.push({ atUs: 5000, node: 1, kind: 'crash' });
    trace.push({ atUs: 8000, node: 1, kind: 'node-start' });
    const again = trace.backend(1, 'rwlock');
    again.advanceTo(8000);
    again.read(9000, cheap); // txn 1 again, a new transaction
    again.advanceTo(20_000);
    const n = new StorageScan(trace, 'rwlock').update().node(1);
    expect(n.txns.map((t) => [t.txnId, t.requestedUs, t.cutUs])).toEqual([
      [1, 0, 5000],
      [1, 9000, undefined],
    ]);
    expect(n.txns[0]!.releasedUs).toBeUndefined();
    expect(n.txns[1]!.releasedUs).toBeGreaterThan(9000);
    const cut = asOf(n.txns[0]!, 6000)!;
    expect(cut).toMatchObject({ endUs: 5000, going: false, cut: true });
  });
});

describe('asOf', () => {
  it('takes away what had not happened by the time viewed', () => {
    const t: StorageTxn = {
      txnId: 1,
      kind: 'read',
      requestedUs: 100,
      grantedUs: 300,
      lockFreeUs: 350,
      releasedUs: 900,
      row: 0,
      open: 0,
    };
    expect(asOf(t, 50)).toBeNull();
    expect(asOf(t, 200)).toMatchObject({ endUs: 200, going: true });
    expect(asOf(t, 200)!.grantedUs).toBeUndefined();
    expect(asOf(t, 320)).toMatchObject({ grantedUs: 300, going: true });
    expect(asOf(t, 320)!.lockFreeUs).toBeUndefined();
    expect(asOf(t, 1000)).toMatchObject({ grantedUs: 300, lockFreeUs: 350, endUs: 900 });
  });
});

describe('blockedSummary', () => {
  it('counts only the waiting inside the window, as seen at its end', () => {
    const trace = new Trace();
    const b = trace.backend(1, 'coarse');
    b.read(0, expensive); // holds batchTx ~22 ms
    const w = b.write(1000, one); // waits from 1 ms to the read's end
    b.advanceTo(100_000);
    const n = new StorageScan(trace, 'coarse').update().node(1);
    const wait = w.grantedUs - w.requestedUs;
    expect(blockedSummary(n, 0, 100_000).byKind.write).toBe(wait);
    expect(blockedSummary(n, 0, 100_000).waited).toBe(1);
    // half the window cuts the wait; seen at 11 ms it has waited 10 ms so far
    expect(blockedSummary(n, 6000, 100_000).byKind.write).toBe(wait - 5000);
    expect(blockedSummary(n, 0, 11_000).byKind.write).toBe(10_000);
    expect(blockedSummary(n, w.grantedUs + 1, 100_000).totalUs).toBe(0);
  });

  it('equals a brute-force sum over every transaction, for any window', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gapUs: fc.integer({ min: 0, max: 20_000 }),
            op: fc.constantFrom('cheap', 'expensive', 'write'),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        fc.constantFrom<LockMode>('coarse', 'rwlock', 'concurrent'),
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        (ops, mode, fromUs, spanUs) => {
          const trace = new Trace();
          const b = trace.backend(1, mode);
          const timings: TxnTiming[] = [];
          let t = 0;
          for (const o of ops) {
            t += o.gapUs;
            timings.push(...b.advanceTo(t));
            if (o.op === 'write') timings.push(b.write(t, one));
            else timings.push(b.read(t, o.op === 'cheap' ? cheap : expensive));
          }
          timings.push(...b.advanceTo(t + 500_000));
          const toUs = fromUs + spanUs;
          let want = 0;
          for (const x of timings) {
            const end = Math.min(x.grantedUs, toUs);
            want += Math.max(0, end - Math.max(x.requestedUs, fromUs));
          }
          const n = new StorageScan(trace, mode).update().node(1);
          expect(blockedSummary(n, fromUs, toUs).totalUs).toBe(want);
          // and the same as each transaction's view at the window's end says
          let viewed = 0;
          for (const x of n.txns) {
            const v = asOf(x, toUs);
            if (v) viewed += blockedWithin(v, fromUs, toUs);
          }
          expect(viewed).toBe(want);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('mergeRuns', () => {
  it('merges what touches at the drawn scale, and keeps runs at least a pixel wide', () => {
    const x = (us: number) => us / 10;
    expect(
      mergeRuns(
        [
          [50, 60],
          [0, 10],
          [12, 20],
          [100, 100],
        ],
        x,
      ),
    ).toEqual([
      { x0: 0, x1: 2.2, count: 2 },
      { x0: 5, x1: 6, count: 1 },
      { x0: 10, x1: 11, count: 1 },
    ]);
  });
});
