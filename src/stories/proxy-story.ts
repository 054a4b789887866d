// Story 16: the gRPC proxy (source article 001, "Introducing gRPC proxy"). A storm of clients
// asking for the same key over and over with serializable gets, and many watchers on the same
// keys, first straight at the members and then through a proxy: the members' CPU and traffic
// with and without it, the proxy's hit rate, and its upstream watches against the watchers.
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
/** One core per member, so that the storm's load reads as a share of a whole member. */
export const PROXY_CPU_CORES = 1;

export function proxyScenario(proxy: boolean): Scenario {
  const storm = { startMs: PROXY_STORM_START_MS, stopMs: PROXY_STORM_STOP_MS, keySpace: 1 };
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
  summary: `${PROXY_GETS_PER_S} serializable gets a second of one key, ${PROXY_PUTS_PER_S} writes a second to it and ${PROXY_WATCHERS} watchers on it. Straight at the members, every get and every watcher costs a member CPU and traffic. Through etcd's gRPC proxy, repeated gets are answered from its cache until a write through it invalidates the key, and the ${PROXY_WATCHERS} watchers share two watch streams to the cluster: the proxy does the fan-out.`,
  articles: [{ seed: 1, title: 'Announcing etcd 3.1 (CoreOS)', where: 'Introducing gRPC proxy' }],
  scenario: () => proxyScenario(true),
  variants: [
    { name: 'no-proxy', label: 'clients call the members', scenario: () => proxyScenario(false) },
    { name: 'proxy', label: 'clients call the proxy', scenario: () => proxyScenario(true) },
  ],
  checkpoints: [
    {
      title: 'watchers connect',
      narration: `${PROXY_WATCHERS} clients open a watch on the same key through the proxy. The first one opens a watch stream to a member; those that come while it is being created join it (etcd's watchBroadcast.add).`,
      on: { kind: 'proxy-watchers', where: { watchers: 1 } },
    },
    {
      title: 'a second stream',
      narration:
        'Once the first stream is created it has a revision, and a watcher "from now" may not join it: the proxy cannot know the stream is not behind the present. The next watcher opens a second stream, and the watchers after it join that one while it is being created.',
      on: { kind: 'proxy-watchers', where: { upstream: 2 } },
    },
    {
      title: 'a miss',
      narration:
        'The first serializable get of the key is not in the cache: the proxy forwards it to a member and keeps the answer.',
      on: { kind: 'proxy-cache', where: { hit: false } },
    },
    {
      title: 'coalesced',
      narration: `The last watcher had a stream of its own; once created it had caught up with the first one and was handed over to it, its stream cancelled (etcd's watchBroadcasts.coalesce). Streams with five watchers or more are never moved (maxCoalesceReceivers), so ${PROXY_WATCHERS} watchers stay on two streams to the cluster.`,
      on: { kind: 'proxy-watchers', where: { watchers: PROXY_WATCHERS, upstream: 2 } },
    },
    {
      title: 'a hit',
      narration:
        'The same get again: the proxy answers from its cache and the member never hears of it. A serializable get may be stale anyway, so the cache keeps the promise the client asked for.',
      on: { kind: 'proxy-cache', where: { hit: true } },
    },
    {
      title: 'a write invalidates',
      narration:
        'A put through the proxy drops every cached range it overlaps before it goes to the cluster (etcd’s cache.Invalidate), so the next get is a miss and reads the new value.',
      on: { kind: 'send', where: { type: 'ProxyCall', method: 'put' } },
    },
    {
      title: 'fan-out at the proxy',
      narration: `The put is applied: the member sends its event once, on the one shared stream, and the proxy sends it on to all ${PROXY_WATCHERS} watchers. Without the proxy, members send it ${PROXY_WATCHERS} times.`,
      on: { kind: 'proxy-fanout' },
    },
    {
      title: 'the storm ends',
      narration:
        'Compare the variants: the members’ CPU and traffic without the proxy and with it, the hit rate, and the upstream watches against the watchers.',
      atUs: PROXY_STORM_STOP_MS * 1000,
    },
  ],
  results: {
    jsonKey: 'proxy',
    measures: [
      'members’ CPU load (share of their cores) and client requests into the members, with and without the proxy',
      'bytes into and out of the members on client connections',
      'the proxy’s hit rate',
      'upstream watch streams against watchers',
    ],
    expect:
      'the proxy takes most of the gets off the members (the article: it "effectively eliminates CPU load on the etcd server"), and a couple of watch streams serve all the watchers.',
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
  /** The proxy's watchers and upstream watches at the end; undefined without a proxy. */
  watchers?: number;
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
