// The space-quota story shows its point: NOSPACE refuses writes until defrag and disarm.
import { describe, expect, it } from 'vitest';
import type { InProcessHost } from '../host/inproc-host';
import type { Scenario } from '../scenario/schema';
import { Session } from '../sim/session';
import { QUOTA_STORY_BYTES, quotaScenario } from './quota-story';

const NOSPACE = 'etcdserver: mvcc: database space exceeded';

async function run(scenario: Scenario) {
  const s = await Session.start(scenario, {});
  const answers: { command: string; ok: boolean; error?: string; body?: unknown }[] = [];
  s.onEtcdctlAnswer = (_n, command, r) =>
    answers.push(
      r.ok ? { command, ok: true, body: r.body } : { command, ok: false, error: r.error.message },
    );
  await s.runTo(scenario.cursorUs);
  const backend = (s.cluster.host as InProcessHost).server(1)!.inspect().backend!;
  await s.dispose();
  return { answers, backend };
}

describe('the space-quota story', () => {
  it('refuses writes past the quota; compaction alone does not help; defrag and disarm do', async () => {
    const { answers } = await run(quotaScenario());
    const puts = answers.filter((a) => a.command === 'put foo bar');
    expect(puts.map((p) => p.error ?? 'OK')).toEqual([NOSPACE, NOSPACE, 'OK']);
    expect(answers.find((a) => a.command.startsWith('get'))?.ok).toBe(true);
    expect(answers.find((a) => a.command.startsWith('compaction'))?.ok).toBe(true);
    const sizes = answers
      .filter((a) => a.command === 'endpoint status -w table')
      .map((a) => (a.body as { dbSize: number }).dbSize);
    expect(sizes[0]).toBeGreaterThan(QUOTA_STORY_BYTES);
    expect(sizes[1]).toBeLessThan(QUOTA_STORY_BYTES / 3);
    expect(answers.at(-1)).toMatchObject({ command: 'alarm list', body: { alarms: [] } });
  }, 60_000);
});
