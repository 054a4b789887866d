// The event feed's lines, narrated once each as the run grows: the narration context must see
// every record in order (terms, membership), so lines are built incrementally per session and
// kept; the view only filters and slices them.
import type { TraceRecord } from '../../sim/conductor';
import type { Session } from '../../sim/session';
import {
  advanceContext,
  categorize,
  createNarrationContext,
  isNotable,
  narrate,
  type EventCategory,
  type NarrationContext,
} from '../narration';

export interface FeedLine {
  index: number;
  atUs: number;
  category: EventCategory;
  text: string;
}

interface FeedCache {
  lines: FeedLine[];
  upTo: number;
  ctx: NarrationContext;
}

const caches = new WeakMap<Session, FeedCache>();
/** Lines kept per session: enough to scroll back a long way, bounded for memory. */
const MAX_LINES = 20_000;

export function feedLines(s: Session): FeedLine[] {
  let c = caches.get(s);
  if (!c) {
    const { settings } = s.scenario;
    const ids = Array.from({ length: settings.size }, (_, i) => i + 1);
    c = {
      lines: [],
      upTo: 0,
      ctx: createNarrationContext(ids, { preVote: settings.preVote, readPath: settings.readPath }),
    };
    caches.set(s, c);
  }
  const t = s.timeline;
  for (; c.upTo < t.length; c.upTo++) {
    const r = t.record(c.upTo) as TraceRecord;
    if (isNotable(r))
      c.lines.push({
        index: c.upTo,
        atUs: r.atUs,
        category: categorize(r),
        text: narrate(r, c.ctx),
      });
    c.ctx = advanceContext(c.ctx, r);
  }
  if (c.lines.length > MAX_LINES) c.lines.splice(0, c.lines.length - MAX_LINES);
  return c.lines;
}

/** What "step to the next ..." looks for. */
export const NEXT_KINDS = {
  election: (r: TraceRecord) =>
    r.kind === 'state' && (r.to === 'StateCandidate' || r.to === 'StateLeader'),
  commit: (r: TraceRecord) => r.kind === 'apply',
  'read served': (r: TraceRecord) => r.kind === 'read-served',
  fault: (r: TraceRecord) => categorize(r) === 'fault',
} as const;

export type NextKind = keyof typeof NEXT_KINDS;
