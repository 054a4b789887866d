// Share links that carry a story: the story reopens where it was; a damaged or unknown story
// leaves the run to open without it, with a message that says why.
import { describe, expect, it } from 'vitest';
import { encodeFragment } from '../../scenario/link-codec';
import { storyById } from '../../stories';
import { fragmentFor, scenarioFromFragment } from './share';

const tuning = storyById('tuning')!;
const scenario = { ...tuning.variants[2]!.scenario(), cursorUs: 2_000_000 };

describe('share links with a story', () => {
  it('carry the story, its variant and the checkpoint on show, beside the scenario', async () => {
    const ref = { id: 'tuning', variant: tuning.variants[2]!.name, checkpoint: 1 };
    const opened = await scenarioFromFragment(await fragmentFor(scenario, ref), 7);
    expect(opened.kind).toBe('link');
    if (opened.kind !== 'link') return;
    expect(opened.scenario).toEqual(scenario);
    expect(opened.message).toBeUndefined();
    expect(opened.story?.story).toBe(tuning);
    expect(opened.story?.variant).toBe(ref.variant);
    expect(opened.story?.checkpoint).toBe(1);
  });

  it('without a story are the scenario alone, as before', async () => {
    const opened = await scenarioFromFragment(await fragmentFor(scenario), 7);
    expect(opened).toEqual({ kind: 'link', scenario });
  });

  it.each([
    [{ id: 'tunning' }, 'raftlab has no story "tunning".'],
    [{ id: 'x\u0000y' }, 'raftlab has no story "x?y".'],
    [{ id: 42 }, 'it names no story id.'],
    ['tuning', 'its story part is not a story reference.'],
    [{ id: 'tuning', variant: 'fast' }, 'story 9 has no such variant.'],
    [{ id: 'tuning', checkpoint: 9 }, 'story 9 has no checkpoint 9.'],
  ])('a mangled story %j opens the run without it and says why', async (story, why) => {
    const opened = await scenarioFromFragment(await encodeFragment({ ...scenario, story }), 7);
    expect(opened.kind).toBe('link');
    if (opened.kind !== 'link') return;
    expect(opened.scenario).toEqual(scenario);
    expect(opened.story).toBeUndefined();
    expect(opened.message).toBe(
      `This link's story could not be opened: ${why} The run opens without its narration.`,
    );
  });
});
