import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LINK, Network } from './network';
import { Prng } from './prng';

const net = (seed = 1, patch = {}) =>
  new Network(Prng.fromSeed(seed), { ...DEFAULT_LINK, ...patch });

describe('Network', () => {
  it('delivers after latency plus jitter, within bounds', () => {
    const n = net(1, { latencyUs: 500, jitterUs: 100 });
    for (let i = 0; i < 200; i++) {
      const f = n.send(1, 2, 10_000);
      expect(f.kind).toBe('delivered');
      if (f.kind !== 'delivered') return;
      expect(f.deliverAtUs).toHaveLength(1);
      expect(f.deliverAtUs[0]).toBeGreaterThanOrEqual(10_500);
      expect(f.deliverAtUs[0]).toBeLessThanOrEqual(10_600);
    }
  });

  it('is a pure function of the seed', () => {
    const draw = (seed: number) => {
      const n = net(seed, { lossRate: 0.2, duplicateRate: 0.2, reorderRate: 0.2 });
      return Array.from({ length: 100 }, (_, i) => n.send(1 + (i % 3), 2, i * 10));
    };
    expect(draw(9)).toEqual(draw(9));
    expect(draw(9)).not.toEqual(draw(10));
  });

  it('cuts one way or both, and heals', () => {
    const n = net();
    n.cut(1, 2, false);
    expect(n.send(1, 2, 0)).toEqual({ kind: 'dropped', reason: 'cut' });
    expect(n.send(2, 1, 0).kind).toBe('delivered');
    n.cut(1, 3);
    expect(n.connected(3, 1)).toBe(false);
    n.heal(1, 2, false);
    expect(n.connected(1, 2)).toBe(true);
    expect(n.topology().cuts).toEqual([
      [1, 3],
      [3, 1],
    ]);
    n.healAll();
    expect(n.topology()).toEqual({ cuts: [], groups: [] });
  });

  it('partitions into groups; nodes outside every group are alone', () => {
    const n = net();
    n.partition([[1, 2], [3]]);
    expect(n.connected(1, 2)).toBe(true);
    expect(n.connected(2, 3)).toBe(false);
    expect(n.connected(4, 1)).toBe(false);
    expect(n.connected(4, 4)).toBe(true);
    expect(n.topology().groups).toEqual([[1, 2], [3]]);
    expect(() => n.partition([[1], [1, 2]])).toThrow(/node 1 is in two partition groups/);
  });

  it('loses, duplicates and reorders at about the configured rates', () => {
    const n = net(5, { lossRate: 0.1, duplicateRate: 0.1, reorderRate: 0.5, jitterUs: 0 });
    let lost = 0;
    let dup = 0;
    let late = 0;
    const total = 20_000;
    for (let i = 0; i < total; i++) {
      const f = n.send(1, 2, 0);
      if (f.kind === 'dropped') lost++;
      else {
        if (f.deliverAtUs.length === 2) dup++;
        if (f.deliverAtUs[0]! > DEFAULT_LINK.latencyUs) late++;
      }
    }
    expect(lost / total).toBeCloseTo(0.1, 1);
    expect(dup / (total - lost)).toBeCloseTo(0.1, 1);
    expect(late / (total - lost)).toBeCloseTo(0.5, 1);
  });

  it('never delivers before the latency, whatever the settings', () => {
    fc.assert(
      fc.property(
        fc.record({
          latencyUs: fc.nat(10_000),
          jitterUs: fc.nat(10_000),
          lossRate: fc.double({ min: 0, max: 1, noNaN: true }),
          duplicateRate: fc.double({ min: 0, max: 1, noNaN: true }),
          reorderRate: fc.double({ min: 0, max: 1, noNaN: true }),
          reorderWindowUs: fc.nat(10_000),
        }),
        fc.nat(1_000_000),
        (link, now) => {
          const n = new Network(Prng.fromSeed(1), link);
          const f = n.send(1, 2, now);
          if (f.kind === 'delivered') {
            for (const t of f.deliverAtUs) {
              expect(t).toBeGreaterThanOrEqual(now + link.latencyUs);
              expect(t).toBeLessThanOrEqual(
                now + link.latencyUs + link.jitterUs + link.reorderWindowUs,
              );
            }
          }
        },
      ),
    );
  });

  it('rejects impossible link settings with a message', () => {
    expect(() => net(1, { lossRate: 2 })).toThrow(/lossRate must be in \[0, 1\]/);
    expect(() => net().setLink(1, 2, { latencyUs: -5 })).toThrow(
      /latencyUs must be a non-negative/,
    );
  });
});
