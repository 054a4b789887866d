// Source article 000 as a test: per-request bcrypt rations a cluster to a few requests per
// second per core; token auth (one password check per session) restores the throughput.
import { describe, expect, it } from 'vitest';
import { bcryptCheckUs } from '../server/auth';
import { parseScenario } from '../scenario/schema';
import { runScenario } from './run-scenario';

async function putsPerSecond(authMode: 'off' | 'bcrypt' | 'token') {
  const scenario = parseScenario({
    version: 1,
    seed: 61,
    settings: { authMode, bcryptCost: 10, cpuCores: 2 },
    workloads: [{ mode: 'closed', concurrency: 16, mix: { put: 1 }, keySpace: 100, startMs: 2000 }],
  });
  const r = await runScenario(scenario, { untilUs: 8_000_000 });
  return r.metrics.ops.put?.perSecond ?? 0;
}

describe('auth modes', () => {
  it('bcrypt per request caps throughput at the members’ cores over the check time; token does not', async () => {
    const off = await putsPerSecond('off');
    const bcrypt = await putsPerSecond('bcrypt');
    const token = await putsPerSecond('token');
    // 3 members x 2 cores / one check each: the most per-request bcrypt can ever serve.
    const ceiling = (3 * 2) / (bcryptCheckUs(10) / 1e6);
    expect(bcrypt).toBeLessThanOrEqual(ceiling);
    expect(bcrypt).toBeGreaterThan(ceiling / 4);
    // With 16 clients the Raft pipeline, not auth, bounds token and off (about 750/s here).
    expect(token).toBeGreaterThan(5 * bcrypt);
    // Token pays one password check per client and member (16 x 3 sessions here) while it warms
    // up, then runs like auth off.
    expect(token).toBeGreaterThan(0.5 * off);
  });
});
