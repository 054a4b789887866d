// Watches over the client API in a running cluster: a stream of answers to one `watch` call,
// served by the member it was opened on as that member applies writes.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type ClusterSettings } from '../scenario/schema';
import { startCluster, type Cluster } from '../sim/cluster';
import type {
  ClientRequest,
  ClientResponse,
  ServerResponseHeader,
  WatchStreamResponse,
} from './requests';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A cluster with a client (id 7) whose every answer is kept, with when and where it came. */
async function cluster(
  seed: number,
  settings: ClusterSettings = { ...DEFAULT_SETTINGS },
): Promise<{
  c: Cluster;
  got: { requestId: number; node: number; atUs: number; response: ClientResponse }[];
  send: (node: number, request: ClientRequest) => number;
  stream: (requestId: number) => WatchStreamResponse[];
}> {
  const got: { requestId: number; node: number; atUs: number; response: ClientResponse }[] = [];
  const c = await startCluster({ settings, seed, keepTrace: true, onResponse: (r) => got.push(r) });
  let next = 1;
  const send = (node: number, request: ClientRequest): number => {
    const id = next++;
    c.conductor.request(node, 7, id, request);
    return id;
  };
  const stream = (requestId: number) =>
    got
      .filter((g) => g.requestId === requestId)
      .map((g) => {
        if (!g.response.ok) throw new Error(g.response.error.message);
        return g.response.body as WatchStreamResponse;
      });
  return { c, got, send, stream };
}

const events = (s: WatchStreamResponse[]) =>
  s.flatMap((r) => r.events.map((e) => `${e.type} ${text(e.kv.key)}=${text(e.kv.value)}`));

describe('watch over the client API', () => {
  it('streams the events a follower applies, from the follower, after a created response', async () => {
    const { c, got, send, stream } = await cluster(11);
    const leader = await c.leaderOf();
    const follower = [1, 2, 3].find((n) => n !== leader)!;
    const w = send(follower, { method: 'watch', body: { key: bytes('k'), prev_kv: true } });
    await c.conductor.runUntil(c.conductor.now + 100_000);
    expect(stream(w)).toEqual([
      {
        header: expect.objectContaining({ member_id: follower, revision: 1 }),
        watch_id: 0,
        created: true,
        events: [],
      },
    ]);
    await c.call(leader, { method: 'put', body: { key: bytes('k'), value: bytes('1') } });
    await c.call(leader, { method: 'put', body: { key: bytes('other'), value: bytes('x') } });
    await c.call(leader, { method: 'put', body: { key: bytes('k'), value: bytes('2') } });
    await c.call(leader, { method: 'deleteRange', body: { key: bytes('k') } });
    await c.conductor.runUntil(c.conductor.now + 500_000);
    const s = stream(w);
    expect(events(s)).toEqual(['PUT k=1', 'PUT k=2', 'DELETE k=']);
    expect(s.map((r) => r.header.revision)).toEqual([1, 2, 4, 5]);
    expect(
      s.every((r) => (r.header as ServerResponseHeader).member_id === follower && r.watch_id === 0),
    ).toBe(true);
    expect(text(s[2]!.events[0]!.prev_kv!.value)).toBe('1');
    // every response came from the member the watch was opened on
    expect(got.filter((g) => g.requestId === w).every((g) => g.node === follower)).toBe(true);
  });

  it('catches up from an old revision; a compacted one is created, then canceled', async () => {
    const { c, send, stream } = await cluster(12);
    const leader = await c.leaderOf();
    for (const v of ['1', '2', '3'])
      await c.call(leader, { method: 'put', body: { key: bytes('k'), value: bytes(v) } });
    const old = send(leader, { method: 'watch', body: { key: bytes('k'), start_revision: 3 } });
    await c.conductor.runUntil(c.conductor.now + 100_000);
    expect(events(stream(old))).toEqual(['PUT k=2', 'PUT k=3']);
    expect(stream(old)[1]!.header.revision).toBe(4);
    await c.call(leader, { method: 'compact', body: { revision: 4 } });
    const gone = send(leader, { method: 'watch', body: { key: bytes('k'), start_revision: 2 } });
    await c.conductor.runUntil(c.conductor.now + 100_000);
    expect(stream(gone).map(({ header, ...r }) => ({ ...r, revision: header.revision }))).toEqual([
      { watch_id: 1, created: true, events: [], revision: 4 },
      { watch_id: 1, canceled: true, compact_revision: 4, events: [], revision: 0 },
    ]);
  });

  it('a cancel ends the stream with a canceled response; no events after it', async () => {
    const { c, send, stream } = await cluster(13);
    const leader = await c.leaderOf();
    const w = send(leader, { method: 'watch', body: { key: bytes('a'), range_end: bytes('z') } });
    await c.call(leader, { method: 'put', body: { key: bytes('b'), value: bytes('1') } });
    const cancel = send(leader, { method: 'watchCancel', body: { watch_id: 0 } });
    await c.conductor.runUntil(c.conductor.now + 100_000);
    await c.call(leader, { method: 'put', body: { key: bytes('c'), value: bytes('1') } });
    await c.conductor.runUntil(c.conductor.now + 100_000);
    const s = stream(w);
    expect(events(s)).toEqual(['PUT b=1']);
    expect(s[s.length - 1]).toMatchObject({ watch_id: 0, canceled: true });
    expect(stream(cancel)).toEqual([expect.objectContaining({ watch_id: 0, canceled: true })]);
  });

  it('keeps its watches across a snapshot it applies, owed what they were owed', async () => {
    const settings = { ...DEFAULT_SETTINGS, snapshotCount: 20 };
    const { c, send, stream } = await cluster(14, settings);
    const leader = await c.leaderOf();
    const lagging = [1, 2, 3].find((n) => n !== leader)!;
    const w = send(lagging, { method: 'watch', body: { key: bytes('k'), range_end: bytes('l') } });
    await c.call(leader, { method: 'put', body: { key: bytes('k0'), value: bytes('v') } });
    await c.conductor.runUntil(c.conductor.now + 200_000);
    c.conductor.network.partition([[lagging], [1, 2, 3].filter((n) => n !== lagging)]);
    for (let i = 1; i <= 60; i++)
      await c.call(leader, { method: 'put', body: { key: bytes(`k${i}`), value: bytes('v') } });
    c.conductor.network.healAll();
    await c.conductor.runUntil(c.conductor.now + 2_000_000);
    expect(c.trace.some((t) => t.kind === 'snapshot-restored' && t.node === lagging)).toBe(true);
    expect(events(stream(w))).toEqual(Array.from({ length: 61 }, (_, i) => `PUT k${i}=v`));
    const revs = stream(w).flatMap((r) => r.events.map((e) => e.kv.mod_revision));
    expect(revs).toEqual([...revs].sort((a, b) => a - b));
  });

  it('a member removed from the cluster ends its watches with a reason', async () => {
    const { c, send, stream } = await cluster(15);
    const leader = await c.leaderOf();
    const other = [1, 2, 3].find((n) => n !== leader)!;
    const w = send(other, { method: 'watch', body: { key: bytes('k') } });
    const r = await c.call(leader, { method: 'memberRemove', body: { ID: other } });
    expect(r.ok).toBe(true);
    await c.conductor.runUntil(c.conductor.now + 500_000);
    expect(stream(w).at(-1)).toMatchObject({
      canceled: true,
      cancel_reason: 'etcdserver: server stopped',
    });
  });
});
