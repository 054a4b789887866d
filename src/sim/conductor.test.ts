// The conductor, driven through a toy host: each node counts its ticks, makes every count
// durable, and only then gossips it to its peers (as Raft sends only after persisting). Small
// enough to reason about exactly, real enough to exercise every path: ticks, disk completions,
// network fates, crashes, pauses and requests.
import { describe, expect, it } from 'vitest';
import { Conductor, type TraceRecord } from './conductor';
import type { NodeHost, NodeInput, NodeOutput } from './host-contract';

interface Gossip {
  from: number;
  to: number;
  type: 'Gossip';
  count: number;
}
type Req = { op: 'get' };
type Res = { count: number; seen: Record<number, number> };

class ToyHost implements NodeHost<Gossip, Req, Res> {
  /** What each node's disk holds: only written when the conductor says durable. */
  readonly disks = new Map<number, number>();
  private readonly live = new Map<
    number,
    { count: number; seen: Record<number, number>; pending: Map<number, number> }
  >();
  private nextWrite = 1;
  constructor(private readonly peers: number[]) {}

  async start(node: number): Promise<NodeOutput<Gossip, Res>> {
    this.live.set(node, { count: this.disks.get(node) ?? 0, seen: {}, pending: new Map() });
    return {
      messages: [],
      writes: [],
      responses: [],
      trace: [{ kind: 'toy-boot', count: this.disks.get(node) ?? 0 }],
    };
  }

  async step(
    node: number,
    _atUs: number,
    input: NodeInput<Gossip, Req>,
  ): Promise<NodeOutput<Gossip, Res>> {
    const n = this.live.get(node);
    if (!n) throw new Error(`toy node ${node} is not running`);
    const out: NodeOutput<Gossip, Res> = { messages: [], writes: [], responses: [], trace: [] };
    switch (input.kind) {
      case 'tick': {
        n.count++;
        const id = this.nextWrite++;
        n.pending.set(id, n.count);
        out.writes.push(id);
        break;
      }
      case 'durable': {
        const count = n.pending.get(input.writeId)!;
        n.pending.delete(input.writeId);
        this.disks.set(node, count);
        for (const p of this.peers)
          if (p !== node) out.messages.push({ from: node, to: p, type: 'Gossip', count });
        break;
      }
      case 'message':
        n.seen[input.message.from] = Math.max(n.seen[input.message.from] ?? 0, input.message.count);
        break;
      case 'request':
        out.responses.push({
          clientId: input.clientId,
          requestId: input.requestId,
          response: { count: n.count, seen: { ...n.seen } },
        });
        break;
      case 'wake':
        break;
    }
    return out;
  }

  addNode(node: number): void {
    this.peers.push(node);
  }

  async crash(node: number): Promise<void> {
    this.live.delete(node);
  }

  async close(): Promise<void> {}
}

function setup(seed: number, extra: { lossRate?: number } = {}) {
  const nodes = [1, 2, 3];
  const host = new ToyHost(nodes);
  const trace: TraceRecord[] = [];
  const responses: { node: number; response: Res; atUs: number }[] = [];
  const c = new Conductor<Gossip, Req, Res>({
    seed,
    nodes,
    host,
    tickUs: 100_000,
    link: {
      latencyUs: 1_000,
      jitterUs: 200,
      lossRate: extra.lossRate ?? 0,
      duplicateRate: 0,
      reorderRate: 0,
      reorderWindowUs: 0,
    },
    disk: { fsyncUs: 2_000, fsyncJitterUs: 500 },
    onTrace: (r) => trace.push(r),
    onResponse: (r) => responses.push(r),
  });
  return { c, host, trace, responses };
}

