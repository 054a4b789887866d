import { describe, expect, it } from 'vitest';
import { Inflights } from './inflights';
import { ProgressState } from './progress';

describe('inflights', () => {
  it('adds until full, wraps around, and frees in order', () => {
    const in1 = new Inflights(10);
    for (let i = 0; i < 5; i++) in1.add(i, 100);
    expect(in1.countInflight).toBe(5);
    in1.freeLE(2);
    expect(in1.countInflight).toBe(2);
    for (let i = 5; i < 13; i++) in1.add(i, 100);
    expect(in1.full()).toBe(true);
    expect(() => in1.add(13, 1)).toThrow(/full/);
    in1.freeLE(8);
    expect(in1.countInflight).toBe(4);
    in1.freeLE(4); // stale: below the oldest
    expect(in1.countInflight).toBe(4);
    in1.freeLE(100);
    expect(in1.countInflight).toBe(0);
  });

  it('is full by bytes too', () => {
    const in1 = new Inflights(10, 1000);
    in1.add(1, 600);
    expect(in1.full()).toBe(false);
    in1.add(2, 600);
    expect(in1.full()).toBe(true);
    in1.freeLE(1);
    expect(in1.full()).toBe(false);
  });

  it('rejects a non-positive size', () => {
    expect(() => new Inflights(0)).toThrow(/positive/);
  });
});

const pr = (
  match: number,
  next: number,
  state: 'StateProbe' | 'StateReplicate' | 'StateSnapshot',
) => {
  const p = new ProgressState(next, new Inflights(256), false);
  p.match = match;
  p.state = state;
  return p;
};

describe('progress', () => {
  it('becomeProbe after a snapshot probes from after it', () => {
    const p = pr(1, 5, 'StateSnapshot');
    p.pendingSnapshot = 10;
    p.becomeProbe();
    expect([p.state, p.match, p.next]).toEqual(['StateProbe', 1, 11]);
    const q = pr(1, 5, 'StateReplicate');
    q.becomeProbe();
    expect([q.state, q.next]).toEqual(['StateProbe', 2]);
  });

  it('becomeReplicate and becomeSnapshot', () => {
    const p = pr(1, 5, 'StateProbe');
    p.becomeReplicate();
    expect([p.state, p.next]).toEqual(['StateReplicate', 2]);
    p.becomeSnapshot(10);
    expect([p.state, p.pendingSnapshot, p.next]).toEqual(['StateSnapshot', 10, 11]);
    expect(p.isPaused()).toBe(true);
  });

  it('maybeUpdate only moves forward', () => {
    const p = pr(3, 5, 'StateReplicate');
    expect(p.maybeUpdate(2)).toBe(false);
    expect(p.maybeUpdate(4)).toBe(true);
    expect([p.match, p.next]).toEqual([4, 5]);
    expect(p.maybeUpdate(6)).toBe(true);
    expect([p.match, p.next]).toEqual([6, 7]);
  });

  it.each([
    // state, match, next, rejected, hint, want ok, want next
    ['StateReplicate', 5, 10, 5, 5, false, 10],
    ['StateReplicate', 5, 10, 4, 4, false, 10],
    ['StateReplicate', 5, 10, 9, 9, true, 6],
    ['StateProbe', 0, 0, 0, 0, false, 0],
    ['StateProbe', 0, 10, 5, 5, false, 10],
    ['StateProbe', 0, 10, 9, 9, true, 9],
    ['StateProbe', 0, 2, 1, 1, true, 1],
    ['StateProbe', 0, 1, 0, 0, true, 1],
    ['StateProbe', 0, 10, 9, 2, true, 3],
    ['StateProbe', 0, 10, 9, 0, true, 1],
  ] as const)(
    'maybeDecrTo in %s (match %i next %i) rejected %i hint %i',
    (st, m, n, rej, hint, ok, wn) => {
      const p = pr(m, n, st);
      expect(p.maybeDecrTo(rej, hint)).toBe(ok);
      expect(p.next).toBe(wn);
    },
  );

  it('tracks the commit index sent, up to next - 1', () => {
    const p = pr(3, 6, 'StateReplicate');
    expect(p.canBumpCommit(5)).toBe(true);
    p.recordSentCommit(5);
    expect(p.canBumpCommit(5)).toBe(false);
    expect(p.canBumpCommit(9)).toBe(false); // already sent one that reaches next - 1
    p.becomeProbe();
    expect(p.sentCommit).toBe(3);
  });

  it('is paused in probe after a probe and in replicate when the window is full', () => {
    const p = pr(0, 1, 'StateProbe');
    expect(p.isPaused()).toBe(false);
    p.sentEntries(1, 1);
    expect(p.isPaused()).toBe(true);
    const q = new ProgressState(1, new Inflights(1), false);
    q.becomeReplicate();
    q.sentEntries(1, 1);
    expect(q.isPaused()).toBe(true);
    q.maybeUpdate(1);
    q.inflights.freeLE(1);
    expect(q.isPaused()).toBe(false);
  });
});
