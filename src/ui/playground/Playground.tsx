import { useEffect, useState } from 'react';
import { ThemeSelect } from '../ThemeSelect';
import { ClientBar } from './ClientBar';
import { ClusterView } from './ClusterView';
import { ComparePage, ReadPathsBar, isCompare } from './ComparePaths';
import { Controls } from './Controls';
import { EventFeed } from './EventFeed';
import { Inspector } from './Inspector';
import {
  ChartsPanel,
  ConsolePanel,
  FormsPanel,
  HistoryPanel,
  MetricsPanel,
  StoragePanel,
} from './lazy-panels';
import { MessagePanel } from './MessagePanel';
import { Presets } from './Presets';
import { Settings } from './Settings';
import { StoriesPanel, StoryCard } from './Stories';
import { RunInfo, TraceHash } from './RunInfo';
import { stepEvent } from './actions';
import { SPEEDS, usePlayground } from './store';
import { usePlayLoop } from './usePlayLoop';
import { useSession } from './useSession';

const SHORTCUTS: [string, string][] = [
  ['Space', 'play or pause'],
  ['→', 'step to the next event'],
  ['+ / -', 'faster / slower'],
  ['Escape', 'deselect the node, close this help'],
  ['?', 'show or hide this help'],
];

function useShortcuts(toggleHelp: () => void, closeHelp: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA'))
        return;
      const st = usePlayground.getState();
      if (
        e.key === ' ' &&
        !(t && (t.tagName === 'BUTTON' || t.getAttribute('role') === 'button'))
      ) {
        e.preventDefault();
        st.set({ playing: !st.playing });
      } else if (e.key === 'ArrowRight') {
        e.preventDefault();
        void stepEvent();
      } else if (e.key === '?') {
        toggleHelp();
      } else if (e.key === 'Escape') {
        st.set({ selectedNode: null });
        closeHelp();
      } else if (e.key === '+' || e.key === '-') {
        const i = SPEEDS.indexOf(st.speed) + (e.key === '+' ? 1 : -1);
        const next = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i))];
        if (next !== undefined) st.set({ speed: next });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggleHelp, closeHelp]);
}

/**
 * Embed mode (`?embed`, e.g. `/?embed#<share fragment>`): one scenario without the chrome, for
 * docs and slides; the cluster, the time controls and the trace hash, sized to the window.
 */
function isEmbed(): boolean {
  return new URLSearchParams(window.location.search).has('embed');
}

function Embedded() {
  const banner = usePlayground((s) => s.banner);
  return (
    <div className="playground embed">
      {banner && (
        <div className="banner" role="alert" data-testid="banner">
          <span>{banner}</span>
        </div>
      )}
      <main className="view">
        <ClusterView />
        <Controls />
        <TraceHash />
      </main>
    </div>
  );
}

export function Playground() {
  const [compare] = useState(isCompare);
  return compare ? <ComparePage /> : <LivePlayground />;
}

function LivePlayground() {
  useSession();
  usePlayLoop();
  const banner = usePlayground((s) => s.banner);
  const set = usePlayground((s) => s.set);
  const [help, setHelp] = useState(false);
  const [embed] = useState(isEmbed);
  useShortcuts(
    () => setHelp((h) => !h),
    () => setHelp(false),
  );
  if (embed) return <Embedded />;
  return (
    <div className="playground">
      <header className="app-header">
        <h1>raftlab</h1>
        <p className="tagline">An etcd-style Raft cluster in your browser tab.</p>
        <button
          type="button"
          className="help-button"
          onClick={() => setHelp(true)}
          aria-haspopup="dialog"
        >
          Keys (?)
        </button>
        <ThemeSelect />
      </header>
      {banner && (
        <div className="banner" role="alert" data-testid="banner">
          <span>{banner}</span>
          <button type="button" onClick={() => set({ banner: null })} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      <main className="stage">
        <div className="view">
          <ClusterView />
          <ReadPathsBar />
          <Presets />
          <Controls />
          <StoryCard />
          <EventFeed />
          <StoriesPanel />
          <HistoryPanel />
          <ConsolePanel />
          <FormsPanel />
          <ChartsPanel />
          <StoragePanel />
          <MetricsPanel />
        </div>
        <aside className="side">
          <RunInfo />
          <MessagePanel />
          <Inspector />
          <ClientBar />
          <Settings />
        </aside>
      </main>
      {help && (
        <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title">
          <div className="panel">
            <h2 id="help-title">Keyboard shortcuts</h2>
            <dl className="facts">
              {SHORTCUTS.map(([k, what]) => (
                <div key={k} className="row">
                  <dt>
                    <kbd>{k}</kbd>
                  </dt>
                  <dd>{what}</dd>
                </div>
              ))}
            </dl>
            <p className="hint">
              Click a link to cut it (shift-click: one way); click a node to act on it.
            </p>
            <button type="button" onClick={() => setHelp(false)} autoFocus>
              Close
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
