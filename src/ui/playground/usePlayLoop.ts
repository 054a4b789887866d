// The clock of the view: every animation frame, while playing, the view time moves by the frame's
// wall time times the speed; if that runs past what has been simulated, the session runs on, for
// at most a slice of the frame, so frames stay on time whatever the speed.
import { useEffect } from 'react';
import { exclusive, idle } from './exclusive';
import { feedRecords, showCheckpoint, stopBefore } from './story-player';
import { usePlayground } from './store';
import type { Session } from '../../sim/session';
import { noticeViolation, unnoticedViolation } from './violation';
import { noticeRunSize, unnoticedRunSize } from './run-size';

/** Wall time per frame the simulation may use. */
const BUDGET_MS = 8;
/** At "max" speed, how far one frame may try to go. */
const MAX_SPEED_STEP_US = 200_000;

/**
 * Before the view moves to `toUs`: feeds the open story the run's new records, and if one of its
 * checkpoints falls on the way, stops play there and shows it (once each). True when it stopped.
 */
function storyStop(s: Session, toUs: number): boolean {
  const cur = usePlayground.getState();
  const open = cur.story;
  if (!open || open.session !== s) return false;
  const progress = feedRecords(open.progress, s.timeline.length, (i) => s.timeline.record(i));
  const stop = stopBefore(progress, toUs);
  if (!stop) {
    if (progress !== open.progress) cur.set({ story: { session: s, progress } });
    return false;
  }
  cur.set({
    story: { session: s, progress: showCheckpoint(progress, stop.index) },
    playing: false,
    viewUs: stop.atUs,
    tick: cur.tick + 1,
  });
  return true;
}

export function usePlayLoop(): void {
  useEffect(() => {
    let raf = 0;
    let last = performance.now();
    let running = false;
    const frame = (now: number) => {
      const dtMs = Math.min(100, now - last); // a background tab resumes without a jump
      last = now;
      raf = requestAnimationFrame(frame);
      const st = usePlayground.getState();
      const s = st.session;
      if (!st.playing || !s || running || !idle()) return;
      const target =
        st.speed === Infinity
          ? s.nowUs + MAX_SPEED_STEP_US
          : st.viewUs + Math.round(dtMs * 1000 * st.speed);
      if (target <= s.nowUs) {
        if (storyStop(s, target)) return;
        st.set({ viewUs: target });
        return;
      }
      running = true;
      const deadline = performance.now() + BUDGET_MS;
      // A broken invariant stops the run at the step that broke it (once: play goes on past it);
      // so does a run grown too big for the tab's memory (src/ui/playground/run-size.ts).
      const broken = () =>
        unnoticedViolation(s) !== undefined || unnoticedRunSize(s, s.timeline.length) !== undefined;
      exclusive(() => s.runTo(target, () => performance.now() > deadline || broken()))
        .then(() => {
          const cur = usePlayground.getState();
          if (cur.session !== s) return;
          const v = unnoticedViolation(s);
          if (v) {
            cur.set({
              playing: false,
              viewUs: v.atUs,
              tick: cur.tick + 1,
              banner: noticeViolation(s, v),
            });
            storyStop(s, v.atUs);
            return;
          }
          const size = unnoticedRunSize(s, s.timeline.length);
          if (size !== undefined) {
            cur.set({
              playing: false,
              viewUs: s.nowUs,
              tick: cur.tick + 1,
              banner: noticeRunSize(s, size),
            });
            return;
          }
          if (storyStop(s, Math.min(target, s.nowUs))) return;
          cur.set({ viewUs: Math.min(target, s.nowUs), tick: cur.tick + 1 });
        })
        .catch((err: unknown) => {
          usePlayground.getState().set({
            playing: false,
            banner: `The run stopped: ${err instanceof Error ? err.message : String(err)}`,
          });
        })
        .finally(() => {
          running = false;
        });
    };
    raf = requestAnimationFrame(frame);
    return () => cancelAnimationFrame(raf);
  }, []);
}
