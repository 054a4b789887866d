// What a story is, as plain data a UI (or a benchmark) can use without knowing any story by name.
//
// A story is a built-in scenario with narration: the scenario (deterministic: same seed, same
// trace), optional variants (the same scenario with one thing changed, for comparison: another
// read path, another lock mode, PreVote off...), and checkpoints, the moments worth pausing at,
// each with the sentence to show there. A checkpoint is found either at a simulated time
// (`atUs`) or at the first trace record that matches a predicate written as data (`on`), so the
// whole story stays JSON-serializable and replays the same in every host.
import type { Scenario } from '../scenario/schema';
import type { TraceRecord } from '../sim/conductor';

/** One of the source articles in ../shared/seeds (see its README), or the Raft paper. */
export interface ArticleRef {
  /** The seed file's number: 0 to 4; undefined for the Raft paper. */
  seed?: number;
  title: string;
  /** Where in the article: a section or a figure. */
  where?: string;
}

/**
 * A trace-record predicate as data: `kind` must equal the record's kind, every field in `where`
 * must equal the record's field of that name (numbers, strings, booleans), and the record must
 * come at or after `afterUs`. The checkpoint is the `nth` such record (1-based, default 1).
 */
export interface TraceMatch {
  kind: string;
  where?: Record<string, string | number | boolean>;
  afterUs?: number;
  nth?: number;
}

export interface Checkpoint {
  /** A short label for a timeline marker. */
  title: string;
  /** What is happening and why it matters, in etcd's and Raft's words. Plain text. */
  narration: string;
  /** At this simulated time... */
  atUs?: number;
  /** ...or at the record this matches (when both are given, `on` wins; `atUs` is the fallback). */
  on?: TraceMatch;
}

export interface StoryVariant {
  /** A short machine name, used as a key in results (e.g. 'read-index', 'coarse'). */
  name: string;
  /** What differs from the story's own scenario, in words. */
  label: string;
  scenario(): Scenario;
}

/** What the results panel shows for a story, and where the benchmark keeps it. */
export interface StoryResults {
  /** The key of this story's figures in bench/results/stories.json (absent: none). */
  jsonKey?: string;
  /** The measured quantities, in words, in the order a panel should show them. */
  measures: string[];
  /** The trend the article shows, that ours should reproduce. */
  expect: string;
}

export interface Story {
  /** Stable id, usable in a URL: 'first-election', 'reads', ... */
  id: string;
  /** 1-based order in the story list. */
  number: number;
  title: string;
  /** One paragraph: what the story shows. */
  summary: string;
  articles: ArticleRef[];
  /** The story's own scenario (parsed: every default filled in). */
  scenario(): Scenario;
  /** The same story with one thing changed, for comparison; the bench runs each. */
  variants: StoryVariant[];
  /** The moments to pause at, in the order they happen in `scenario()`. */
  checkpoints: Checkpoint[];
  results: StoryResults;
}

/** Whether `r` satisfies the predicate's kind, fields and time (not `nth`: see findCheckpoint). */
export function traceMatches(m: TraceMatch, r: TraceRecord): boolean {
  if (r.kind !== m.kind) return false;
  if (m.afterUs !== undefined && r.atUs < m.afterUs) return false;
  for (const [k, v] of Object.entries(m.where ?? {})) if (r[k] !== v) return false;
  return true;
}

/**
 * Where each checkpoint falls in a trace: its `on` record's time, or its `atUs`; undefined when
 * the trace never reaches it (yet). Feed the whole trace so far; the result is in story order.
 */
export function locateCheckpoints(
  checkpoints: readonly Checkpoint[],
  trace: Iterable<TraceRecord>,
): (number | undefined)[] {
  const found: (number | undefined)[] = checkpoints.map(() => undefined);
  const seen = checkpoints.map(() => 0);
  let lastUs = 0;
  for (const r of trace) {
    lastUs = r.atUs;
    checkpoints.forEach((cp, i) => {
      if (found[i] !== undefined || !cp.on || !traceMatches(cp.on, r)) return;
      if (++seen[i]! >= (cp.on.nth ?? 1)) found[i] = r.atUs;
    });
  }
  return checkpoints.map((cp, i) => {
    if (found[i] !== undefined) return found[i];
    return cp.atUs !== undefined && cp.atUs <= lastUs ? cp.atUs : undefined;
  });
}
