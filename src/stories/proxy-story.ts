// Story 16: the gRPC proxy (source article 001, "Introducing gRPC proxy"). A storm of clients
// asking for the same keys over and over with serializable gets, and 40 watchers on four keys,
// first straight at the members and then through a proxy: the members' CPU and traffic with and
// without it, the proxy's hit rate, and its upstream watches against the watchers.
//
// The watchers come over 400 ms (times drawn from the seed), as a storm's clients do, not all in
// one instant. Each one "from now" after the first of its key cannot join that key's started
// stream (etcd's watchBroadcast.add), so it gets a stream of its own; once created, that stream
// has caught up and hands its watcher over to the older one (watchBroadcasts.coalesce). In the
// end 40 watchers on 4 key ranges share 4 streams, one per range. Had five or more watchers of a
// key come while one stream was being created, that stream would never be moved
// (maxCoalesceReceivers) and the key would keep two: etcd does the same
// (src/proxy/grpc-proxy.test.ts shows it).
import { parseScenario, type Scenario } from '../scenario/schema';
import type { TraceRecord } from '../sim/conductor';
import { Session } from '../sim/session';
import type { Story } from './types';

const S = 1_000_000;

/** When the storm runs, and where the story ends. */
export const PROXY_STORM_START_MS = 1500;
export const PROXY_STORM_STOP_MS = 3500;
export const PROXY_END_US = 3.7 * S;
/** Serializable gets per second, all of one key: a misbehaving client's spam. */
export const PROXY_GETS_PER_S = 3000;
/** Writes per second to that key (each one invalidates the cached answer). */
export const PROXY_PUTS_PER_S = 20;
export const PROXY_WATCHERS = 40;
/** The keys the storm reads and writes; the watchers are spread over them, one range a key. */
export const PROXY_KEYS = 4;
/** The watchers come over this long from the storm's start (times drawn from the seed). */
export const PROXY_WATCH_SPREAD_MS = 400;
/** One core per member, so that the storm's load reads as a share of a whole member. */
export const PROXY_CPU_CORES = 1;

export function proxyScenario(proxy: boolean): Scenario {
  const storm = {
    startMs: PROXY_STORM_START_MS,
    stopMs: PROXY_STORM_STOP_MS,
    keySpace: PROXY_KEYS,
  };
  return parseScenario({
    version: 1,
    seed: 12,
    title: proxy ? 'Proxy: a storm through the gRPC proxy' : 'Proxy: the same storm, no proxy',
    settings: { proxy, cpuCores: PROXY_CPU_CORES },
    workloads: [
      {
        mode: 'open',
        rate: PROXY_GETS_PER_S,
        mix: { 'range-cheap': 1 },
        linearizable: false,
        ...storm,
      },
      {
        mode: 'open',
        rate: PROXY_PUTS_PER_S,
        mix: { put: 1 },
        watchers: PROXY_WATCHERS,
        watchRanges: PROXY_KEYS,
        watchSpreadMs: PROXY_WATCH_SPREAD_MS,
        ...storm,
      },
    ],
    cursorUs: PROXY_END_US,
  });
}

