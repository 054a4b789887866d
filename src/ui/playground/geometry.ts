// Pure geometry for the cluster view: React renders SVG from these, nothing else decides where
// things are (style.md: React renders from pure geometry functions).
import { Network } from '../../sim/network';
import { Prng } from '../../sim/prng';
import type { Action } from '../../scenario/schema';

export interface Point {
  x: number;
  y: number;
}

export const VIEW_SIZE = 600;
export const NODE_RADIUS = 36;

/** Nodes evenly on a ring, the first at the top, clockwise. */
export function ringPositions(ids: readonly number[], size = VIEW_SIZE): Map<number, Point> {
  const c = size / 2;
  const r = ids.length <= 1 ? 0 : size / 2 - NODE_RADIUS - 40;
  const out = new Map<number, Point>();
  ids.forEach((id, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / ids.length;
    out.set(id, { x: c + r * Math.cos(a), y: c + r * Math.sin(a) });
  });
  return out;
}

/**
 * Where the proxy stands (src/sim/proxy-node.ts): in the middle of the ring, where no link
 * between members passes once there are three; beside the members when fewer.
 */
export function proxyPosition(memberCount: number, size = VIEW_SIZE): Point {
  const c = size / 2;
  return memberCount >= 3 ? { x: c, y: c } : { x: 80, y: c };
}

/** The point a fraction `p` of the way along a link, from rim to rim of the two nodes. */
export function alongLink(a: Point, b: Point, p: number, inset = NODE_RADIUS): Point {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const start = { x: a.x + ux * inset, y: a.y + uy * inset };
  const usable = Math.max(0, len - 2 * inset);
  return { x: start.x + ux * usable * p, y: start.y + uy * usable * p };
}

/** Offsets a message sideways so the two directions of a link do not overlap. */
export function laneOffset(a: Point, b: Point, px = 6): Point {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  return { x: (-dy / len) * px, y: (dx / len) * px };
}

export type LinkState = 'connected' | 'cut' | 'cut one way';

/**
 * Which links were cut at time `tUs`, replayed from the scenario's network actions (so scrubbing
 * back shows the network as it was then).
 */
export function linkStatesAt(
  actions: readonly Action[],
  tUs: number,
): (a: number, b: number) => LinkState {
  const net = new Network(Prng.fromSeed(0));
  for (const act of actions) {
    if (act.atUs > tUs) break;
    const from = act.from as number;
    const to = act.to as number;
    switch (act.kind) {
      case 'cut':
        net.cut(from, to, act.oneWay !== true);
        break;
      case 'heal':
        net.heal(from, to, act.oneWay !== true);
        break;
      case 'partition':
        net.partition(act.groups as number[][]);
        break;
      case 'heal-all':
        net.healAll();
        break;
    }
  }
  return (a, b) => {
    const ab = net.connected(a, b);
    const ba = net.connected(b, a);
    return ab && ba ? 'connected' : !ab && !ba ? 'cut' : 'cut one way';
  };
}

export function formatUs(us: number): string {
  return `${(us / 1e6).toFixed(3)} s`;
}

/**
 * Where a node's read badge (w x h) goes: its top-left corner, just inside the ring from the node
 * (toward the centre, where the links leave room), below the node's commit/applied line when it
 * points down, kept inside the view.
 */
export function badgeBox(at: Point, w: number, h: number, size = VIEW_SIZE): Point {
  const c = size / 2;
  const dx = c - at.x;
  const dy = c - at.y;
  const len = Math.hypot(dx, dy);
  const ux = len < 1 ? 0 : dx / len;
  const uy = len < 1 ? 1 : dy / len;
  // Far enough along u that the whole box lies past the node's rim (the box's half-extent
  // along u is |ux| w/2 + |uy| h/2).
  const d = NODE_RADIUS + 10 + (Math.abs(ux) * w) / 2 + (Math.abs(uy) * h) / 2;
  const cx = at.x + ux * d;
  const cy = at.y + uy * d + (uy > 0.3 ? 24 : 0);
  const clamp = (v: number, span: number) => Math.max(2, Math.min(size - span - 2, v));
  return { x: clamp(cx - w / 2, w), y: clamp(cy - h / 2, h) };
}
