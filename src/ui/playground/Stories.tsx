// The built-in stories (issue 9), one click away: a panel listing them, and, while one is open, a
// card that tells it: play pauses at each checkpoint (story-player.ts, usePlayLoop.ts) and the
// card shows its narration, with the way on and back, and what the story measures: the figures
// of the run in this tab, beside the ones the benchmark published and the article's trend.
// Every string is rendered as text.
import { useId, useMemo, useState } from 'react';
import publishedJson from '../../../bench/results/stories.json';
import type { Session } from '../../sim/session';
import { STORIES, type Story } from '../../stories';
import { STORY_FIGURES, storyRunOf } from '../../stories/figures';
import { DisclosurePanel } from './Disclosure';
import { exclusive } from './exclusive';
import { formatUs } from './geometry';
import { checkpointAt, dismiss, showCheckpoint, startStory } from './story-player';
import { usePlayground, type PlaygroundState } from './store';
import { TableHead } from './TableHead';
import { closeSession, openSession } from './useSession';

const published = publishedJson as Record<string, unknown>;

/** Opens `story` (or its variant `variantName`) from time 0 and plays it. */
export function openStory(story: Story, variantName?: string): Promise<void> {
  return exclusive(async () => {
    const variant = story.variants.find((v) => v.name === variantName);
    const st = usePlayground.getState();
    st.set({ busy: true, playing: false });
    try {
      const next = await openSession({ ...(variant ?? story).scenario(), cursorUs: 0 });
      await closeSession(st.session);
      usePlayground.getState().set({
        session: next,
        viewUs: next.nowUs,
        selectedNode: null,
        selectedMessage: null,
        group: [],
        banner: null,
        busy: false,
        playing: true,
        story: { session: next, progress: startStory(story, variant?.name) },
      });
    } catch (err) {
      usePlayground.getState().set({
        busy: false,
        banner: `The story could not start: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  });
}

export function StoriesPanel() {
  return (
    <DisclosurePanel name="stories" title="Stories">
      <ol id="stories-body" className="story-list">
        {STORIES.map((s) => (
          <StoryItem key={s.id} story={s} />
        ))}
      </ol>
    </DisclosurePanel>
  );
}

function StoryItem({ story }: { story: Story }) {
  const [variant, setVariant] = useState('');
  const busy = usePlayground((s) => s.busy);
  const selectId = useId();
  return (
    <li className="story-item" data-testid={`story-${story.id}`}>
      <h3>
        {story.number}. {story.title}
      </h3>
      <p>{story.summary}</p>
      <ul className="hint story-articles" aria-label="From">
        {story.articles.map((a) => (
          <li key={`${a.seed ?? 'raft'}-${a.where ?? ''}`}>
            {a.seed !== undefined ? `Article ${String(a.seed).padStart(3, '0')}: ` : ''}
            {a.title}
            {a.where ? ` (${a.where})` : ''}
          </li>
        ))}
      </ul>
      <div className="buttons">
        {story.variants.length > 0 && (
          <>
            <label htmlFor={selectId}>Variant</label>
            <select id={selectId} value={variant} onChange={(e) => setVariant(e.target.value)}>
              <option value="">as told</option>
              {story.variants.map((v) => (
                <option key={v.name} value={v.name}>
                  {v.label}
                </option>
              ))}
            </select>
          </>
        )}
        <button
          type="button"
          disabled={busy}
          aria-label={`Open story ${story.number}`}
          onClick={() => void openStory(story, variant || undefined)}
        >
          Open
        </button>
      </div>
    </li>
  );
}

/** The open story's card: the checkpoint on show, the way on and back, and the results. */
export function StoryCard() {
  const session = usePlayground((s) => s.session);
  const open = usePlayground((s) => s.story);
  const viewUs = usePlayground((s) => s.viewUs);
  const playing = usePlayground((s) => s.playing);
  if (!open || open.session !== session) return null;
  const { progress } = open;
  const { story } = progress;
  const cps = story.checkpoints;
  // Played on (Space, Play) from a checkpoint: the card says where play goes next.
  const shown = playing ? undefined : progress.shown;
  const cp = shown !== undefined ? cps[shown] : undefined;
  // Navigation counts from the last checkpoint shown or passed.
  const from = progress.next - 1;
  const variant = story.variants.find((v) => v.name === progress.variant);
  const set = (patch: Partial<PlaygroundState>) => usePlayground.getState().set(patch);
  const jump = (k: number) => {
    const at = checkpointAt(progress, k);
    // (a checkpoint at a time is not reached before the run gets there)
    if (at === undefined || at > open.session.nowUs) {
      // Not reached yet: play on until it is (the ones before it pause on the way no more).
      set({ story: { ...open, progress: dismiss({ ...progress, next: k }) }, playing: true });
      return;
    }
    set({ story: { ...open, progress: showCheckpoint(progress, k) }, viewUs: at, playing: false });
  };
  const cont = () => set({ story: { ...open, progress: dismiss(progress) }, playing: true });
  const close = () => set({ story: null });
  const figures = story.results.jsonKey ? published[story.results.jsonKey] : undefined;
  return (
    <section
      className="panel story-card"
      aria-labelledby="story-card-title"
      data-testid="story-card"
    >
      <h2 id="story-card-title">
        Story {story.number}: {story.title}
        {variant ? ` (${variant.label})` : ''}
      </h2>
      <div aria-live="polite" data-testid="story-checkpoint">
        {cp ? (
          <>
            <h3>
              Checkpoint {shown! + 1} of {cps.length}: {cp.title}{' '}
              <span className="hint">at {formatUs(viewUs)}</span>
            </h3>
            <p className="story-narration">{cp.narration}</p>
          </>
        ) : (
          <p className="hint">
            {progress.next < cps.length
              ? `Next: checkpoint ${progress.next + 1} of ${cps.length}, ${cps[progress.next]!.title}.`
              : 'Every checkpoint passed: the run goes on as long as you play it.'}
          </p>
        )}
      </div>
      <div className="buttons" role="group" aria-label="Story checkpoints">
        <button type="button" disabled={from <= 0} onClick={() => jump(from - 1)}>
          Previous
        </button>
        <button type="button" disabled={cp === undefined} onClick={cont}>
          Continue
        </button>
        <button type="button" disabled={from + 1 >= cps.length} onClick={() => jump(from + 1)}>
          Next checkpoint
        </button>
        <button type="button" onClick={close}>
          Close story
        </button>
      </div>
      <details className="story-results">
        <summary>Results</summary>
        <h3>Measures</h3>
        <ul>
          {story.results.measures.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
        <p>
          <strong>Expect (the article):</strong> {story.results.expect}
        </p>
        <MeasuredFigures story={story} variantLabel={variant?.label} session={session} />
        {figures !== undefined && (
          <>
            <h3>Published figures</h3>
            <p className="hint">every variant, measured by npm run bench -- stories</p>
            <Figures value={figures} />
          </>
        )}
      </details>
    </section>
  );
}

/**
 * The story's figures measured from the run in this tab, up to the viewed time: the same
 * functions the benchmark runs (src/stories/figures.ts). Measured while paused only (it reads
 * the whole trace).
 */
function MeasuredFigures({
  story,
  variantLabel,
  session,
}: {
  story: Story;
  variantLabel: string | undefined;
  session: Session;
}) {
  const playing = usePlayground((s) => s.playing);
  const viewUs = usePlayground((s) => s.viewUs);
  const measure = STORY_FIGURES[story.id];
  const measured = useMemo(() => {
    if (playing || !measure) return undefined;
    const run = storyRunOf(session, viewUs);
    return { atUs: run.session.nowUs, row: measure(run) };
  }, [measure, session, playing, viewUs]);
  if (!measure) return null;
  return (
    <div data-testid="story-measured">
      <h3>Measured in this tab</h3>
      {measured ? (
        <>
          <p className="hint">
            this run ({variantLabel ?? 'as told'}), up to {formatUs(measured.atUs)}
          </p>
          <FigureTable rows={[measured.row]} />
        </>
      ) : (
        <p className="hint">Pause to measure this run.</p>
      )}
    </div>
  );
}

type Cell = string | number | boolean | null;
const isCell = (v: unknown): v is Cell =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v);

type Row = Record<string, unknown>;
const isRow = (v: unknown): v is Row =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(isCell);

/** Rows as a table; `names`, when given, head each row. */
function FigureTable({ rows, names }: { rows: Row[]; names?: string[] }) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <table className="figures">
      <TableHead cols={names ? ['', ...cols] : cols} />
      <tbody>
        {rows.map((r, i) => (
          <tr key={names?.[i] ?? i}>
            {names && <th scope="row">{names[i]}</th>}
            {cols.map((c) => (
              <td key={c}>{String(r[c] ?? '')}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * JSON figures as text: a list of flat rows, or an object of them, as a table; any other object
 * as a list of terms.
 */
function Figures({ value }: { value: unknown }) {
  if (isCell(value)) return <>{String(value)}</>;
  if (Array.isArray(value)) {
    const rows: unknown[] = value;
    if (rows.length > 0 && rows.every(isRow)) return <FigureTable rows={rows} />;
    return <>{rows.map((r) => (isCell(r) ? String(r) : JSON.stringify(r))).join(', ')}</>;
  }
  if (value === null || typeof value !== 'object') return null;
  const entries = Object.entries(value);
  if (entries.length > 0 && entries.every(([, v]) => isRow(v)))
    return <FigureTable rows={entries.map(([, v]) => v as Row)} names={entries.map(([k]) => k)} />;
  return (
    <dl className="facts figures">
      {entries.map(([k, v]) => (
        <div key={k} className="row">
          <dt>{k}</dt>
          <dd>
            <Figures value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
