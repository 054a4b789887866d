import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../sim/conductor';
import { STORIES, locateCheckpoints, type Story } from '../../stories';
import {
  checkpointAt,
  dismiss,
  feedRecords,
  resumeStory,
  showCheckpoint,
  startStory,
  stopBefore,
  type StoryProgress,
} from './story-player';

const story: Story = {
  ...STORIES[0]!,
  checkpoints: [
    { title: 'pre', narration: 'a', on: { kind: 'state', where: { to: 'StatePreCandidate' } } },
    { title: 'third beat', narration: 'b', on: { kind: 'send', where: { type: 'hb' }, nth: 3 } },
    { title: 'crash', narration: 'c', atUs: 5_000 },
    { title: 'fallback', narration: 'd', on: { kind: 'never' }, atUs: 7_000 },
  ],
};

const trace: TraceRecord[] = [
  { atUs: 100, kind: 'state', to: 'StateFollower' },
  { atUs: 200, kind: 'state', to: 'StatePreCandidate' },
  { atUs: 300, kind: 'send', type: 'hb' },
  { atUs: 400, kind: 'send', type: 'vote' },
  { atUs: 500, kind: 'send', type: 'hb' },
  { atUs: 600, kind: 'send', type: 'hb' },
  { atUs: 8_000, kind: 'tick' },
];

const feed = (p: StoryProgress, n: number) => feedRecords(p, n, (i) => trace[i]);

describe('story player', () => {
  it('finds each checkpoint where locateCheckpoints does, fed in any number of pieces', () => {
    let p = startStory(story);
    for (let n = 1; n <= trace.length; n++) p = feed(p, n);
    const all = feed(startStory(story), trace.length);
    const expected = locateCheckpoints(story.checkpoints, trace);
    expect(expected).toEqual([200, 600, 5_000, 7_000]);
    expect(story.checkpoints.map((_, k) => checkpointAt(p, k))).toEqual(expected);
    expect(story.checkpoints.map((_, k) => checkpointAt(all, k))).toEqual(expected);
  });

  it('counts matches for nth, and an unmatched on falls back to atUs only once passed', () => {
    let p = feed(startStory(story), 5);
    expect(p.seen[1]).toBe(2);
    expect(checkpointAt(p, 1)).toBeUndefined();
    expect(checkpointAt(p, 2)).toBe(5_000); // a plain time is known ahead
    expect(checkpointAt(p, 3)).toBeUndefined(); // its record may yet come
    p = feed(p, trace.length);
    expect(checkpointAt(p, 1)).toBe(600);
    expect(checkpointAt(p, 3)).toBe(7_000);
  });

  it('pauses at each checkpoint once, in order, and navigation moves the next pause', () => {
    let p = feed(startStory(story), 3);
    expect(stopBefore(p, 150)).toBeUndefined();
    expect(stopBefore(p, 1_000)).toEqual({ index: 0, atUs: 200 });
    p = showCheckpoint(p, 0);
    expect(p.shown).toBe(0);
    expect(stopBefore(p, 1_000)).toBeUndefined(); // the third heartbeat has not come yet
    p = dismiss(feed(p, 6));
    expect(p.shown).toBeUndefined();
    expect(stopBefore(p, 10_000)).toEqual({ index: 1, atUs: 600 });
    p = showCheckpoint(p, 1);
    expect(stopBefore(p, 10_000)).toEqual({ index: 2, atUs: 5_000 });
    p = showCheckpoint(p, 3); // jumped ahead
    expect(stopBefore(p, 10_000)).toBeUndefined();
    p = showCheckpoint(p, 0); // and back: the later ones pause again
    expect(stopBefore(p, 10_000)).toEqual({ index: 1, atUs: 600 });
  });

  it('feeding nothing new returns the same progress', () => {
    const p = feed(startStory(story), 3);
    expect(feed(p, 3)).toBe(p);
  });

  it('resumes a story at a moment of its run (a share link)', () => {
    const at = (i: number) => trace[i];
    // At 5 ms: checkpoints 1-3 are behind the view; the next pause is the fallback at 7 ms.
    const mid = resumeStory(story, 'size-4', trace.length, at, 5_000);
    expect(mid.variant).toBe('size-4');
    expect(mid.scanned).toBe(trace.length);
    expect(mid.next).toBe(3);
    expect(mid.shown).toBeUndefined();
    // With a checkpoint on show: that one, and the pause after it.
    const shown = resumeStory(story, undefined, trace.length, at, 600, 1);
    expect(shown.shown).toBe(1);
    expect(shown.next).toBe(2);
    expect(resumeStory(story, undefined, 0, at, 0).next).toBe(0);
  });
});
