// Story 12 shows its point: the same storm with and without the proxy. (Its checkpoints are
// checked with every story's in stories.test.ts.)
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../sim/conductor';
import { Session } from '../sim/session';
import { storyById } from './index';
import { PROXY_CPU_CORES, PROXY_WATCHERS, proxyFigures, type ProxyFigures } from './proxy-story';

async function figures(variant: string): Promise<{ f: ProxyFigures; events: number }> {
  const scenario = storyById('proxy')!
    .variants.find((v) => v.name === variant)!
    .scenario();
  const records: TraceRecord[] = [];
  const s = await Session.open(scenario, { onTrace: (r) => records.push(r) });
  const events = s.watchStats.events;
  await s.dispose();
  return { f: proxyFigures(records, scenario.settings.size, PROXY_CPU_CORES), events };
}

describe('story 12: a gRPC proxy in front of the cluster', () => {
  it('takes the storm off the members; a couple of streams serve every watcher', async () => {
    const off = await figures('no-proxy');
    const on = await figures('proxy');
    expect(off.f.memberCpuPct).toBeGreaterThan(5 * on.f.memberCpuPct);
    expect(off.f.memberRequestsPerS).toBeGreaterThan(5 * on.f.memberRequestsPerS);
    expect(off.f.memberBytesOut).toBeGreaterThan(5 * on.f.memberBytesOut);
    expect(on.f.hitRate).toBeGreaterThan(0.8);
    expect(off.f.hitRate).toBeUndefined();
    expect(on.f.watchers).toBe(PROXY_WATCHERS);
    expect(on.f.upstreamWatches).toBeLessThanOrEqual(2);
    // every watcher got every event either way
    expect(on.events).toBe(off.events);
    expect(on.events % PROXY_WATCHERS).toBe(0);
  }, 60_000);
});
