// Story 16 shows its point: the same storm with and without the proxy. (Its checkpoints are
// checked with every story's in stories.test.ts.)
import { describe, expect, it } from 'vitest';
import { PROXY_WATCHERS, measureProxy } from './proxy-story';

describe('story 16: a gRPC proxy in front of the cluster', () => {
  it('takes the storm off the members; a couple of streams serve every watcher', async () => {
    const { 'no-proxy': off, proxy: on } = await measureProxy();
    expect(off!.memberCpuPct).toBeGreaterThan(5 * on!.memberCpuPct);
    expect(off!.memberRequestsPerS).toBeGreaterThan(5 * on!.memberRequestsPerS);
    expect(off!.memberBytesOut).toBeGreaterThan(5 * on!.memberBytesOut);
    expect(on!.hitRate).toBeGreaterThan(0.8);
    expect(off!.hitRate).toBeUndefined();
    expect(on!.watchers).toBe(PROXY_WATCHERS);
    expect(on!.upstreamWatches).toBeLessThanOrEqual(2);
    // every watcher got every event either way
    expect(on!.watchEvents).toBe(off!.watchEvents);
    expect(on!.watchEvents % PROXY_WATCHERS).toBe(0);
  }, 60_000);
});
