import { describe, expect, it } from 'vitest';
import { Backend } from './backend';
import { TimedLock } from './lock';
import { conflictingOverlaps, holdsOf } from './testkit';
import type { BackendEvent, BackendOptions, CostModel, LockMode } from './types';

// Round numbers: a read of n keys takes n µs, a write 10 µs, a commit 1 ms, a buffer copy 5 µs.
const COST: CostModel = {
  readTxnNs: 0,
  perKeyScannedNs: 1_000,
  perByteReadNs: 0,
  writeTxnNs: 10_000,
  perKeyWrittenNs: 0,
  perByteWrittenNs: 0,
  commitBaseNs: 1_000_000,
  perKeyCommittedNs: 0,
  bufferCopyBaseNs: 5_000,
  bufferCopyPerKeyNs: 0,
  defragBaseNs: 1_000_000,
  defragPerByteNs: 0,
};

function setup(lockMode: LockMode, options: BackendOptions = {}) {
  const events: BackendEvent[] = [];
  const b = new Backend({
    lockMode,
    batchIntervalMs: 100,
    ...options,
    cost: { ...COST, ...options.cost },
    onEvent: (e) => events.push(e),
  });
  return { b, events };
}

const read = (b: Backend, atUs: number, us: number) =>
  b.read(atUs, { keysScanned: us, bytesRead: 0 });
const write = (b: Backend, atUs: number, keys = 1) =>
  b.write(atUs, { keysWritten: keys, bytesWritten: 0 });
const span = (t: { grantedUs: number; completedUs: number }) => [t.grantedUs, t.completedUs];

function finish(b: Backend): void {
  for (let d = b.nextDeadlineUs(); d !== undefined; d = b.nextDeadlineUs()) b.advanceTo(d);
}

describe('TimedLock', () => {
  it('lets readers share, makes a writer wait for them, and queues later readers behind it', () => {
    const lock = new TimedLock();
    expect(lock.sharedGrantUs(0)).toBe(0);
    lock.holdShared(100);
    expect(lock.sharedGrantUs(10)).toBe(10);
    lock.holdShared(50);
    expect(lock.exclusiveGrantUs(20)).toBe(100);
    lock.holdExclusive(130);
    expect(lock.sharedGrantUs(30)).toBe(130);
    expect(lock.exclusiveGrantUs(30)).toBe(130);
    expect(lock.sharedGrantUs(200)).toBe(200);
  });
});

describe("'coarse' mode", () => {
  it('serialises reads with each other and with writes, in arrival order', () => {
    const { b, events } = setup('coarse');
    expect(span(read(b, 0, 100))).toEqual([0, 100]);
    expect(span(read(b, 10, 50))).toEqual([100, 150]);
    expect(span(write(b, 20))).toEqual([150, 160]);
    finish(b);
    const holds = holdsOf(events).filter((h) => h.kind !== 'commit');
    expect(holds.every((h) => h.lock === 'batchTx' && h.mode === 'exclusive')).toBe(true);
  });

  it('makes the commit wait for a read in progress, and reads after it wait for the commit', () => {
    const { b } = setup('coarse');
    write(b, 0);
    read(b, 50, 200_000);
    const [commit] = b.advanceTo(100_000);
    expect(commit).toEqual({
      txnId: 3,
      kind: 'commit',
      requestedUs: 100_000,
      grantedUs: 200_050,
      completedUs: 201_050,
    });
    expect(span(read(b, 150_000, 1))).toEqual([201_050, 201_051]);
  });
});

describe("'rwlock' mode", () => {
  it('lets reads run side by side and writes run beside reads', () => {
    const { b } = setup('rwlock');
    expect(span(read(b, 0, 100))).toEqual([0, 100]);
    expect(span(read(b, 10, 50))).toEqual([10, 60]);
    expect(span(write(b, 20))).toEqual([20, 30]);
  });

  it('makes a commit wait for reads in progress, and writes and new reads wait behind it', () => {
    const { b, events } = setup('rwlock');
    write(b, 0);
    read(b, 1, 200_000); // holds readTx 1 .. 200,001
    const [commit] = b.advanceTo(100_000);
    expect(commit?.grantedUs).toBe(200_001);
    expect(commit?.completedUs).toBe(201_001);
    // The commit holds batchTx while it waits for readTx, so writes queue behind it...
    expect(span(write(b, 120_000))).toEqual([201_001, 201_011]);
    // ...and a new reader may not overtake the waiting commit.
    expect(span(read(b, 150_000, 1))).toEqual([201_001, 201_002]);
    finish(b);
    const commitHolds = holdsOf(events).filter((h) => h.txnId === commit?.txnId);
    expect(commitHolds).toEqual([
      expect.objectContaining({ lock: 'batchTx', grantedUs: 100_000, releasedUs: 201_001 }),
      expect.objectContaining({ lock: 'readTx', grantedUs: 200_001, releasedUs: 201_001 }),
    ]);
  });
});