export const proxyStory: Story = {
  id: 'proxy',
  number: 16,
  title: 'A gRPC proxy in front of the cluster',
  summary: `${PROXY_GETS_PER_S} serializable gets a second of the same ${PROXY_KEYS} keys, ${PROXY_PUTS_PER_S} writes a second to them, and ${PROXY_WATCHERS} watchers coming over ${PROXY_WATCH_SPREAD_MS} ms, ${PROXY_WATCHERS / PROXY_KEYS} on each key. Straight at the members, every get and every watcher costs a member CPU and traffic. Through etcd's gRPC proxy, repeated gets are answered from its cache until a write through it invalidates them, and the watchers are coalesced: ${PROXY_WATCHERS} watchers on ${PROXY_KEYS} key ranges share ${PROXY_KEYS} watch streams to the cluster, and the proxy does the fan-out.`,
  articles: [{ seed: 1, title: 'Announcing etcd 3.1 (CoreOS)', where: 'Introducing gRPC proxy' }],
  scenario: () => proxyScenario(true),
  variants: [
    { name: 'no-proxy', label: 'clients call the members', scenario: () => proxyScenario(false) },
    { name: 'proxy', label: 'clients call the proxy', scenario: () => proxyScenario(true) },
  ],
  checkpoints: [
    {
      title: 'a miss',
      narration:
        'The first serializable get of the keys is not in the cache: the proxy forwards it to a member and keeps the answer.',
      on: { kind: 'proxy-cache', where: { hit: false } },
    },
    {
      title: 'watchers connect',
      narration: `Over ${PROXY_WATCH_SPREAD_MS} ms, ${PROXY_WATCHERS} clients open a watch through the proxy, ${PROXY_WATCHERS / PROXY_KEYS} on each of ${PROXY_KEYS} keys. The first opens a watch stream to a member; any that came while it was being created would join it (etcd's watchBroadcast.add).`,
      on: { kind: 'proxy-watchers', where: { watchers: 1 } },
    },
    {
      title: 'a hit',
      narration:
        'The same get again: the proxy answers from its cache and the member never hears of it. A serializable get may be stale anyway, so the cache keeps the promise the client asked for.',
      on: { kind: 'proxy-cache', where: { hit: true } },
    },
    {
      title: 'a stream per key',
      narration: `A watcher on each of the ${PROXY_KEYS} keys: watches on different key ranges never share a stream, so there are ${PROXY_KEYS}.`,
      on: { kind: 'proxy-watchers', where: { ranges: PROXY_KEYS, upstream: PROXY_KEYS } },
    },
    {
      title: 'a stream of its own',
      narration:
        'A second watcher on a key already watched. It watches "from now", and the key\'s stream is already created, at some revision: the proxy cannot know that revision is not behind the present, so the watcher may not join it and gets a stream of its own.',
      on: { kind: 'proxy-watchers', where: { ranges: PROXY_KEYS, upstream: PROXY_KEYS + 1 } },
    },
    {
      title: 'handed over',
      narration:
        "Once created, a watcher's own stream has caught up with the older stream of its key: a stream with fewer than five watchers hands them over to it and is cancelled (etcd's watchBroadcasts.coalesce), and the key is back to one stream. Each watcher drops events below its own next revision, so none is seen twice and none missed. Streams with five watchers or more are never moved (maxCoalesceReceivers): had five watchers of a key come while one stream was being created, the key would keep two. Coming over time, as clients do, they do not.",
      // the second time the proxy is back to one stream per key: after the first hand-overs
      on: {
        kind: 'proxy-watchers',
        where: { ranges: PROXY_KEYS, upstream: PROXY_KEYS },
        nth: 2,
      },
    },
    {
      title: 'a write invalidates',
      narration:
        'A put through the proxy drops every cached range it overlaps before it goes to the cluster (etcd’s cache.Invalidate), so the next get is a miss and reads the new value.',
      on: { kind: 'send', where: { type: 'ProxyCall', method: 'put' } },
    },
    {
      title: 'one stream per range',
      narration: `All the watchers have come, each handed over in turn: ${PROXY_WATCHERS} watchers on ${PROXY_KEYS} key ranges share ${PROXY_KEYS} watch streams to the cluster, one per range.`,
      on: {
        kind: 'proxy-watchers',
        where: { watchers: PROXY_WATCHERS, ranges: PROXY_KEYS, upstream: PROXY_KEYS },
      },
    },
    {
      title: 'fan-out at the proxy',
      narration: `A put is applied: the member sends its event once, on the key's one stream, and the proxy sends it on to all ${PROXY_WATCHERS / PROXY_KEYS} watchers of the key. Without the proxy, members send it ${PROXY_WATCHERS / PROXY_KEYS} times.`,
      on: { kind: 'proxy-fanout', where: { responses: PROXY_WATCHERS / PROXY_KEYS } },
    },
    {
      title: 'the storm ends',
      narration:
        'Compare the variants: the members’ CPU and traffic without the proxy and with it, the hit rate, and the upstream watches against the watchers and their key ranges.',
      atUs: PROXY_STORM_STOP_MS * 1000,
    },
  ],
  results: {
    jsonKey: 'proxy',
    measures: [
      'members’ CPU load (share of their cores) and client requests into the members, with and without the proxy',
      'bytes into and out of the members on client connections',
      'the proxy’s hit rate',
      'watchers, the key ranges they watch, and the upstream watch streams serving them',
    ],
    expect:
      'the proxy takes most of the gets off the members (the article: it "effectively eliminates CPU load on the etcd server"), and one watch stream per key range serves all the watchers.',
  },
};