describe('Conductor', () => {
  it('replays identically from a seed, and differently from another', async () => {
    const run = async (seed: number) => {
      const { c } = setup(seed, { lossRate: 0.1 });
      await c.start();
      await c.runUntil(2_000_000);
      return c.traceHash;
    };
    expect(await run(7)).toBe(await run(7));
    expect(await run(7)).not.toBe(await run(8));
  });

  it('ticks every node each tick interval and sends only after the write is durable', async () => {
    const { c, host, trace } = setup(1);
    await c.start();
    await c.runUntil(1_000_000);
    for (const id of [1, 2, 3]) expect(host.disks.get(id)).toBe(10);
    for (const send of trace.filter((t) => t.kind === 'send')) {
      const durable = trace.filter(
        (t) => t.kind === 'durable' && t.node === send.node && t.atUs <= send.atUs,
      );
      expect(durable.length).toBeGreaterThan(0);
    }
    const ticks = trace.filter((t) => t.kind === 'durable' && t.node === 1).map((t) => t.atUs);
    expect(ticks.slice(1).map((t, i) => t - ticks[i]!)).toSatisfy((gaps: number[]) =>
      gaps.every((g) => g >= 99_500 && g <= 100_500),
    );
  });

  it('drops messages on cut links, one way or both, and delivers again after healing', async () => {
    const { c, trace } = setup(1);
    await c.start();
    c.network.cut(1, 2, false);
    await c.runUntil(500_000);
    const drops = trace.filter((t) => t.kind === 'drop' && t.reason === 'cut');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.every((d) => d.node === 1 && d.to === 2)).toBe(true);
    expect(trace.some((t) => t.kind === 'recv' && t.node === 1 && t.from === 2)).toBe(true);
    c.network.healAll();
    const before = trace.length;
    await c.runUntil(1_000_000);
    expect(trace.slice(before).some((t) => t.kind === 'recv' && t.node === 2 && t.from === 1)).toBe(
      true,
    );
  });

  it('kills a message in flight when its link is cut before it arrives', async () => {
    const { c, trace } = setup(3);
    await c.start();
    // Run until a gossip from 1 to 3 is on the wire, then cut the link under it.
    while (!trace.some((t) => t.kind === 'send' && t.node === 1 && t.to === 3)) await c.step();
    const send = trace.filter((t) => t.kind === 'send' && t.node === 1 && t.to === 3).at(-1)!;
    c.network.cut(1, 3);
    await c.runUntil((send.deliverAtUs as number[])[0]!);
    expect(
      trace.some((t) => t.kind === 'drop' && t.msgId === send.msgId && t.reason === 'cut'),
    ).toBe(true);
  });

  it('loses writes that were not durable at a crash, and restarts from the disk alone', async () => {
    const { c, host, trace } = setup(1);
    await c.start();
    await c.runUntil(300_000);
    const tickAt = trace.filter((t) => t.kind === 'durable' && t.node === 2).at(-1)!.atUs;
    expect(host.disks.get(2)).toBe(3);
    // Step to just after node 2's next tick (its write is issued but not yet durable) and crash it.
    await c.runUntil(tickAt + 100_000 - 1_000);
    await c.crash(2);
    await c.runUntil(tickAt + 250_000); // down for more than a tick: every peer gossips to it
    expect(host.disks.get(2)).toBe(3);
    expect(c.nodeState(2)).toBe('down');
    expect(trace.some((t) => t.kind === 'drop' && t.reason === 'node-down' && t.node === 2)).toBe(
      true,
    );
    await c.restart(2);
    expect(trace.filter((t) => t.kind === 'toy-boot' && t.node === 2).at(-1)?.count).toBe(3);
    await c.runUntil(tickAt + 600_000);
    expect(host.disks.get(2)).toBeGreaterThan(3);
  });

  it('holds a paused node’s inputs and delivers them in order on resume', async () => {
    const { c, host, responses } = setup(1);
    await c.start();
    await c.runUntil(250_000);
    c.pause(3);
    const frozen = host.disks.get(3);
    c.request(3, 9, 1, { op: 'get' });
    await c.runUntil(800_000);
    expect(host.disks.get(3)).toBe(frozen);
    expect(responses).toHaveLength(0);
    await c.resume(3);
    expect(responses).toHaveLength(1);
    expect(responses[0]!.node).toBe(3);
    await c.runUntil(1_200_000);
    expect(host.disks.get(3)).toBeGreaterThan(frozen!);
  });

  it('answers requests with the node’s state and loses requests to a down node', async () => {
    const { c, responses, trace } = setup(1);
    await c.start();
    c.request(1, 5, 1, { op: 'get' }, 550_000);
    await c.crash(2);
    c.request(2, 5, 2, { op: 'get' }, 560_000);
    await c.runUntil(600_000);
    expect(responses.map((r) => [r.node, r.response.count])).toEqual([[1, 5]]);
    expect(trace.some((t) => t.kind === 'request-lost' && t.node === 2 && t.requestId === 2)).toBe(
      true,
    );
  });

  it('runs scheduled actions in time order with everything else', async () => {
    const { c, trace } = setup(1);
    await c.start();
    c.at(150_000, 'partition', () => c.network.partition([[1], [2, 3]]));
    await c.runUntil(400_000);
    const at = trace.find((t) => t.kind === 'action')!.atUs;
    expect(at).toBe(150_000);
    const late = trace.filter((t) => t.kind === 'drop' && t.atUs > at);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((d) => d.reason === 'cut' && (d.node === 1 || d.to === 1))).toBe(true);
  });

  it('refuses bad configuration with a message', () => {
    const host = new ToyHost([1]);
    expect(() => new Conductor({ seed: 1, nodes: [1, 1], host, tickUs: 10 })).toThrow(
      /distinct positive integers/,
    );
    expect(() => new Conductor({ seed: 1, nodes: [1], host, tickUs: 0 })).toThrow(
      /tickUs must be a positive integer/,
    );
  });
});