describe("'concurrent' mode", () => {
  it('holds readTx only for the buffer copy, then reads with no lock', () => {
    const { b, events } = setup('concurrent');
    expect(span(read(b, 0, 200_000))).toEqual([0, 200_005]);
    finish(b);
    expect(holdsOf(events)).toEqual([
      expect.objectContaining({ lock: 'readTx', mode: 'shared', grantedUs: 0, releasedUs: 5 }),
      expect.objectContaining({
        lock: 'concurrentReadTx',
        mode: 'none',
        requestedUs: 5,
        grantedUs: 5,
        releasedUs: 200_005,
      }),
    ]);
  });

  it('makes a commit wait only for copies in progress; reads arriving during it wait for it', () => {
    const { b } = setup('concurrent');
    write(b, 0);
    read(b, 0, 500_000); // a long read: copies 0 .. 5, then runs lock-free
    read(b, 99_998, 100); // copies 99,998 .. 100,003
    const [commit] = b.advanceTo(100_000);
    expect(commit?.grantedUs).toBe(100_003);
    expect(commit?.completedUs).toBe(101_003);
    expect(span(read(b, 100_500, 1))).toEqual([101_003, 101_009]);
    expect(span(write(b, 100_600))).toEqual([101_003, 101_013]);
  });
});

describe('writes', () => {
  it.each(['coarse', 'rwlock', 'concurrent'] as const)(
    'apply one at a time under batchTx in %s mode',
    (mode) => {
      const { b } = setup(mode);
      expect(span(write(b, 0))).toEqual([0, 10]);
      expect(span(write(b, 5))).toEqual([10, 20]);
      expect(span(write(b, 50))).toEqual([50, 60]);
    },
  );

  it('pay for what a txn read inside the write transaction', () => {
    const { b } = setup('rwlock');
    const t = b.submit(0, {
      kind: 'write',
      keysScanned: 7,
      bytesRead: 0,
      keysWritten: 1,
      bytesWritten: 0,
    });
    expect(t.completedUs - t.grantedUs).toBe(17);
  });
});

describe('commits', () => {
  it('commit nothing when nothing is pending', () => {
    const { b, events } = setup('rwlock');
    expect(b.nextDeadlineUs()).toBeUndefined();
    expect(b.nextCommitDueUs()).toBeUndefined();
    expect(b.advanceTo(1_000_000)).toEqual([]);
    read(b, 1_000_000, 10);
    finish(b);
    expect(events.some((e) => e.kind === 'commit')).toBe(false);
  });

  it('come every batch interval, re-armed when the commit completes', () => {
    const { b } = setup('concurrent');
    write(b, 10_000);
    expect(b.nextDeadlineUs()).toBe(10_010); // the write's release event
    expect(b.nextCommitDueUs()).toBe(100_000);
    b.advanceTo(10_010);
    expect(b.nextDeadlineUs()).toBe(100_000);
    const [first] = b.advanceTo(100_000);
    expect(first).toMatchObject({ requestedUs: 100_000, completedUs: 101_000 });
    write(b, 150_000);
    expect(b.advanceTo(200_999)).toEqual([]);
    const [second] = b.advanceTo(201_000);
    expect(second?.requestedUs).toBe(201_000);
  });

  it('keep the timer cadence through idle ticks', () => {
    const { b } = setup('concurrent');
    b.advanceTo(250_000);
    write(b, 350_000);
    expect(b.nextDeadlineUs()).toBe(350_010);
    b.advanceTo(350_010);
    expect(b.nextDeadlineUs()).toBe(400_000);
  });

  it('place a due commit before a request arriving at the same instant', () => {
    const { b, events } = setup('rwlock', { cost: { perKeyCommittedNs: 1_000 } });
    write(b, 10);
    expect(span(write(b, 100_000))).toEqual([101_001, 101_011]);
    expect(b.stats).toMatchObject({ commits: 1, pendingOps: 1, readBufferKeys: 1 });
    finish(b);
    const [first] = holdsOf(events).filter((h) => h.kind === 'commit' && h.lock === 'readTx');
    expect(first).toMatchObject({ requestedUs: 100_000, grantedUs: 100_000, releasedUs: 101_001 });
  });

  it('happen right behind the write that brings pending to batchLimit', () => {
    const { b, events } = setup('rwlock', { batchLimit: 3 });
    write(b, 0);
    write(b, 1);
    write(b, 2); // granted 20, completes 30
    expect(b.stats).toMatchObject({ commits: 1, pendingOps: 0 });
    write(b, 3); // queued behind the commit
    finish(b);
    const holds = holdsOf(events).filter((h) => h.lock === 'batchTx' && h.requestedUs < 100_000);
    expect(holds.map((h) => [h.kind, h.requestedUs, h.grantedUs, h.releasedUs])).toEqual([
      ['write', 0, 0, 10],
      ['write', 1, 10, 20],
      ['write', 2, 20, 30],
      ['commit', 2, 30, 1_030],
      ['write', 3, 1_030, 1_040],
    ]);
  });

  it('count keys written towards batchLimit, and cost per key committed and copied', () => {
    const { b } = setup('concurrent', {
      batchLimit: 4,
      cost: { perKeyCommittedNs: 2_000, bufferCopyPerKeyNs: 1_000 },
    });
    write(b, 0, 3);
    expect(b.stats.commits).toBe(0);
    write(b, 100, 2);
    expect(b.stats).toMatchObject({ commits: 1, readBufferKeys: 5 });
    finish(b);
    const now = b.stats.nowUs;
    const r = read(b, now, 0);
    expect(r.completedUs - r.grantedUs).toBe(5 + 5);
    const c = b.forceCommit(now);
    expect(c).toBeUndefined();
    write(b, now + 1, 0); // a write txn with no key still puts the consistent index
    const forced = b.forceCommit(now + 2);
    expect(forced && forced.completedUs - forced.grantedUs).toBe(1_000 + 2);
  });
});

