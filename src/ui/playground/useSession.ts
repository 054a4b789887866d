// Opens the run the URL asks for (or a fresh one) on the worker host, one Web Worker and one
// IndexedDB database per node, and closes it (workers and databases) when the page leaves.
import { useEffect } from 'react';
import { WorkerHost } from '../../host/worker-host';
import { nodeSpecs } from '../../sim/cluster';
import { Session } from '../../sim/session';
import type { Scenario } from '../../scenario/schema';
import { attachConsole } from './console-output';
import { scenarioFromFragment } from './share';
import { usePlayground } from './store';
import { resumeStory } from './story-player';
import { noticeViolation, unnoticedViolation } from './violation';

/** A namespace of its own per run, so a reload never finds an old run's databases. */
function freshNamespace(): string {
  return `pg-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/**
 * Starts a scenario on fresh workers and replays it to its cursor (Session.open); with `echo`,
 * the console prints the answers of the etcdctl commands it replays (opening a share link).
 */
export async function openSession(scenario: Scenario, echo = false): Promise<Session> {
  const host = new WorkerHost(
    nodeSpecs(scenario.settings, scenario.seed, scenario.restore),
    freshNamespace(),
  );
  const s = await Session.start(scenario, { host });
  if (echo) attachConsole(s);
  await s.runToPlace(scenario.cursorUs, scenario.cursorEvents);
  return s;
}

export async function closeSession(s: Session | null): Promise<void> {
  if (!s) return;
  const host = s.cluster.host;
  if (host instanceof WorkerHost) await host.destroy();
  else await host.close();
}

/** Runs a fresh cluster at full speed until it has a leader, so the first screen shows one. */
export async function warmUp(s: Session): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (s.timeline.nodesAt(s.nowUs).some((n) => n.role === 'StateLeader')) return;
    await s.runTo(s.nowUs + 50_000);
  }
}

export function useSession(): void {
  useEffect(() => {
    let live = true;
    let opened: Session | null = null;
    const { set } = usePlayground.getState();
    (async () => {
      const seed = Math.floor(Math.random() * 0xffffffff);
      const from = await scenarioFromFragment(window.location.hash, seed);
      const s = await openSession(from.scenario, true);
      opened = s;
      if (!live) return closeSession(s);
      if (from.kind !== 'link') await warmUp(s);
      // A link to a run that broke an invariant (the fuzzer prints those) says so at once.
      const broken = unnoticedViolation(s);
      // A link made while a story was open reopens it where it was.
      const linked = from.kind === 'link' ? from.story : undefined;
      const story = linked && {
        session: s,
        progress: resumeStory(
          linked.story,
          linked.variant,
          s.timeline.length,
          (i) => s.timeline.record(i),
          s.nowUs,
          linked.checkpoint,
        ),
      };
      set({
        session: s,
        viewUs: s.nowUs,
        story: story ?? null,
        banner:
          from.kind !== 'fresh' && from.message
            ? from.message
            : broken
              ? noticeViolation(s, broken)
              : null,
        // Autoplay, unless it is a shared moment or the person prefers less motion.
        playing:
          from.kind !== 'link' && !window.matchMedia('(prefers-reduced-motion: reduce)').matches,
      });
    })().catch((err: unknown) => {
      if (live)
        set({
          banner: `The cluster could not start: ${err instanceof Error ? err.message : String(err)}`,
        });
    });
    return () => {
      live = false;
      void closeSession(opened);
      set({ session: null });
    };
  }, []);
}
