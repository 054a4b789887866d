// The clock of the view: every animation frame, while playing, the view time moves by the frame's
// wall time times the speed; if that runs past what has been simulated, the session runs on, for
// at most a slice of the frame, so frames stay on time whatever the speed.
import { useEffect } from 'react';
import { exclusive, idle } from './exclusive';
import { usePlayground } from './store';
import { noticeViolation, unnoticedViolation } from './violation';

/** Wall time per frame the simulation may use. */
const BUDGET_MS = 8;
/** At "max" speed, how far one frame may try to go. */
const MAX_SPEED_STEP_US = 200_000;

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
        st.set({ viewUs: target });
        return;
      }
      running = true;
      const deadline = performance.now() + BUDGET_MS;
      // A broken invariant stops the run at the step that broke it (once: play goes on past it).
      const broken = () => unnoticedViolation(s) !== undefined;
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
            return;
          }
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
