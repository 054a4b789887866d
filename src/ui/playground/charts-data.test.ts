import { describe, expect, it } from 'vitest';
import type { Operation } from '../../check/history';
import type { TraceRecord } from '../../sim/conductor';
import { LeaderScan, bucketWidth, chartsData, leaderMark } from './charts-data';

const b = (s: string) => new TextEncoder().encode(s);

function op(
  id: number,
  kind: 'put' | 'get',
  callUs: number,
  returnUs?: number,
  outcome: 'ok' | 'error' = 'ok',
): Operation {
  const o: Operation = {
    id,
    clientId: 1,
    callUs,
    request:
      kind === 'put'
        ? { method: 'put', body: { key: b('k'), value: b('v') } }
        : { method: 'range', body: { key: b('k') } },
  };
  if (returnUs !== undefined) {
    o.returnUs = returnUs;
    if (outcome === 'ok') o.response = { header: { revision: 2 } } as Operation['response'];
    else o.error = 'etcdserver: leader changed';
  }
  return o;
}

describe('bucketWidth', () => {
  it('is at least 250 ms and cuts the span into about 60 round buckets', () => {
    expect(bucketWidth(1_000_000)).toBe(250_000);
    expect(bucketWidth(15_000_000)).toBe(250_000);
    expect(bucketWidth(16_000_000)).toBe(500_000);
    expect(bucketWidth(60_000_000)).toBe(1_000_000);
    expect(bucketWidth(600_000_000)).toBe(10_000_000);
  });
});

describe('chartsData', () => {
  it('counts answered calls per second in the bucket they were answered in', () => {
    const h = [
      op(0, 'put', 0, 10_000), // bucket 0, 10 ms
      op(1, 'get', 100_000, 102_000), // bucket 0, 2 ms
      op(2, 'get', 240_000, 260_000), // bucket 1, 20 ms
      op(3, 'put', 300_000, 304_000, 'error'), // bucket 1, failed write
      op(4, 'get', 400_000, 410_000, 'error'), // a failed read: not a failed proposal
      op(5, 'put', 450_000), // never answered
      op(6, 'put', 600_000, 700_000), // answered after the end
    ];
    const d = chartsData(h, 500_000);
    expect(d.bucketUs).toBe(250_000);
    expect(d.buckets).toHaveLength(2);
    const [b0, b1] = d.buckets;
    expect(b0).toMatchObject({ readsPerS: 4, writesPerS: 4, p50Ms: 2, p99Ms: 10, failedWrites: 0 });
    expect(b1).toMatchObject({
      readsPerS: 4,
      writesPerS: 0,
      p50Ms: 20,
      p99Ms: 20,
      failedWrites: 1,
    });
    expect(d.totals).toEqual({ reads: 2, writes: 1, failedWrites: 1 });
    expect(d.maxP99Ms).toBe(20);
  });

  it('rates the cut-short last bucket over the part that happened; empty buckets have no latency', () => {
    const h = [op(0, 'get', 0, 100_000), op(1, 'get', 500_000, 600_000)];
    const d = chartsData(h, 625_000);
    expect(d.buckets).toHaveLength(3);
    expect(d.buckets[1]).toMatchObject({ readsPerS: 0, p50Ms: null, p99Ms: null });
    // 1 read in the 125 ms of the last bucket that have happened
    expect(d.buckets[2]!.endUs).toBe(625_000);
    expect(d.buckets[2]!.readsPerS).toBeCloseTo(8);
  });

  it('is one empty bucket at time 0', () => {
    const d = chartsData([], 0);
    expect(d.buckets).toHaveLength(1);
    expect(d.totals).toEqual({ reads: 0, writes: 0, failedWrites: 0 });
  });

  it('keeps the leader changes up to the end', () => {
    const marks = [
      { atUs: 100, node: 1, term: 2 },
      { atUs: 900_000, node: 2, term: 3 },
    ];
    expect(chartsData([], 500_000, marks).leaderChanges).toEqual([marks[0]]);
  });

  it('handles thousands of calls', () => {
    const h = Array.from({ length: 20_000 }, (_, i) =>
      op(i, i % 3 ? 'get' : 'put', i * 500, i * 500 + 3_000),
    );
    // (its speed is not timed here: wall-clock figures belong to benchmarks)
    const d = chartsData(h, 10_000_000);
    expect(d.totals.reads + d.totals.writes).toBe(19_995);
  });
});

describe('leader marks', () => {
  const recs: TraceRecord[] = [
    { atUs: 10, kind: 'state', node: 1, to: 'StateCandidate', term: 2 },
    { atUs: 20, kind: 'state', node: 1, to: 'StateLeader', term: 2 },
    { atUs: 30, kind: 'leader-change', node: 2, to: 1 },
  ];
  it('are the state records to StateLeader', () => {
    expect(recs.map(leaderMark)).toEqual([null, { atUs: 20, node: 1, term: 2 }, null]);
  });
  it('are scanned once as the trace grows', () => {
    const trace = [...recs];
    const src = {
      get length() {
        return trace.length;
      },
      record: (i: number) => trace[i],
    };
    const scan = new LeaderScan(src);
    expect(scan.update()).toHaveLength(1);
    trace.push({ atUs: 40, kind: 'state', node: 3, to: 'StateLeader', term: 3 });
    expect(scan.update().map((m) => m.node)).toEqual([1, 3]);
    expect(scan.update()).toHaveLength(2);
  });
});
