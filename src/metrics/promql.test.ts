import { describe, expect, it } from 'vitest';
import { histogramQuantile, increase, instant, rate } from './promql';

const S = 1_000_000;
const pts = (values: number[], everyUs = 15 * S, fromUs = 15 * S) =>
  values.map((value, i) => ({ atUs: fromUs + i * everyUs, value }));

describe('instant', () => {
  it('takes the latest sample within the lookback, none when it is older', () => {
    const p = pts([1, 2, 3]); // at 15, 30, 45 s
    expect(instant(p, 44 * S, 300 * S)).toBe(2);
    expect(instant(p, 45 * S, 300 * S)).toBe(3);
    expect(instant(p, 400 * S, 300 * S)).toBeUndefined();
    expect(instant(p, 10 * S, 300 * S)).toBeUndefined();
  });
});

describe('increase and rate (Prometheus extrapolatedRate)', () => {
  it('extrapolates to the window edges when samples cover it', () => {
    // Samples every 15 s from 15 s to 300 s, +1 each; window (0, 300 s]: 19 over 285 s,
    // extrapolated by the 15 s to the start (within 1.1 x the interval): 19 x 300 / 285 = 20.
    const p = pts(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(increase(p, 300 * S, 300 * S)).toBeCloseTo(20, 9);
    expect(rate(p, 300 * S, 300 * S)).toBeCloseTo(20 / 300, 9);
  });

  it('corrects counter resets (a restarted member counts from 0)', () => {
    const p = pts([10, 12, 2, 4], 15 * S, 15 * S); // 15..60 s
    // 12 - 10 + 2 (reset: 12 is added) + 2 = raw 6 over 45 s; to the start 15 s is within the
    // threshold but the zero point (45 x 10/6 = 75 s) is further, so 15 s; end is 0 s away.
    expect(increase(p, 60 * S, 60 * S)).toBeCloseTo((6 * 60) / 45, 9);
  });

  it('is undefined with fewer than two samples', () => {
    expect(increase(pts([5]), 15 * S, 60 * S)).toBeUndefined();
  });
});

describe('histogramQuantile', () => {
  const b = (counts: number[], les = [0.1, 0.2, 0.4, Infinity]) =>
    les.map((le, i) => ({ le, count: counts[i]! }));
  it('interpolates inside the bucket holding the rank', () => {
    // 100 observations; rank 99 falls in (0.2, 0.4] holding 60..100: 0.2 + 0.2 x 39/40.
    expect(histogramQuantile(0.99, b([10, 60, 100, 100]))).toBeCloseTo(0.2 + (0.2 * 39) / 40, 12);
    expect(histogramQuantile(0.5, b([10, 60, 100, 100]))).toBeCloseTo(0.1 + (0.1 * 40) / 50, 12);
  });
  it('answers the highest finite bound for a rank in +Inf, NaN with no observations', () => {
    expect(histogramQuantile(0.99, b([0, 0, 0, 10]))).toBe(0.4);
    expect(histogramQuantile(0.99, b([0, 0, 0, 0]))).toBeNaN();
    expect(histogramQuantile(0.99, [{ le: 1, count: 1 }])).toBeNaN();
  });
});