describe('settings', () => {
  it('switch lock mode for new requests; commits still wait for readers of the old mode', () => {
    const { b, events } = setup('rwlock');
    write(b, 0);
    read(b, 1, 300_000);
    b.configure({ lockMode: 'concurrent' });
    const [commit] = b.advanceTo(100_000);
    expect(commit?.grantedUs).toBe(300_001);
    b.configure({ lockMode: 'coarse' });
    write(b, 400_000);
    const [next] = b.advanceTo(401_001 + 100_000);
    expect(next?.grantedUs).toBe(401_001);
    finish(b);
    expect(conflictingOverlaps(holdsOf(events))).toEqual([]);
  });

  it('apply a new batch interval from the last timer reset, never in the past', () => {
    const { b } = setup('rwlock');
    write(b, 0);
    b.advanceTo(40_000);
    b.configure({ batchIntervalMs: 50 });
    expect(b.nextDeadlineUs()).toBe(50_000);
    b.configure({ batchIntervalMs: 20 });
    expect(b.nextDeadlineUs()).toBe(40_000);
    expect(b.advanceTo(40_000)[0]?.requestedUs).toBe(40_000);
  });

  it('reject bad settings, bad work and time going backwards', () => {
    const { b } = setup('rwlock');
    expect(() => b.configure({ batchLimit: 0 })).toThrow(RangeError);
    expect(() => b.configure({ batchIntervalMs: 0 })).toThrow(RangeError);
    expect(() => b.configure({ lockMode: 'mutex' as LockMode })).toThrow(RangeError);
    expect(() => b.configure({ cost: { commitBaseNs: -1 } })).toThrow(RangeError);
    expect(() => read(b, 0, -1)).toThrow(RangeError);
    read(b, 100, 1);
    expect(() => read(b, 99, 1)).toThrow(/backwards/);
    expect(b.settings).toMatchObject({ lockMode: 'rwlock', batchLimit: 10_000 });
  });
});

describe('events', () => {
  it('are emitted when simulated time reaches them, in order', () => {
    const { b, events } = setup('rwlock');
    read(b, 0, 1_000);
    expect(events.map((e) => e.phase)).toEqual(['requested', 'granted']);
    expect(b.nextDeadlineUs()).toBe(1_000);
    b.advanceTo(999);
    expect(events).toHaveLength(2);
    b.advanceTo(1_000);
    expect(events[2]).toEqual({
      txnId: 1,
      kind: 'read',
      phase: 'released',
      atUs: 1_000,
      lock: 'readTx',
      mode: 'shared',
    });
    expect(b.nextDeadlineUs()).toBeUndefined();
  });
});
