// Source article 004's story, with the default cost model and batch interval: one long range read
// is in flight when the batch commit comes due, followed by a write and some cheap reads.
import { describe, expect, it } from 'vitest';
import { Backend } from './backend';
import { conflictingOverlaps, holdsOf } from './testkit';
import type { BackendEvent, LockMode, TxnTiming } from './types';

const VALUE_BYTES = 16_500; // the article's keys: 128 B key, 1-32 KB value

interface Story {
  longRead: TxnTiming;
  write: TxnTiming;
  commit: TxnTiming;
  lateWrite: TxnTiming;
  cheapReads: TxnTiming[];
  events: BackendEvent[];
}

function tell(lockMode: LockMode): Story {
  const events: BackendEvent[] = [];
  const b = new Backend({ lockMode, onEvent: (e) => events.push(e) });
  const range = (atUs: number, keys: number) =>
    b.read(atUs, { keysScanned: keys, bytesRead: keys * VALUE_BYTES });
  const put = (atUs: number) => b.write(atUs, { keysWritten: 1, bytesWritten: VALUE_BYTES });
  const longRead = range(0, 20_000); // ~350 ms
  const write = put(10_000);
  const [commit] = b.advanceTo(100_000); // the batch interval is up
  const lateWrite = put(120_000);
  const cheapReads = [150_000, 160_000, 170_000].map((at) => range(at, 10));
  for (let d = b.nextDeadlineUs(); d !== undefined; d = b.nextDeadlineUs()) b.advanceTo(d);
  return { longRead, write, commit: commit!, lateWrite, cheapReads, events };
}

describe("source article 004's story: one long read in flight", () => {
  it("'rwlock': the commit waits for the long read, and the write and reads after it wait too", () => {
    const s = tell('rwlock');
    expect(s.longRead.completedUs).toBeGreaterThan(300_000);
    expect(s.write.completedUs).toBeLessThan(11_000); // writes beside reads are fine...
    expect(s.commit.requestedUs).toBe(100_000);
    expect(s.commit.grantedUs).toBe(s.longRead.completedUs); // ...until a commit is due
    expect(s.lateWrite.grantedUs).toBe(s.commit.completedUs);
    for (const r of s.cheapReads) expect(r.grantedUs).toBe(s.commit.completedUs);
    expect(conflictingOverlaps(holdsOf(s.events))).toEqual([]);
  });

  it("'concurrent': the commit and the cheap reads finish long before the long read", () => {
    const s = tell('concurrent');
    expect(s.longRead.completedUs).toBeGreaterThan(300_000);
    expect(s.commit.grantedUs).toBe(100_000);
    expect(s.commit.completedUs).toBeLessThan(105_000);
    expect(s.lateWrite.completedUs - s.lateWrite.requestedUs).toBeLessThan(1_000);
    for (const r of s.cheapReads) {
      expect(r.grantedUs).toBe(r.requestedUs);
      expect(r.completedUs - r.requestedUs).toBeLessThan(1_000);
    }
    expect(conflictingOverlaps(holdsOf(s.events))).toEqual([]);
  });

  it("'coarse': everything serialises behind the long read, in arrival order", () => {
    const s = tell('coarse');
    const order = [s.longRead, s.write, s.commit, s.lateWrite, ...s.cheapReads];
    for (let i = 1; i < order.length; i++) {
      expect(order[i]!.grantedUs).toBe(order[i - 1]!.completedUs);
    }
    const batchTxHolds = holdsOf(s.events).filter((h) => h.lock === 'batchTx');
    expect(batchTxHolds.every((h) => h.mode === 'exclusive')).toBe(true);
    expect(conflictingOverlaps(batchTxHolds)).toEqual([]);
  });
});
