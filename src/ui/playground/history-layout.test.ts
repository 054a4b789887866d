import { describe, expect, it } from 'vitest';
import type { Operation } from '../../check/history';
import {
  clientName,
  historyAt,
  layoutHistory,
  linearizationPoints,
  opAccessibleName,
  opLabel,
  stepBar,
  valueText,
  windowAround,
  windowEndingAt,
} from './history-layout';

const enc = new TextEncoder();
const b = (s: string) => enc.encode(s);
const kv = (key: string, value: string, rev: number) => ({
  key: b(key),
  value: b(value),
  create_revision: rev,
  mod_revision: rev,
  version: 1,
  lease: 0,
});

function put(id: number, clientId: number, callUs: number, returnUs?: number, rev = 2): Operation {
  const op: Operation = {
    id,
    clientId,
    callUs,
    request: { method: 'put', body: { key: b('key/00000003'), value: b('abc') } },
  };
  if (returnUs !== undefined) {
    op.returnUs = returnUs;
    op.response = { header: { revision: rev } };
  }
  return op;
}

function get(id: number, clientId: number, callUs: number, returnUs: number): Operation {
  return {
    id,
    clientId,
    callUs,
    returnUs,
    request: { method: 'range', body: { key: b('key/00000001'), range_end: b('key/00000004') } },
    response: {
      header: { revision: 11 },
      kvs: [kv('key/00000001', 'x', 3)],
      more: false,
      count: 1,
    },
  };
}

describe('client names', () => {
  it('names the bar, closed-workload clients and open workloads readably', () => {
    expect(clientName(1)).toBe('bar');
    expect(clientName(1003)).toBe('w1 c3');
    expect(clientName(2001)).toBe('w2 c1');
    expect(clientName(1000)).toBe('w1 open');
  });
});

describe('labels', () => {
  it('says what a call did in a few words', () => {
    expect(opLabel(put(0, 1, 10, 20, 12))).toBe('put key/3=abc → rev 12');
    expect(opLabel(get(1, 1, 10, 20))).toBe('get key/1..key/4 @rev 11: 1 key(s)');
    expect(opLabel(put(2, 1, 10))).toBe('put key/3=abc …');
    const failed = { ...put(3, 1, 10), returnUs: 30, error: 'n2 is down: connection refused' };
    expect(opLabel(failed)).toBe('put key/3=abc ✗');
    expect(opAccessibleName(failed)).toBe(
      'put key/00000003=abc by client bar, 0.000 s to 0.000 s, failed: n2 is down: connection refused',
    );
  });

  it('names a bar with its client, its times and its outcome', () => {
    expect(opAccessibleName(put(0, 1002, 1_234_000, 1_240_000))).toBe(
      'put key/00000003=abc by client w1 c2, 1.234 s to 1.240 s, ok',
    );
    // seen before its answer came, a call is pending
    expect(opAccessibleName(put(0, 1002, 1_234_000, 1_240_000), 1_235_000)).toBe(
      'put key/00000003=abc by client w1 c2, 1.234 s to no answer yet, pending',
    );
  });

  it('shows keys and values as text, bytes and all', () => {
    const op = put(0, 1, 0, 5);
    op.request = { method: 'put', body: { key: b('<b>k</b>'), value: b('v') } };
    expect(valueText(op.request)).toContain('"key": "<b>k</b>"');
  });
});

describe('the history as of a time', () => {
  it('drops later calls and answers that came later', () => {
    const h = [put(0, 1, 10, 50), put(1, 1, 60, 70), put(2, 1002, 20, 30)];
    const at = historyAt(h, 40);
    expect(at.map((o) => o.id)).toEqual([0, 2]);
    expect(at[0]!.returnUs).toBeUndefined();
    expect(at[0]!.response).toBeUndefined();
    expect(at[1]!.returnUs).toBe(30);
  });
});

