// Story 13's alerts light up when its narration says they do: at each alert checkpoint, every
// member's own scrapes are read (as the Metrics panel reads them) and etcd-mixin's rules evaluated.
import { describe, expect, it } from 'vitest';
import type { InProcessHost } from '../host/inproc-host';
import { evaluateAlerts, type AlertStatus } from '../metrics/alerts';
import { TIMINGS } from '../metrics/scrapes';
import { Session } from '../sim/session';
import { METRICS_STORY_ALERTS, metricsScenario } from './metrics-story';

describe('story 13: the alerts at each checkpoint', () => {
  it('are what the narration says', async () => {
    const s = await Session.start(metricsScenario());
    const host = s.cluster.host as InProcessHost;
    const seen: string[] = [];
    for (const cp of METRICS_STORY_ALERTS) {
      await s.runTo(cp.atUs);
      const members = [];
      for (const id of [1, 2, 3]) {
        const m = (await host.inspect(id, { metrics: true }))?.metrics;
        if (m) members.push({ id, scrapes: m.scrapes.lab });
      }
      const alerts = evaluateAlerts(members, cp.atUs, TIMINGS.lab);
      for (const [alert, instance, state, severity] of cp.alerts) {
        // Without a severity, the first rule of that name decides.
        const got = alerts.find(
          (a: AlertStatus) =>
            a.alert === alert &&
            a.instance === instance &&
            (severity === undefined || a.severity === severity),
        );
        seen.push(`${cp.title}: ${alert} n${instance ?? '*'} ${got?.state}`);
        expect(got?.state, `${alert} at ${cp.atUs / 1e6} s`).toBe(state);
      }
    }
    expect(seen.length).toBe(METRICS_STORY_ALERTS.flatMap((c) => c.alerts).length);
    await s.dispose();
  }, 60_000);
});
