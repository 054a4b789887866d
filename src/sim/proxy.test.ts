// The proxy inside a running cluster (source article 001): the workloads' clients call it; it
// answers repeated serializable gets from its cache and shares one upstream watch among many
// watchers, so the members see a fraction of the requests and every watcher still gets every
// event. Runs replay to the same trace hash, batched or not.
import { describe, expect, it } from 'vitest';
import { BatchingInProcessHost } from '../host/batching-host';
import { parseScenario, type Scenario } from '../scenario/schema';
import { nodeSpecs } from './cluster';
import type { TraceRecord } from './conductor';
import { PROXY_CLIENT, PROXY_NODE } from './proxy-node';
import { Session } from './session';

const storm = (proxy: boolean, actions: object[] = []): Scenario =>
  parseScenario({
    version: 1,
    seed: 11,
    settings: { proxy },
    workloads: [
      {
        mode: 'open',
        rate: 1500,
        mix: { 'range-cheap': 1 },
        linearizable: false,
        keySpace: 1,
        startMs: 1500,
        stopMs: 2500,
      },
      {
        mode: 'open',
        rate: 20,
        mix: { put: 1 },
        keySpace: 1,
        startMs: 1500,
        stopMs: 2500,
        watchers: 12,
      },
    ],
    actions,
    cursorUs: 2_700_000,
  });

interface Seen {
  s: Session;
  records: TraceRecord[];
}

async function open(scenario: Scenario, host?: BatchingInProcessHost): Promise<Seen> {
  const records: TraceRecord[] = [];
  const s = await Session.open(scenario, {
    onTrace: (r) => records.push(r),
    ...(host ? { host } : {}),
  });
  return { s, records };
}

/** Client calls that reached members, and their CPU as the members metered it. */
function memberLoad(records: TraceRecord[]) {
  let requests = 0;
  let cpuUs = 0;
  for (const r of records) {
    if (r.kind === 'client-load') {
      requests += r.requests as number;
      cpuUs += r.cpuUs as number;
    }
  }
  return { requests, cpuUs };
}

describe('the proxy in a running cluster', () => {
  it('takes most of a storm of serializable gets off the members; watchers miss nothing', async () => {
    const off = await open(storm(false));
    const on = await open(storm(true));
    const [a, b] = [memberLoad(off.records), memberLoad(on.records)];
    expect(b.requests).toBeLessThan(a.requests / 5);
    expect(b.cpuUs).toBeLessThan(a.cpuUs / 5);
    const stats = on.s.proxy!.stats();
    expect(stats.hits / (stats.hits + stats.misses)).toBeGreaterThan(0.8);
    // twelve watchers, one upstream stream, and every watcher got every event either way
    expect(stats).toMatchObject({ watchers: 12, upstreamWatches: 1 });
    expect(on.s.watchStats).toEqual(off.s.watchStats);
    expect(on.s.watchStats.events).toBeGreaterThan(12 * 10);
    // the clients got the same answers to the same number of calls
    expect(on.s.summary().ops['range-cheap']!.ok).toBe(off.s.summary().ops['range-cheap']!.ok);
    // only the proxy's calls reached the members
    const clients = new Set(on.records.filter((r) => r.kind === 'request').map((r) => r.clientId));
    expect([...clients].filter((c) => c !== 0)).toEqual([PROXY_CLIENT]);
    // and they travelled links drawn like the members' own
    const calls = on.records.filter((r) => r.kind === 'send' && r.node === PROXY_NODE);
    expect(calls.length).toBeGreaterThan(0);
    expect(on.records.filter((r) => r.kind === 'invariant-violated')).toEqual([]);
    await off.s.dispose();
    await on.s.dispose();
  });

  it('a crash of the member serving the shared watch moves it; the watchers do not notice', async () => {
    const first = await open(storm(true));
    const watchCall = first.records.find(
      (r) => r.kind === 'request' && r.clientId === PROXY_CLIENT && r.method === 'watch',
    )!;
    await first.s.dispose();
    const crashed = await open(
      storm(true, [{ atUs: 2_000_000, kind: 'crash', node: watchCall.node }]),
    );
    const calm = await open(
      storm(false, [{ atUs: 2_000_000, kind: 'crash', node: watchCall.node }]),
    );
    const stats = crashed.s.proxy!.stats();
    expect(stats).toMatchObject({ watchers: 12, upstreamWatches: 1 });
    // without the proxy the watchers on the crashed member lose their streams; with it none do
    expect(crashed.s.watchStats.events).toBeGreaterThan(calm.s.watchStats.events);
    const perWatcher = crashed.s.watchStats.events / 12;
    expect(Number.isInteger(perWatcher)).toBe(true);
    await crashed.s.dispose();
    await calm.s.dispose();
  });

  it('the client bar and the console can call the proxy (node 0); a run without one refuses', async () => {
    const actions = [
      { atUs: 2_000_000, kind: 'etcdctl', node: PROXY_NODE, command: 'watch greeting' },
      { atUs: 2_100_000, kind: 'put', node: PROXY_NODE, key: 'greeting', value: 'hello' },
      { atUs: 2_200_000, kind: 'get', node: PROXY_NODE, key: 'greeting', serializable: true },
      { atUs: 2_300_000, kind: 'get', node: PROXY_NODE, key: 'greeting', serializable: true },
    ];
    const plain = (proxy: boolean) =>
      parseScenario({ version: 1, seed: 4, settings: { proxy }, actions, cursorUs: 2_500_000 });
    const answers: string[] = [];
    const s = await Session.start(plain(true));
    s.onEtcdctlAnswer = (node, _command, r) =>
      answers.push(`${node} ${r.ok && 'events' in r.body ? r.body.events.length : '-'}`);
    s.onActionAnswer = (method, r) => answers.push(`${method} ${r.ok}`);
    await s.runTo(2_500_000);
    expect(answers).toEqual(['0 0', 'put true', '0 1', 'range true', 'range true']);
    expect(s.proxy!.stats()).toMatchObject({ hits: 1, misses: 1, watchers: 1 });
    await s.dispose();
    const records: TraceRecord[] = [];
    const none = await Session.open(plain(false), { onTrace: (r) => records.push(r) });
    const failed = records.filter((r) => r.kind === 'action-failed');
    expect(failed).toHaveLength(4);
    expect(String(failed[0]!.error)).toMatch(/node 0 is the proxy, and this run has none/);
    await none.dispose();
  });

  it('replays to the same trace hash, with and without the proxy, batched or not', async () => {
    for (const proxy of [false, true]) {
      const scenario = storm(proxy);
      const a = await open(scenario);
      const b = await open(a.s.toScenario(a.s.nowUs));
      const host = new BatchingInProcessHost(nodeSpecs(scenario.settings, scenario.seed));
      const c = await open(scenario, host);
      expect(b.s.traceHash).toBe(a.s.traceHash);
      expect(c.s.traceHash).toBe(a.s.traceHash);
      expect(host.ran.some((n) => n > 1)).toBe(true);
      for (const x of [a, b, c]) await x.s.dispose();
    }
  }, 60_000);
});
