// Story 16 shows its point: the same storm with and without the proxy. (Its checkpoints are
// checked with every story's in stories.test.ts.)
import { describe, expect, it } from 'vitest';
import { PROXY_KEYS, PROXY_WATCHERS, measureProxy } from './proxy-story';

describe('story 16: a gRPC proxy in front of the cluster', () => {
  it('takes the storm off the members; one stream per key range serves every watcher', async () => {
    const { 'no-proxy': off, proxy: on } = await measureProxy();
    expect(off!.memberCpuPct).toBeGreaterThan(5 * on!.memberCpuPct);
    expect(off!.memberRequestsPerS).toBeGreaterThan(5 * on!.memberRequestsPerS);
    expect(off!.memberBytesOut).toBeGreaterThan(5 * on!.memberBytesOut);
    expect(on!.hitRate).toBeGreaterThan(0.8);
    expect(off!.hitRate).toBeUndefined();
    // coalesced: as many upstream streams as distinct key ranges, no more
    expect(on!.watchers).toBe(PROXY_WATCHERS);
    expect(on!.watchRanges).toBe(PROXY_KEYS);
    expect(on!.upstreamWatches).toBe(PROXY_KEYS);
    // the watchers got the same events either way (they arrive at the same simulated times)
    expect(on!.watchEvents).toBeGreaterThan(PROXY_WATCHERS);
    expect(on!.watchEvents).toBe(off!.watchEvents);
  }, 60_000);
});