export interface ProxyFigures {
  /** Members' client-facing CPU as a share of all their cores over the storm, in percent. */
  memberCpuPct: number;
  /** Client calls (and the proxy's) into the members per second, all members together. */
  memberRequestsPerS: number;
  memberBytesIn: number;
  memberBytesOut: number;
  /** The proxy's, over the storm: hits / (hits + misses); undefined without a proxy. */
  hitRate?: number;
  /** The proxy's watchers, their key ranges and its upstream watches at the end (no proxy: none). */
  watchers?: number;
  watchRanges?: number;
  upstreamWatches?: number;
}

/**
 * The story's figures from a run's trace records ('client-load' from every member, the proxy's
 * 'proxy-cache' and 'proxy-watchers'): what a results panel and the tests compute alike.
 */
export function proxyFigures(
  records: Iterable<TraceRecord>,
  members: number,
  cores: number,
): ProxyFigures {
  const fromUs = PROXY_STORM_START_MS * 1000;
  const toUs = PROXY_STORM_STOP_MS * 1000;
  let cpuUs = 0;
  let requests = 0;
  let bytesIn = 0;
  let bytesOut = 0;
  let cache: TraceRecord | undefined;
  let watch: TraceRecord | undefined;
  for (const r of records) {
    if (r.kind === 'proxy-watchers') watch = r;
    if (r.atUs < fromUs || r.atUs > toUs) continue;
    if (r.kind === 'client-load') {
      cpuUs += r.cpuUs as number;
      requests += r.requests as number;
      bytesIn += r.bytesIn as number;
      bytesOut += r.bytesOut as number;
    } else if (r.kind === 'proxy-cache' && typeof r.hits === 'number') cache = r;
  }
  const spanS = (toUs - fromUs) / S;
  const out: ProxyFigures = {
    memberCpuPct: round1((100 * cpuUs) / (spanS * S * members * cores)),
    memberRequestsPerS: Math.round(requests / spanS),
    memberBytesIn: bytesIn,
    memberBytesOut: bytesOut,
  };
  if (cache) {
    const hits = cache.hits as number;
    out.hitRate = Math.round((1000 * hits) / (hits + (cache.misses as number))) / 1000;
  }
  if (watch) {
    out.watchers = watch.watchers as number;
    out.watchRanges = watch.ranges as number;
    out.upstreamWatches = watch.upstream as number;
  }
  return out;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Runs `scenario` to its end in this process; its figures and what its watchers received. */
export async function measureProxyRun(
  scenario: Scenario,
): Promise<ProxyFigures & { watchEvents: number }> {
  const records: TraceRecord[] = [];
  const keep = (r: TraceRecord) =>
    r.kind === 'client-load' || r.kind === 'proxy-cache' || r.kind === 'proxy-watchers';
  const s = await Session.open(scenario, { onTrace: (r) => void (keep(r) && records.push(r)) });
  const watchEvents = s.watchStats.events;
  await s.dispose();
  const f = proxyFigures(records, scenario.settings.size, scenario.settings.cpuCores);
  return { ...f, watchEvents };
}

/** Story 16's figures, each variant: what bench/results/stories.json keeps under "proxy". */
export async function measureProxy(): Promise<
  Record<string, ProxyFigures & { watchEvents: number }>
> {
  const out: Record<string, ProxyFigures & { watchEvents: number }> = {};
  for (const v of proxyStory.variants) out[v.name] = await measureProxyRun(v.scenario());
  return out;
}
