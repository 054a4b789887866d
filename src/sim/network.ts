// The simulated network: plain data plus the PRNG (the TigerBeetle way). Each directed link has
// its own latency, jitter, loss, duplication and reordering; links can be cut one way or both, and
// the cluster can be partitioned into any groups. A message's fate is drawn when it is sent
// (dropped, delivered once, or twice, and when), and the link is checked again when it arrives, so
// a message in flight when a link is cut dies on the wire, where the UI draws it dying.
import type { Prng } from './prng';

export type NodeId = number;

/** How one directed link behaves. Probabilities are in [0, 1]; times in microseconds. */
export interface LinkModel {
  latencyUs: number;
  /** Extra delay drawn uniformly from [0, jitterUs]. */
  jitterUs: number;
  lossRate: number;
  duplicateRate: number;
  /** Probability that a message is held back by up to `reorderWindowUs`, so later ones overtake it. */
  reorderRate: number;
  reorderWindowUs: number;
}

export const DEFAULT_LINK: LinkModel = {
  latencyUs: 1_000,
  jitterUs: 200,
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderWindowUs: 5_000,
};

export type Fate =
  { kind: 'dropped'; reason: 'loss' | 'cut' } | { kind: 'delivered'; deliverAtUs: number[] };

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}

export function validateLink(link: LinkModel): void {
  const times: (keyof LinkModel)[] = ['latencyUs', 'jitterUs', 'reorderWindowUs'];
  for (const k of times) {
    if (!Number.isSafeInteger(link[k]) || link[k] < 0) {
      throw new RangeError(
        `network: ${k} must be a non-negative integer of microseconds, got ${link[k]}`,
      );
    }
  }
  for (const k of ['lossRate', 'duplicateRate', 'reorderRate'] as const) {
    if (!(link[k] >= 0 && link[k] <= 1)) {
      throw new RangeError(`network: ${k} must be in [0, 1], got ${link[k]}`);
    }
  }
}

export class Network {
  private defaults: LinkModel;
  private readonly overrides = new Map<string, LinkModel>();
  private readonly cuts = new Set<string>();
  /** Node id -> partition group; nodes in different groups cannot talk. Empty: no partition. */
  private groups = new Map<NodeId, number>();

  constructor(
    private readonly rng: Prng,
    defaults: LinkModel = DEFAULT_LINK,
  ) {
    validateLink(defaults);
    this.defaults = { ...defaults };
  }

  /** Sets the model of every link that has no override of its own. */
  setDefaults(patch: Partial<LinkModel>): void {
    const next = { ...this.defaults, ...patch };
    validateLink(next);
    this.defaults = next;
  }

  setLink(from: NodeId, to: NodeId, patch: Partial<LinkModel>): void {
    const next = { ...this.link(from, to), ...patch };
    validateLink(next);
    this.overrides.set(linkKey(from, to), next);
  }

  link(from: NodeId, to: NodeId): LinkModel {
    // (Runs per message: with no override there is no key string to build and look up.)
    if (this.overrides.size === 0) return this.defaults;
    return this.overrides.get(linkKey(from, to)) ?? this.defaults;
  }

  /** No message sent now arrives sooner than this, on any link (jitter and reordering only add). */
  minLatencyUs(): number {
    let min = this.defaults.latencyUs;
    for (const m of this.overrides.values()) min = Math.min(min, m.latencyUs);
    return min;
  }

  /** Cuts from -> to; with `bothWays`, to -> from too. */
  cut(from: NodeId, to: NodeId, bothWays = true): void {
    this.cuts.add(linkKey(from, to));
    if (bothWays) this.cuts.add(linkKey(to, from));
  }

  heal(from: NodeId, to: NodeId, bothWays = true): void {
    this.cuts.delete(linkKey(from, to));
    if (bothWays) this.cuts.delete(linkKey(to, from));
  }

  /** Splits the nodes into groups; a node in no group is alone. Replaces any earlier partition. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    const next = new Map<NodeId, number>();
    groups.forEach((g, i) => {
      for (const id of g) {
        if (next.has(id)) throw new Error(`network: node ${id} is in two partition groups`);
        next.set(id, i);
      }
    });
    this.groups = next;
  }

  /** Removes every cut and the partition. */
  healAll(): void {
    this.cuts.clear();
    this.groups = new Map();
  }

  /** Whether a message from -> to gets through right now (a node always reaches itself). */
  connected(from: NodeId, to: NodeId): boolean {
    if (from === to) return true;
    // (Runs twice per message: with nothing cut there is no key string to build and look up.)
    if (this.cuts.size > 0 && this.cuts.has(linkKey(from, to))) return false;
    if (this.groups.size === 0) return true;
    const a = this.groups.get(from);
    const b = this.groups.get(to);
    // With a partition in force, a node named in no group is cut off from everyone.
    return a !== undefined && a === b;
  }

  /**
   * Draws a message's fate at send time `nowUs`. Randomness is drawn in a fixed order and only
   * for features that are on, so turning on loss never changes the latencies other links see
   * unless that link's loss is actually drawn.
   */
  send(from: NodeId, to: NodeId, nowUs: number, duplicable = true): Fate {
    if (!this.connected(from, to)) return { kind: 'dropped', reason: 'cut' };
    const m = this.link(from, to);
    if (this.rng.chance(m.lossRate)) return { kind: 'dropped', reason: 'loss' };
    const copies = duplicable && this.rng.chance(m.duplicateRate) ? 2 : 1;
    const deliverAtUs: number[] = [];
    for (let i = 0; i < copies; i++) {
      let delay = m.latencyUs + (m.jitterUs > 0 ? this.rng.int(0, m.jitterUs + 1) : 0);
      if (m.reorderWindowUs > 0 && this.rng.chance(m.reorderRate)) {
        delay += this.rng.int(1, m.reorderWindowUs + 1);
      }
      deliverAtUs.push(nowUs + delay);
    }
    return { kind: 'delivered', deliverAtUs };
  }

  /**
   * When a message sent now on a link that never loses or repeats one (a TCP connection from a
   * component outside the members' network, such as the proxy) arrives: the link's latency and
   * jitter, drawn from the same stream. Cuts and partitions, which the person makes between
   * members, do not apply to it.
   */
  deliveryUs(from: NodeId, to: NodeId, nowUs: number): number {
    const m = this.link(from, to);
    return nowUs + m.latencyUs + (m.jitterUs > 0 ? this.rng.int(0, m.jitterUs + 1) : 0);
  }

  /** Serializable description of cuts and partition (for the UI and the scenario). */
  topology(): { cuts: [NodeId, NodeId][]; groups: NodeId[][] } {
    const cuts = [...this.cuts]
      .map((k) => k.split('>').map(Number) as [NodeId, NodeId])
      .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    const byGroup = new Map<number, NodeId[]>();
    for (const [id, g] of this.groups) byGroup.set(g, [...(byGroup.get(g) ?? []), id]);
    const groups = [...byGroup.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([, ids]) => ids.sort((a, b) => a - b));
    return { cuts, groups };
  }
}
