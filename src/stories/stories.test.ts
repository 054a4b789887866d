// Each story's scenario is a valid document and shows its point in a few simulated seconds.
// Trends, not exact numbers: the published figures are the benchmark's (BENCHMARKS.md).
import { beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/schema';
import type { TraceRecord } from '../sim/conductor';
import { Session } from '../sim/session';
import {
  READ_CONCURRENCIES,
  READ_PATHS,
  SPLIT_VOTE_SEED,
  STORIES,
  TUNING_SETTINGS,
  locateCheckpoints,
  splitVoteScenario,
  storyById,
} from './index';
import { readFileSync } from 'node:fs';
import { measureStories, type StoriesFigures } from './measure';

describe('the story registry', () => {
  it('has twelve stories, numbered in order, with unique ids', () => {
    expect(STORIES.map((s) => s.number)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(new Set(STORIES.map((s) => s.id)).size).toBe(STORIES.length);
    expect(storyById('reads')?.number).toBe(5);
  });

  it.each(STORIES.map((s) => [s.id, s] as const))(
    '%s: its scenario and variants parse, deterministically',
    (_id, story) => {
      for (const make of [story.scenario, ...story.variants.map((v) => v.scenario)]) {
        const s = make();
        // A story is a document like any share link: it survives JSON and the parser unchanged.
        expect(parseScenario(JSON.parse(JSON.stringify(s)))).toEqual(s);
        expect(make()).toEqual(s);
        expect(s.cursorUs).toBeGreaterThan(0);
      }
      expect(story.checkpoints.length).toBeGreaterThan(0);
      for (const cp of story.checkpoints) {
        expect(cp.narration.length).toBeGreaterThan(20);
        expect(cp.atUs !== undefined || cp.on !== undefined).toBe(true);
      }
      expect(story.articles.length).toBeGreaterThan(0);
      expect(story.results.measures.length).toBeGreaterThan(0);
    },
  );
});

/** Runs a scenario to its cursor, keeping every trace record. */
async function traceOf(id: string): Promise<TraceRecord[]> {
  const scenario = storyById(id)!.scenario();
  const trace: TraceRecord[] = [];
  const s = await Session.start(scenario, { onTrace: (r) => trace.push(r) });
  await s.runTo(scenario.cursorUs);
  await s.dispose();
  return trace;
}

describe('checkpoints', () => {
  // The fully-concurrent-reads story fills a large store first (slow here); its checkpoints are
  // times, found without a run.
  const ids = STORIES.map((s) => s.id).filter((id) => id !== 'fully-concurrent-reads');
  it.each(ids)('%s: every checkpoint is reached, in order', async (id) => {
    const story = storyById(id)!;
    const at = locateCheckpoints(story.checkpoints, await traceOf(id));
    expect(at.every((t) => t !== undefined)).toBe(true);
    const times = at as number[];
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});

describe('each story shows its point (a quick run of the benchmark)', () => {
  let f: StoriesFigures;
  beforeAll(async () => {
    f = await measureStories({ quick: true });
  }, 180_000);

  it('1: 3 and 4 members tolerate one member down, 5 tolerate two', () => {
    expect(f.quorum['3']!.tolerated_failures).toBe(1);
    expect(f.quorum['4']!.tolerated_failures).toBe(1);
    expect(f.quorum['5']!.tolerated_failures).toBe(2);
  });

  it('2: the first election splits its votes; randomized timeouts elect a leader next term', async () => {
    const states: TraceRecord[] = [];
    const scenario = splitVoteScenario();
    expect(scenario.seed).toBe(SPLIT_VOTE_SEED);
    const s = await Session.start(scenario, {
      onTrace: (r) => void (r.kind === 'state' && states.push(r)),
    });
    await s.runTo(scenario.cursorUs);
    const firstTerm = Math.min(
      ...states.filter((r) => r.to === 'StateCandidate').map((r) => r.term as number),
    );
    const inFirst = states.filter((r) => r.term === firstTerm);
    expect(inFirst.filter((r) => r.to === 'StateCandidate').length).toBeGreaterThanOrEqual(2);
    expect(inFirst.some((r) => r.to === 'StateLeader')).toBe(false);
    expect(states.some((r) => r.to === 'StateLeader')).toBe(true);
  });

  it('2: a returning member disrupts the leader only without PreVote and CheckQuorum', () => {
    const d = f.disruption;
    expect(d['prevote-on']!.leader_changes_after_heal).toBe(0);
    expect(d['prevote-off']!.leader_changes_after_heal).toBeGreaterThan(0);
    expect(d['prevote-off']!.max_term_seen).toBeGreaterThan(d['prevote-on']!.max_term_seen);
  });

  it('3: the isolated leader acknowledges nothing, the majority commits, nothing is lost', () => {
    expect(f.partition.minority_acknowledged_puts).toBe(0);
    expect(f.partition.majority_acknowledged_puts).toBeGreaterThan(20);
    expect(f.partition.violations).toBe(0);
  });

  it('4: figure8-commit breaks safety under the Figure 8 partitions; Raft as specified does not', () => {
    expect(f.figure8.safe!.violations).toBe(0);
    expect(f.figure8['figure8-commit']!.violations).toBeGreaterThan(0);
  });

  it('5: ReadIndex beats log reads at every concurrency; reads coalesce into rounds', () => {
    const r = f.reads;
    expect(Object.keys(r)).toEqual([...READ_PATHS]);
    const ri = r['read-index']!;
    ri.forEach((p, i) => expect(p.reads_per_s).toBeGreaterThan(r.log![i]!.reads_per_s));
    expect(ri.map((p) => p.concurrency)).toEqual([...READ_CONCURRENCIES]);
    expect(ri[0]!.rounds_per_read).toBeGreaterThan(0.9);
    expect(ri[ri.length - 1]!.rounds_per_read).toBeLessThan(0.2);
    expect(r.log!.every((p) => p.rounds_per_read === 0)).toBe(true);
  });

  it('6: under concurrent, p99 of cheap reads and writes is below rwlock’s and coarse’s', () => {
    for (const other of ['rwlock', 'coarse']) {
      expect(f.fcr.concurrent!.cheap_read_p99_ms).toBeLessThan(f.fcr[other]!.cheap_read_p99_ms);
      expect(f.fcr.concurrent!.write_p99_ms).toBeLessThan(f.fcr[other]!.write_p99_ms);
    }
  });

  it('7: a graceful stop leaves the cluster leaderless far shorter than a crash', () => {
    const t = f.leader_transfer;
    expect(t.graceful_gap_ms).toBeLessThan(50);
    expect(t.crash_gap_ms).toBeGreaterThan(10 * t.graceful_gap_ms);
  });

  it('8: the unsafe removal is refused; the replacement goes through', () => {
    expect(f.membership.refused.length).toBe(1);
    expect(f.membership.proposed).toEqual(['ConfChangeRemoveNode 3', 'ConfChangeAddNode 4']);
    expect(f.membership.members_at_end).toContain(4);
  });

  it('9: an election timeout below the round trip churns leaders; tuned timing does not', () => {
    const t = f.tuning;
    expect(Object.keys(t)).toEqual(Object.keys(TUNING_SETTINGS));
    expect(t['heartbeat-below-rtt']!.leader_changes_per_min).toBeGreaterThan(10);
    expect(t['heartbeat-below-rtt']!.failed_proposals).toBeGreaterThan(0);
    expect(t['heartbeat-tuned']!.leader_changes_per_min).toBe(0);
    expect(t.default!.failed_proposals).toBe(0);
  });

  it('10: per-request bcrypt serves a small fraction of what token auth does', () => {
    expect(f.auth.bcrypt_rps).toBeLessThanOrEqual(f.auth_detail.bcrypt_ceiling_rps);
    expect(f.auth.token_rps).toBeGreaterThan(5 * f.auth.bcrypt_rps);
  });

  it('11: every batch setting commits writes', () => {
    expect(f.batching.length).toBe(6);
    for (const b of f.batching) expect(b.writes_per_s).toBeGreaterThan(0);
  });

  it('has the fields of bench/results/stories.json (the quick run and the published file)', () => {
    const published = JSON.parse(
      readFileSync(new URL('../../bench/results/stories.json', import.meta.url), 'utf8'),
    ) as unknown;
    for (const doc of [JSON.parse(JSON.stringify(f)) as unknown, published]) expectSchema(doc);
  });
});

const num = expect.any(Number) as unknown;

/** The schema issue 9 names (external tests read exactly these fields). */
function expectSchema(doc: unknown): void {
  const d = doc as Record<string, Record<string, unknown>>;
  expect(d.auth).toEqual({ bcrypt_rps: num, token_rps: num });
  expect(Object.keys(d.reads!)).toEqual(['log', 'read-index', 'lease', 'serializable']);
  for (const points of Object.values(d.reads!)) {
    expect((points as unknown[]).length).toBe(READ_CONCURRENCIES.length);
    for (const p of points as unknown[])
      expect(p).toEqual({ concurrency: num, reads_per_s: num, p99_ms: num, rounds_per_read: num });
  }
  expect(Object.keys(d.fcr!)).toEqual(['coarse', 'rwlock', 'concurrent']);
  for (const m of Object.values(d.fcr!))
    expect(m).toEqual({ cheap_read_p99_ms: num, expensive_read_p99_ms: num, write_p99_ms: num });
  expect(d.leader_transfer).toEqual({ graceful_gap_ms: num, crash_gap_ms: num });
  expect(Object.keys(d.tuning!).length).toBeGreaterThan(1);
  for (const t of Object.values(d.tuning!))
    expect(t).toEqual({ leader_changes_per_min: num, failed_proposals: num });
  expect(Array.isArray(d.batching)).toBe(true);
  for (const b of d.batching as unknown as unknown[])
    expect(b).toEqual({
      batch_interval_ms: num,
      batch_limit: num,
      write_p99_ms: num,
      writes_per_s: num,
    });
}
