// A broken invariant, as the playground tells it: a banner that names the property and the step,
// shown once per run (after that, playing goes on past it).
import type { Violation } from '../../check/invariants';
import type { Session } from '../../sim/session';

const noticed = new WeakSet<Session>();

/** The violation not yet shown for this run, if any. */
export function unnoticedViolation(s: Session): Violation | undefined {
  return noticed.has(s) ? undefined : s.invariants.violation;
}

/** Marks the run's violation shown, and says it. */
export function noticeViolation(s: Session, v: Violation): string {
  noticed.add(s);
  return `Safety broken at ${(v.atUs / 1e6).toFixed(6)} s (${v.invariant}): ${v.message}. The run stopped at the step that broke it; play goes on past it.`;
}
