import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Prng, hashLabel } from './prng';

describe('Prng', () => {
  it('is xoshiro128** (reference outputs from state [1, 2, 3, 4])', () => {
    const r = Prng.fromState([1, 2, 3, 4]);
    // 11520 = rotl(2 * 5, 7) * 9; the second output is 0 because s1 becomes 0.
    expect([r.nextUint32(), r.nextUint32()]).toEqual([11520, 0]);
  });

  it('is a pure function of its seed', () => {
    const a = Prng.fromSeed(42);
    const b = Prng.fromSeed(42);
    const xs = Array.from({ length: 100 }, () => a.nextUint32());
    const ys = Array.from({ length: 100 }, () => b.nextUint32());
    expect(xs).toEqual(ys);
    expect(new Set(xs).size).toBeGreaterThan(95);
  });

  it('resumes exactly from a serialized state', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.nat(200), (seed, skip) => {
        const a = Prng.fromSeed(seed);
        for (let i = 0; i < skip; i++) a.nextUint32();
        const saved = JSON.parse(JSON.stringify(a.state()));
        const b = Prng.fromState(saved);
        for (let i = 0; i < 20; i++) expect(b.nextUint32()).toBe(a.nextUint32());
      }),
    );
  });

  it('gives different streams different numbers, and the same stream the same', () => {
    const net = Prng.stream(7, 'net').nextUint32();
    expect(Prng.stream(7, 'net').nextUint32()).toBe(net);
    expect(Prng.stream(7, 'node:1').nextUint32()).not.toBe(net);
    expect(Prng.stream(8, 'net').nextUint32()).not.toBe(net);
    expect(Prng.stream('seed-text', 'net').nextUint32()).toBe(
      Prng.stream(hashLabel('seed-text'), 'net').nextUint32(),
    );
  });

  it('draws floats in [0, 1) and integers in [lo, hi)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 5000 }),
        (seed, lo, span) => {
          const r = Prng.fromSeed(seed);
          for (let i = 0; i < 50; i++) {
            const f = r.next();
            expect(f).toBeGreaterThanOrEqual(0);
            expect(f).toBeLessThan(1);
            const n = r.int(lo, lo + span);
            expect(Number.isInteger(n)).toBe(true);
            expect(n).toBeGreaterThanOrEqual(lo);
            expect(n).toBeLessThan(lo + span);
          }
        },
      ),
    );
  });

  it('is roughly uniform', () => {
    const r = Prng.fromSeed(1);
    const buckets = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const b = r.int(0, 10);
      buckets[b] = (buckets[b] ?? 0) + 1;
    }
    for (const count of buckets) expect(Math.abs(count - n / 10)).toBeLessThan(n / 100);
  });

  it('costs no randomness for certain or impossible chances', () => {
    const a = Prng.fromSeed(3);
    const before = a.state();
    expect(a.chance(0)).toBe(false);
    expect(a.chance(1)).toBe(true);
    expect(a.state()).toEqual(before);
  });

  it('rejects bad seeds, states and ranges with a message', () => {
    expect(() => Prng.fromSeed(-1)).toThrow(/seed must be an integer/);
    expect(() => Prng.fromSeed(1.5)).toThrow(/seed must be an integer/);
    expect(() => Prng.fromState([0, 0, 0, 0])).toThrow(/not all zero/);
    expect(() => Prng.fromState([1, 2, 3] as unknown as [number, number, number, number])).toThrow(
      /four uint32 words/,
    );
    expect(() => Prng.fromSeed(1).int(5, 5)).toThrow(/lo < hi/);
  });
});
