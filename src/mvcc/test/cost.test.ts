// The work each operation reports to the cost sink (what the backend model turns into time).
import { describe, expect, it } from 'vitest';
import type { OpWork } from '../index';
import { b, errorOf, newStore } from './util';

function recording() {
  const work: OpWork[] = [];
  const sink = { read: (w: OpWork) => work.push(w), write: (w: OpWork) => work.push(w) };
  return { work, ...newStore({ costSink: sink }) };
}

describe('cost sink', () => {
  it('reports one entry per operation, kind by etcd transaction type', () => {
    const { store, work } = recording();
    store.put({ key: b('ab'), value: b('1234') });
    store.put({ key: b('ac'), value: b('5') });
    store.range({ key: b('a'), range_end: b('b') });
    store.deleteRange({ key: b('ab') });
    store.txn({ success: [{ request_range: { key: b('ac') } }] });
    store.txn({ success: [{ request_put: { key: b('ad'), value: b('xy') } }] });
    store.compact({ revision: 4 });
    expect(work.map((w) => [w.op, w.kind])).toEqual([
      ['put', 'write'],
      ['put', 'write'],
      ['range', 'read'],
      ['deleteRange', 'write'],
      ['txn', 'read'],
      ['txn', 'write'],
      ['compact', 'write'],
    ]);
    expect(work[0]).toEqual({
      op: 'put',
      kind: 'write',
      keysScanned: 0,
      bytesRead: 0,
      keysWritten: 1,
      bytesWritten: 6,
    });
    // two keys visited in the index, two revisions read, 2+4 + 2+1 bytes
    expect(work[2]).toEqual({
      op: 'range',
      kind: 'read',
      keysScanned: 4,
      bytesRead: 9,
      keysWritten: 0,
      bytesWritten: 0,
    });
    expect(work[3]).toMatchObject({ keysWritten: 1, bytesWritten: 2 });
    // compaction at 4 removes ab@2 and its tombstone ab@4 (the whole deleted generation)
    expect(work[6]).toMatchObject({ op: 'compact', keysWritten: 2 });
  });

  it('reports nothing for an operation that fails', () => {
    const { store, work } = recording();
    errorOf(() => store.put({ key: b('') }));
    errorOf(() => store.range({ key: b('a'), revision: 9 }));
    expect(work).toEqual([]);
  });

  it('reports each expired lease revoke', () => {
    const { store, work, clock } = recording();
    store.leaseGrant({ ID: 1, TTL: 5 });
    store.put({ key: b('k'), value: b('v'), lease: 1 });
    clock.now = 10_000;
    work.length = 0;
    expect(store.expireLeases()).toEqual([1]);
    expect(work).toEqual([
      {
        op: 'leaseExpire',
        kind: 'write',
        keysScanned: 1,
        bytesRead: 0,
        keysWritten: 2,
        bytesWritten: 1,
      },
    ]);
  });
});
