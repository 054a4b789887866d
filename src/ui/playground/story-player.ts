// Where a playing story pauses: pure bookkeeping over the trace as it grows. The play loop feeds
// it each new record (`feedRecords`), and asks, before it moves the view to a time, whether a
// checkpoint not yet shown falls at or before that time (`stopBefore`). A checkpoint with `on` is
// found at the record it matches (counting matches for `nth`); one with only `atUs` at that time;
// an `on` never matched falls back to its `atUs` once the trace has passed it, as in
// `locateCheckpoints`. Each checkpoint pauses play once: after it, `next` moves past it.
import { traceMatches, type Checkpoint, type Story } from '../../stories';
import type { TraceRecord } from '../../sim/conductor';

export interface StoryProgress {
  readonly story: Story;
  /** The variant's name when one was opened, else undefined (the story's own scenario). */
  readonly variant: string | undefined;
  /** How many records of the timeline have been fed. */
  readonly scanned: number;
  /** The last fed record's time. */
  readonly headUs: number;
  /** Matches so far of each checkpoint's `on`. */
  readonly seen: readonly number[];
  /** Where each `on` checkpoint's record was found. */
  readonly found: readonly (number | undefined)[];
  /** The index of the next checkpoint to pause at. */
  readonly next: number;
  /** The checkpoint on show in the story card, if any. */
  readonly shown: number | undefined;
}

export function startStory(story: Story, variant?: string): StoryProgress {
  return {
    story,
    variant,
    scanned: 0,
    headUs: 0,
    seen: story.checkpoints.map(() => 0),
    found: story.checkpoints.map(() => undefined),
    next: 0,
    shown: undefined,
  };
}

/** Feeds records `p.scanned ..` of a timeline (`record(i)`, up to `length`). */
export function feedRecords(
  p: StoryProgress,
  length: number,
  record: (i: number) => TraceRecord | undefined,
): StoryProgress {
  if (length <= p.scanned) return p;
  const seen = [...p.seen];
  const found = [...p.found];
  const cps = p.story.checkpoints;
  let headUs = p.headUs;
  for (let i = p.scanned; i < length; i++) {
    const r = record(i);
    if (!r) continue;
    headUs = r.atUs;
    cps.forEach((cp, k) => {
      if (found[k] !== undefined || !cp.on || !traceMatches(cp.on, r)) return;
      if (++seen[k]! >= (cp.on.nth ?? 1)) found[k] = r.atUs;
    });
  }
  return { ...p, scanned: length, headUs, seen, found };
}

/** Where checkpoint `k` falls in the trace fed so far (undefined: not reached yet). */
export function checkpointAt(p: StoryProgress, k: number): number | undefined {
  const cp: Checkpoint | undefined = p.story.checkpoints[k];
  if (!cp) return undefined;
  if (p.found[k] !== undefined) return p.found[k];
  if (cp.atUs === undefined) return undefined;
  // An `on` not matched yet may still match before its fallback time is passed.
  if (cp.on && cp.atUs > p.headUs) return undefined;
  return cp.atUs;
}

/**
 * The first checkpoint from `next` on that falls at or before `toUs` (the earliest, when several
 * do), with its time; undefined when play may go on to `toUs`.
 */
export function stopBefore(
  p: StoryProgress,
  toUs: number,
): { index: number; atUs: number } | undefined {
  let best: { index: number; atUs: number } | undefined;
  for (let k = p.next; k < p.story.checkpoints.length; k++) {
    const at = checkpointAt(p, k);
    if (at !== undefined && at <= toUs && (!best || at < best.atUs)) best = { index: k, atUs: at };
  }
  return best;
}

/** Shows checkpoint `k` (paused there, or jumped to): the next pause is the one after it. */
export function showCheckpoint(p: StoryProgress, k: number): StoryProgress {
  return { ...p, shown: k, next: k + 1 };
}

/** Continue: the card closes, play goes on to the next checkpoint. */
export function dismiss(p: StoryProgress): StoryProgress {
  return { ...p, shown: undefined };
}

/**
 * A story reopened at a moment of its run (a share link): fed the run's records so far, with
 * the checkpoint `shown` on show, or else the next pause after every checkpoint at or before
 * `viewUs`.
 */
export function resumeStory(
  story: Story,
  variant: string | undefined,
  length: number,
  record: (i: number) => TraceRecord | undefined,
  viewUs: number,
  shown?: number,
): StoryProgress {
  const p = feedRecords(startStory(story, variant), length, record);
  if (shown !== undefined) return showCheckpoint(p, shown);
  let next = 0;
  while (next < story.checkpoints.length) {
    const at = checkpointAt(p, next);
    if (at === undefined || at > viewUs) break;
    next++;
  }
  return { ...p, next };
}
