import { describe, expect, it } from 'vitest';
import { NODE_RADIUS, alongLink, formatUs, linkStatesAt, ringPositions } from './geometry';

describe('geometry', () => {
  it('puts nodes on a ring, the first at the top', () => {
    const p = ringPositions([1, 2, 3, 4]);
    expect(p.get(1)!.x).toBeCloseTo(300);
    expect(p.get(1)!.y).toBeLessThan(300);
    expect(p.get(3)!.y).toBeGreaterThan(300);
    expect(ringPositions([7]).get(7)).toEqual({ x: 300, y: 300 });
  });

  it('moves along a link from rim to rim', () => {
    const a = { x: 0, y: 0 };
    const b = { x: 200, y: 0 };
    expect(alongLink(a, b, 0)).toEqual({ x: NODE_RADIUS, y: 0 });
    expect(alongLink(a, b, 1)).toEqual({ x: 200 - NODE_RADIUS, y: 0 });
    expect(alongLink(a, b, 0.5).x).toBeCloseTo(100);
  });

  it('replays network actions to the link states at a time', () => {
    const actions = [
      { atUs: 10, kind: 'cut', from: 1, to: 2, oneWay: true },
      { atUs: 20, kind: 'partition', groups: [[1], [2, 3]] },
      { atUs: 30, kind: 'heal-all' },
    ];
    expect(linkStatesAt(actions, 5)(1, 2)).toBe('connected');
    expect(linkStatesAt(actions, 15)(1, 2)).toBe('cut one way');
    expect(linkStatesAt(actions, 25)(1, 3)).toBe('cut');
    expect(linkStatesAt(actions, 25)(2, 3)).toBe('connected');
    expect(linkStatesAt(actions, 35)(1, 2)).toBe('connected');
  });

  it('formats simulated time', () => {
    expect(formatUs(1_234_567)).toBe('1.235 s');
  });
});
