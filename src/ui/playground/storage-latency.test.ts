import { describe, expect, it } from 'vitest';
import { checkActions } from '../../sim/actions';
import type { HistoryOp } from '../../sim/session';
import { LatencyIndex, recentLatency } from './storage-latency';
import { parseRate, startLoadAction, stopLoadAction, STORAGE_LOADS } from './storage-workloads';

const b = (s: string) => new TextEncoder().encode(s);
let nextId = 0;

function call(kind: string, node: number, callUs: number, returnUs?: number, ok = true): HistoryOp {
  const op: HistoryOp = {
    id: nextId++,
    clientId: 1000,
    callUs,
    request: { method: 'range', body: { key: b('k') } },
    node,
    kind,
  };
  if (returnUs !== undefined) {
    op.returnUs = returnUs;
    if (ok) op.response = { header: { revision: 1 } } as HistoryOp['response'];
    else op.error = 'etcdserver: request timed out';
  }
  return op;
}

describe('recentLatency', () => {
  it('takes p50 and p99 per class over the calls to the node answered in the window', () => {
    const history: HistoryOp[] = [];
    // 100 cheap reads of 1..100 ms to n1, answered between 1 s and 2 s
    for (let i = 1; i <= 100; i++)
      history.push(call('range-cheap', 1, 1_000_000 + i * 5000, 1_000_000 + i * 5000 + i * 1000));
    history.push(call('range-expensive', 1, 1_500_000, 1_530_000));
    history.push(call('put', 1, 1_600_000, 1_604_000));
    history.push(call('txn', 1, 1_600_000, 1_606_000));
    history.push(call('range-cheap', 2, 1_600_000, 1_900_000)); // another node
    history.push(call('range-cheap', 1, 1_600_000, 1_700_000, false)); // failed
    history.push(call('range-cheap', 1, 1_700_000)); // not answered
    history.push(call('action:range', 1, 1_700_000, 1_700_100)); // not a workload's
    history.sort((p, q) => p.callUs - q.callUs);
    const l = recentLatency(history, 1, 2_000_000, 1_000_000);
    expect(l.cheap).toEqual({ count: 100, p50Ms: 50, p99Ms: 99 });
    expect(l.expensive).toEqual({ count: 1, p50Ms: 30, p99Ms: 30 });
    expect(l.write).toEqual({ count: 2, p50Ms: 4, p99Ms: 6 });
  });

  it('sees the history as it stood at the time viewed, and nothing outside the window', () => {
    const history = [
      call('put', 1, 100_000, 200_000),
      call('put', 1, 300_000, 900_000),
      call('put', 1, 400_000, 450_000),
    ];
    expect(recentLatency(history, 1, 500_000, 1_000_000).write).toEqual({
      count: 2,
      p50Ms: 50,
      p99Ms: 100,
    });
    expect(recentLatency(history, 1, 1_000_000, 400_000).write.count).toBe(1);
    expect(recentLatency(history, 1, 50_000, 1_000_000).write).toEqual({
      count: 0,
      p50Ms: null,
      p99Ms: null,
    });
  });

  it('follows a growing history: new calls, and answers that arrive later', () => {
    const history: HistoryOp[] = [call('put', 1, 100_000), call('put', 2, 100_000, 120_000)];
    const index = new LatencyIndex(history);
    expect(index.update().recent(1, 1_000_000, 1_000_000).write.count).toBe(0);
    history[0]!.returnUs = 700_000;
    history[0]!.response = { header: { revision: 3 } } as HistoryOp['response'];
    history.push(call('put', 1, 400_000, 410_000), call('put', 1, 500_000));
    // a call that stalled 600 ms counts, whatever its age; answers filed out of order are sorted
    expect(index.update().recent(1, 1_000_000, 1_000_000).write).toEqual({
      count: 2,
      p50Ms: 10,
      p99Ms: 600,
    });
    expect(index.recent(1, 600_000, 1_000_000).write.count).toBe(1);
    history[3]!.returnUs = 900_000;
    history[3]!.error = 'etcdserver: request timed out';
    expect(index.update().recent(1, 1_000_000, 1_000_000).write.count).toBe(2);
    expect(index.recent(2, 1_000_000, 1_000_000).write.count).toBe(1);
  });
});

describe('the workload control', () => {
  it('starts each load with an action a scenario accepts, and stops it by name', () => {
    for (const load of STORAGE_LOADS) {
      const a = startLoadAction(load, 25, 2, { keySpace: 500, valueBytes: 100 });
      expect(() => checkActions([{ atUs: 0, ...a }])).not.toThrow();
      expect(a).toMatchObject({ name: load.name, node: 2, workload: { rate: 25, mode: 'open' } });
      expect(() => checkActions([{ atUs: 0, ...stopLoadAction(load.name) }])).not.toThrow();
    }
  });

  it('takes a rate above 0 and says why it will not take another', () => {
    expect(parseRate('150')).toBe(150);
    expect(parseRate('0.5')).toBe(0.5);
    for (const bad of ['', '0', '-3', 'fast', '1e9']) expect(parseRate(bad)).toMatch(/a rate is/);
  });
});
