// Reading and writing the scenario in the URL fragment. Input is untrusted: every way a link can
// be bad ends in a message for the person and a working default cluster, never a broken page.
import { LinkError, decodeFragment } from '../../scenario/link-codec';
import { scenarioFragment } from '../../scenario/share-link';
import {
  DEFAULT_SETTINGS,
  ScenarioError,
  parseScenario,
  type Scenario,
} from '../../scenario/schema';
import { storyById, type Story } from '../../stories';

/** The playground's own default: etcd's settings, with links slow enough to watch messages. */
export function playgroundScenario(seed: number): Scenario {
  return {
    version: 1,
    seed,
    settings: {
      ...DEFAULT_SETTINGS,
      networkLatencyMs: 10,
      networkJitterMs: 2,
      fsyncMs: 4,
      unsafe: [],
    },
    workloads: [],
    actions: [],
    cursorUs: 0,
  };
}

/**
 * A story open when the link was made: which one, which variant, and the checkpoint on show (if
 * one was). It rides in the link beside the scenario's fields, as `story`.
 */
export interface StoryRef {
  id: string;
  variant?: string;
  checkpoint?: number;
}

/** A link's story, found: the story, its variant's name, the checkpoint to show. */
export interface LinkedStory {
  story: Story;
  variant: string | undefined;
  checkpoint: number | undefined;
}

export type Opened =
  | { kind: 'fresh'; scenario: Scenario }
  | { kind: 'link'; scenario: Scenario; story?: LinkedStory; message?: string }
  | { kind: 'bad-link'; scenario: Scenario; message: string };

const MAX_STORY_ID_CHARS = 64;

/**
 * The story a link names, checked: a damaged or unknown story leaves the run to open without
 * its narration, and says why.
 */
function linkedStory(raw: unknown): { story?: LinkedStory; message?: string } {
  const cannot = (why: string) => ({
    message: `This link's story could not be opened: ${why} The run opens without its narration.`,
  });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return cannot('its story part is not a story reference.');
  const ref = raw as Record<string, unknown>;
  if (typeof ref.id !== 'string' || ref.id.length === 0 || ref.id.length > MAX_STORY_ID_CHARS)
    return cannot('it names no story id.');
  const story = storyById(ref.id);
  if (!story) {
    const shown = ref.id.replace(/[^\x20-\x7e]/g, '?');
    return cannot(`raftlab has no story "${shown}".`);
  }
  let variant: string | undefined;
  if (ref.variant !== undefined) {
    if (typeof ref.variant !== 'string' || !story.variants.some((v) => v.name === ref.variant))
      return cannot(`story ${story.number} has no such variant.`);
    variant = ref.variant;
  }
  let checkpoint: number | undefined;
  if (ref.checkpoint !== undefined) {
    const k = ref.checkpoint;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= story.checkpoints.length)
      return cannot(`story ${story.number} has no checkpoint ${JSON.stringify(k)}.`);
    checkpoint = k;
  }
  return { story: { story, variant, checkpoint } };
}

export async function scenarioFromFragment(fragment: string, freshSeed: number): Promise<Opened> {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (text === '') return { kind: 'fresh', scenario: playgroundScenario(freshSeed) };
  try {
    const doc = await decodeFragment(text);
    if (typeof doc !== 'object' || doc === null || !('story' in doc))
      return { kind: 'link', scenario: parseScenario(doc) };
    const { story: raw, ...rest } = doc as Record<string, unknown>;
    return { kind: 'link', scenario: parseScenario(rest), ...linkedStory(raw) };
  } catch (err) {
    const detail =
      err instanceof LinkError || err instanceof ScenarioError
        ? err.message
        : 'The link could not be read.';
    return {
      kind: 'bad-link',
      scenario: playgroundScenario(freshSeed),
      message: `This link could not be opened: ${detail} A fresh cluster is running instead.`,
    };
  }
}

/** The link's fragment; throws a LinkError when it would be too long to open (share-link.ts). */
export async function fragmentFor(scenario: Scenario, story?: StoryRef): Promise<string> {
  return '#' + (await scenarioFragment(story ? { ...scenario, story } : scenario));
}
