import { useMemo, useRef, useState } from 'react';
import { ScenarioError, parseScenario } from '../../scenario/schema';
import type { Session } from '../../sim/session';
import { formatUs } from './geometry';
import { exclusive } from './exclusive';
import { fragmentFor, type StoryRef } from './share';
import { closeSession, openSession } from './useSession';
import { usePlayground } from './store';

/** The story open on `session`, for a share link: its id, variant and checkpoint on show. */
function storyRef(session: Session): StoryRef | undefined {
  const open = usePlayground.getState().story;
  if (!open || open.session !== session) return undefined;
  const { story, variant, shown } = open.progress;
  return {
    id: story.id,
    ...(variant !== undefined ? { variant } : {}),
    ...(shown !== undefined ? { checkpoint: shown } : {}),
  };
}

/** Largest scenario file accepted for import. */
const MAX_IMPORT_BYTES = 4 * 1024 * 1024;

/**
 * The trace hash at the view time: the conductor's own at the head; recomputed from the trace
 * when looking at the past, and only while paused (it walks the whole trace).
 */
export function useTraceHash(): string {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  const tick = usePlayground((s) => s.tick);
  const playing = usePlayground((s) => s.playing);
  const atHead = session !== null && viewUs >= session.nowUs;
  return useMemo(() => {
    void tick; // the head's hash moves with the run
    if (!session) return '';
    if (atHead) return session.traceHash;
    return playing ? '…' : session.timeline.traceHashAt(viewUs);
  }, [session, viewUs, atHead, playing, tick]);
}

/** The run's trace hash alone (embed mode's run info). */
export function TraceHash() {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  const hash = useTraceHash();
  if (!session) return null;
  return (
    <p className="embed-info">
      {formatUs(viewUs)} · trace hash <code data-testid="trace-hash">{hash}</code>
    </p>
  );
}

export function RunInfo() {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  const [copied, setCopied] = useState('');
  const file = useRef<HTMLInputElement>(null);
  const hash = useTraceHash();

  if (!session) return null;
  // The actions a link from here carries (what the person did, settings changes included).
  const recorded = session.scenario.actions.filter((a) => a.atUs <= viewUs);
  const last = recorded.at(-1);
  const copyLink = async () => {
    let fragment: string;
    try {
      fragment = await fragmentFor(session.toScenario(viewUs), storyRef(session));
    } catch (err) {
      setCopied(err instanceof Error ? err.message : String(err));
      return;
    }
    history.replaceState(null, '', fragment);
    const url = `${location.origin}${location.pathname}${fragment}`;
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Link copied.');
    } catch {
      setCopied('The address bar holds the link (the clipboard was not available).');
    }
  };
  const exportJson = () => {
    const blob = new Blob([JSON.stringify(session.toScenario(viewUs), null, 2)], {
      type: 'application/json',
    });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `raftlab-seed-${session.scenario.seed}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  const importJson = (f: File) => exclusive(() => importNow(f));
  const importNow = async (f: File) => {
    const st = usePlayground.getState();
    try {
      if (f.size > MAX_IMPORT_BYTES)
        throw new ScenarioError(
          '',
          `the file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB`,
        );
      const scenario = parseScenario(JSON.parse(await f.text()));
      st.set({ busy: true, playing: false });
      const next = await openSession(scenario);
      await closeSession(st.session);
      usePlayground
        .getState()
        .set({ session: next, viewUs: next.nowUs, banner: null, busy: false });
    } catch (err) {
      usePlayground.getState().set({
        busy: false,
        banner: `That file could not be imported: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  };
  return (
    <section className="panel" aria-labelledby="run-title">
      <h2 id="run-title">Run</h2>
      <dl className="facts">
        <dt>seed</dt>
        <dd data-testid="seed">{session.scenario.seed}</dd>
        <dt>simulated time</dt>
        <dd>{formatUs(viewUs)}</dd>
        <dt>actions</dt>
        <dd data-testid="actions">
          {last ? `${recorded.length}, the last ${last.kind} at ${formatUs(last.atUs)}` : 'none'}
        </dd>
        <dt>trace hash</dt>
        <dd>
          <code data-testid="trace-hash">{hash}</code>
        </dd>
      </dl>
      <div className="buttons">
        <button type="button" onClick={() => void copyLink()}>
          Copy link
        </button>
        <button type="button" onClick={exportJson}>
          Export JSON
        </button>
        <button type="button" onClick={() => file.current?.click()}>
          Import JSON
        </button>
        <input
          ref={file}
          type="file"
          accept="application/json,.json"
          hidden
          aria-label="Import a run from a JSON file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void importJson(f);
            e.target.value = '';
          }}
        />
      </div>
      <p className="hint" aria-live="polite">
        {copied}
      </p>
    </section>
  );
}
