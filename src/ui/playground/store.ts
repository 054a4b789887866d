// The playground's state: one zustand store. The simulation itself lives in the Session; the
// store holds what the view needs to know about it and a `tick` counter that moves whenever the
// session does, so components re-render from the session's timeline.
import { create } from 'zustand';
import type { Session } from '../../sim/session';
import type { StoryProgress } from './story-player';

export const SPEEDS = [0.001, 0.01, 0.05, 0.1, 0.25, 1, 4, 16, 100, Infinity] as const;
export type Speed = (typeof SPEEDS)[number];

export interface QuickResult {
  text: string;
  ok: boolean;
}

/** A story opened in the playground: its progress, for the run it opened (see Stories.tsx). */
export interface OpenStory {
  session: Session;
  progress: StoryProgress;
}

/** One entry of the console's scrollback: a command as typed, or what it printed. */
export interface ConsoleLine {
  id: number;
  kind: 'input' | 'output' | 'error';
  text: string;
}

export interface PlaygroundState {
  session: Session | null;
  /** The simulated time the view shows (may be behind the head of the run). */
  viewUs: number;
  playing: boolean;
  speed: Speed;
  selectedNode: number | null;
  selectedMessage: number | null;
  /** Nodes shift-clicked into a group, to partition from the rest. */
  group: number[];
  banner: string | null;
  quick: QuickResult | null;
  /** The console's scrollback (Console.tsx), oldest first. */
  consoleLines: ConsoleLine[];
  /** Commands typed into the console, oldest first (its up/down history). */
  consoleHistory: string[];
  /** Bumped whenever the session moves, so views derived from it re-render. */
  tick: number;
  busy: boolean;
  /** The story being told, if any; it belongs to `session` only while `story.session` is it. */
  story: OpenStory | null;
  set(patch: Partial<PlaygroundState>): void;
  bump(): void;
}

export const usePlayground = create<PlaygroundState>((set) => ({
  session: null,
  viewUs: 0,
  playing: false,
  speed: 0.1,
  selectedNode: null,
  selectedMessage: null,
  group: [],
  banner: null,
  quick: null,
  consoleLines: [],
  consoleHistory: [],
  tick: 0,
  busy: false,
  story: null,
  set: (patch) => set(patch),
  bump: () => set((s) => ({ tick: s.tick + 1 })),
}));

export function speedLabel(s: Speed): string {
  if (s === Infinity) return 'max';
  return s >= 1 ? `${s}x` : `1/${Math.round(1 / s)}x`;
}
