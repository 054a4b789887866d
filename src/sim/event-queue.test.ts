import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue';

describe('EventQueue', () => {
  it('leading() lists the head events in pop order while accepted, removing nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(30), { maxLength: 100 }),
        fc.nat(40),
        fc.nat(30),
        (times, max, below) => {
          const q = new EventQueue<number>();
          times.forEach((t, i) => q.push(t, i));
          const popOrder = q.toSortedArray().map((s) => s.event);
          const firstRefused = popOrder.findIndex((i) => times[i]! >= below);
          const expected = popOrder.slice(
            0,
            Math.min(max, firstRefused < 0 ? Infinity : firstRefused),
          );
          expect(q.leading(max, (s) => s.atUs < below).map((s) => s.event)).toEqual(expected);
          expect(q.size).toBe(times.length);
        },
      ),
    );
  });

  it('pops by time, then by scheduling order', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { maxLength: 200 }), (times) => {
        const q = new EventQueue<number>();
        times.forEach((t, i) => q.push(t, i));
        const expected = times
          .map((t, i) => ({ t, i }))
          .sort((a, b) => a.t - b.t || a.i - b.i)
          .map((x) => x.i);
        const popped: number[] = [];
        for (let s = q.pop(); s; s = q.pop()) popped.push(s.event);
        expect(popped).toEqual(expected);
        expect(q.size).toBe(0);
      }),
    );
  });

  it('keeps order when pushes and pops interleave', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.nat(20).map((t) => ({ push: t })),
            fc.constant({ pop: true }),
          ),
        ),
        (ops) => {
          const q = new EventQueue<string>();
          const model: { t: number; seq: number }[] = [];
          let seq = 0;
          for (const op of ops) {
            if ('push' in op) {
              q.push(op.push, `e${seq}`);
              model.push({ t: op.push, seq: seq++ });
            } else {
              model.sort((a, b) => a.t - b.t || a.seq - b.seq);
              const want = model.shift();
              expect(q.pop()?.event).toBe(want ? `e${want.seq}` : undefined);
            }
          }
        },
      ),
    );
  });

  it('removes events by predicate and stays ordered', () => {
    const q = new EventQueue<{ node: number; n: number }>();
    for (let n = 0; n < 30; n++) q.push((n * 7) % 11, { node: n % 3, n });
    expect(q.removeWhere((e) => e.node === 1)).toBe(10);
    const out = q.toSortedArray();
    expect(out.every((s) => s.event.node !== 1)).toBe(true);
    const popped = [];
    for (let s = q.pop(); s; s = q.pop()) popped.push(s);
    expect(popped).toEqual(out);
  });

  it('rejects times that are not non-negative integers', () => {
    const q = new EventQueue<null>();
    expect(() => q.push(-1, null)).toThrow(/non-negative integer/);
    expect(() => q.push(1.5, null)).toThrow(/non-negative integer/);
  });
});
