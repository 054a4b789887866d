import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiskModel } from './disk-model';
import { Prng } from './prng';

describe('DiskModel', () => {
  it('makes writes durable after the fsync latency plus jitter', () => {
    const d = new DiskModel(Prng.fromSeed(1), { fsyncUs: 1000, fsyncJitterUs: 200 });
    let now = 0;
    for (let i = 0; i < 100; i++) {
      now += 10_000;
      const at = d.write(now);
      expect(at - now).toBeGreaterThanOrEqual(1000);
      expect(at - now).toBeLessThanOrEqual(1200);
    }
  });

  it('finishes writes in the order they were issued', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(3000), { maxLength: 100 }), fc.nat(1000), (gaps, seed) => {
        const d = new DiskModel(Prng.fromSeed(seed), { fsyncUs: 1000, fsyncJitterUs: 5000 });
        let now = 0;
        let last = -1;
        for (const g of gaps) {
          now += g;
          const at = d.write(now);
          expect(at).toBeGreaterThanOrEqual(last);
          expect(at).toBeGreaterThanOrEqual(now + 1000);
          last = at;
        }
      }),
    );
  });

  it('slows down under the slow-disk fault and recovers', () => {
    const d = new DiskModel(Prng.fromSeed(1), { fsyncUs: 1000, fsyncJitterUs: 0 });
    expect(d.write(0)).toBe(1000);
    d.setSlow(20);
    expect(d.write(10_000)).toBe(30_000);
    d.setSlow(1);
    expect(d.write(100_000)).toBe(101_000);
    expect(() => d.setSlow(0.5)).toThrow(/slow factor must be/);
  });

  it('forgets queued writes on a crash', () => {
    const d = new DiskModel(Prng.fromSeed(1), { fsyncUs: 1000, fsyncJitterUs: 0 });
    d.setSlow(100);
    d.write(0); // durable at 100 ms, but the node crashes first
    d.crash(5_000);
    d.setSlow(1);
    expect(d.write(5_000)).toBe(6_000);
  });
});
