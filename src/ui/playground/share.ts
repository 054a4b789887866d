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

export type Opened =
  | { kind: 'fresh'; scenario: Scenario }
  | { kind: 'link'; scenario: Scenario }
  | { kind: 'bad-link'; scenario: Scenario; message: string };

export async function scenarioFromFragment(fragment: string, freshSeed: number): Promise<Opened> {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (text === '') return { kind: 'fresh', scenario: playgroundScenario(freshSeed) };
  try {
    return { kind: 'link', scenario: parseScenario(await decodeFragment(text)) };
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
export async function fragmentFor(scenario: Scenario): Promise<string> {
  return '#' + (await scenarioFragment(scenario));
}