describe('layout', () => {
  it('gives each client a lane in id order, and overlapping calls of one client more rows', () => {
    const h = [
      put(0, 1000, 0, 100), // open workload: overlapping calls
      put(1, 1000, 50, 150),
      put(2, 1, 60, 80),
      put(3, 1000, 120, 200), // fits after call 0
      put(4, 1000, 150, 160), // starts when call 1 ends: same row
    ];
    const l = layoutHistory(h, { startUs: 0, endUs: 1000 }, 1000);
    expect(l.lanes.map((x) => [x.name, x.rows, x.firstRow])).toEqual([
      ['bar', 1, 0],
      ['w1 open', 2, 1],
    ]);
    expect(l.rows).toBe(3);
    const rowOf = new Map(l.bars.map((x) => [x.op.id, [x.lane, x.row]]));
    expect(rowOf.get(0)).toEqual([1, 0]);
    expect(rowOf.get(1)).toEqual([1, 1]);
    expect(rowOf.get(2)).toEqual([0, 0]);
    expect(rowOf.get(3)).toEqual([1, 0]);
    expect(rowOf.get(4)).toEqual([1, 1]);
  });

  it('puts answered calls in the top rows, calls with no answer below', () => {
    const h = [put(0, 1000, 0), put(1, 1000, 10, 20), put(2, 1000, 30, 40)];
    const l = layoutHistory(h, { startUs: 0, endUs: 100 }, 100);
    const rowOf = new Map(l.bars.map((x) => [x.op.id, x.row]));
    expect([rowOf.get(1), rowOf.get(2), rowOf.get(0)]).toEqual([0, 0, 1]);
  });

  it('draws only what the window shows, unanswered calls to the view time', () => {
    const h = [put(0, 1, 0, 100), put(1, 1, 200, 300), put(2, 1002, 250), put(3, 1, 900, 950)];
    const l = layoutHistory(h, { startUs: 150, endUs: 400 }, 500);
    expect(l.bars.map((x) => x.op.id)).toEqual([1, 2]);
    const pending = l.bars.find((x) => x.op.id === 2)!;
    expect(pending.status).toBe('pending');
    expect(pending.endUs).toBe(500);
    // the client of call 3 has a lane only once it has called: here it is the bar, already there
    expect(l.lanes.map((x) => x.name)).toEqual(['bar', 'w1 c2']);
  });

  it('keeps lanes for clients with nothing in the window', () => {
    const h = [put(0, 1003, 0, 10), put(1, 1, 500, 600)];
    const l = layoutHistory(h, { startUs: 400, endUs: 700 }, 700);
    expect(l.lanes.map((x) => x.name)).toEqual(['bar', 'w1 c3']);
    expect(l.bars).toHaveLength(1);
  });

  it('classes reads and writes', () => {
    const l = layoutHistory([put(0, 1, 0, 10), get(1, 1, 20, 30)], windowEndingAt(30, 100), 30);
    expect(l.bars.map((x) => x.kind)).toEqual(['write', 'read']);
  });
});

describe('windows and points', () => {
  it('ends at the view time, or starts at zero in a young run', () => {
    expect(windowEndingAt(10_000_000, 5_000_000)).toEqual({
      startUs: 5_000_000,
      endUs: 10_000_000,
    });
    expect(windowEndingAt(1_000_000, 5_000_000)).toEqual({ startUs: 0, endUs: 5_000_000 });
  });

  it('frames a core with a margin', () => {
    const w = windowAround([put(0, 1, 100_000, 200_000), put(1, 1, 300_000)], 400_000)!;
    expect(w.startUs).toBeLessThan(100_000);
    expect(w.endUs).toBeGreaterThan(400_000);
    expect(windowAround([], 0)).toBeNull();
  });

  it('places linearization points in order, each inside its call', () => {
    const h = [put(0, 1, 0, 100), put(1, 2, 10, 50), put(2, 3, 60)];
    const p = linearizationPoints(h, [1, 0, 2]);
    expect([...p.entries()]).toEqual([
      [1, 10],
      [0, 10],
      [2, 60],
    ]);
  });
});

describe('moving between calls from the keyboard', () => {
  const h = [put(0, 1000, 50, 60), put(1, 1, 10, 20), put(2, 1000, 30, 40), put(3, 1, 30, 45)];
  const bars = layoutHistory(h, { startUs: 0, endUs: 100 }, 100).bars;
  const walk = (from: number | null, keys: string[]) => {
    const ids: (number | undefined)[] = [];
    let at = from;
    for (const key of keys) {
      const next = stepBar(bars, at, key);
      ids.push(next?.op.id);
      at = next?.op.id ?? at;
    }
    return ids;
  };

  it('steps through calls in the order they were made, ties by id', () => {
    expect(
      walk(null, ['ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight']),
    ).toEqual([1, 2, 3, 0, 0]);
    expect(walk(0, ['ArrowLeft', 'ArrowUp', 'ArrowLeft', 'ArrowLeft', 'ArrowLeft'])).toEqual([
      3, 2, 1, 1, 1,
    ]);
  });

  it('goes to either end, and ignores other keys', () => {
    expect(walk(2, ['End', 'Home', 'a', 'Enter'])).toEqual([0, 1, undefined, undefined]);
    expect(stepBar([], null, 'ArrowRight')).toBeUndefined();
  });
});
