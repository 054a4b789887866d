import { describe, expect, it } from 'vitest';
import {
  NODE_RADIUS,
  VIEW_SIZE,
  alongLink,
  badgeBox,
  formatUs,
  linkStatesAt,
  ringPositions,
} from './geometry';

describe('geometry', () => {
  it('puts nodes on a ring, the first at the top', () => {
    const p = ringPositions([1, 2, 3, 4]);
    expect(p.get(1)!.x).toBeCloseTo(300);
    expect(p.get(1)!.y).toBeLessThan(300);
    expect(p.get(3)!.y).toBeGreaterThan(300);
    expect(ringPositions([7]).get(7)).toEqual({ x: 300, y: 300 });
  });

  it('puts a read badge inside the ring, clear of its node and inside the view', () => {
    const p = ringPositions([1, 2, 3]);
    for (const at of p.values()) {
      const b = badgeBox(at, 120, 30);
      // Clear of the node's circle: the nearest point of the box is outside it.
      const nx = Math.max(b.x, Math.min(at.x, b.x + 120));
      const ny = Math.max(b.y, Math.min(at.y, b.y + 30));
      expect(Math.hypot(nx - at.x, ny - at.y)).toBeGreaterThan(NODE_RADIUS);
      expect(b.x).toBeGreaterThanOrEqual(2);
      expect(b.y + 30).toBeLessThanOrEqual(VIEW_SIZE - 2);
      // Toward the centre.
      expect(Math.hypot(b.x + 60 - 300, b.y + 15 - 300)).toBeLessThan(
        Math.hypot(at.x - 300, at.y - 300),
      );
    }
    // The top node's badge clears its commit/applied line (20 px below the circle).
    const top = p.get(1)!;
    expect(badgeBox(top, 120, 30).y).toBeGreaterThan(top.y + NODE_RADIUS + 24);
    // A lone node at the centre: below it.
    expect(badgeBox({ x: 300, y: 300 }, 100, 20).y).toBeGreaterThan(300 + NODE_RADIUS);
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
