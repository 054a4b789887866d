// Two read paths side by side (issue 7), at `?compare=<path>,<path>` with the run in the URL
// fragment (story 5's sixteen readers when there is none), so a teacher can share it. The same
// scenario and seed run twice in this tab, one in-process Session per read path (compare.ts says
// what each side runs), advancing together in simulated time; each side draws its cluster with its
// read rounds, and a table compares reads per second, p99 latency and rounds per read.
import { useEffect, useMemo, useRef, useState } from 'react';
import { READ_PATHS } from '../../stories';
import type { ReadPath, Scenario } from '../../scenario/schema';
import { Session } from '../../sim/session';
import { ClusterDiagram } from './ClusterView';
import {
  COMPARE_FLAG,
  PATH_TITLES,
  compareScenario,
  compareUrl,
  defaultCompareBase,
  otherPath,
  parseCompareFlag,
  readsStartUs,
  type ComparePaths,
} from './compare';
import { formatUs } from './geometry';
import { ReadLegend } from './ReadLayer';
import { readRoundsOf, type ReadStats } from './read-rounds';
import { fragmentFor, scenarioFromFragment } from './share';
import { settingsAt } from './actions';
import { usePlayground } from './store';
import './read-paths.css';

const SPEEDS: [number, string][] = [
  [0.01, '1/100x'],
  [0.05, '1/20x'],
  [0.1, '1/10x'],
  [0.25, '1/4x'],
  [1, '1x'],
];
/** Wall time per frame each side may use to catch up. */
const BUDGET_MS = 5;
/** The comparison table is recomputed once per this much simulated time (it sorts latencies). */
const STATS_EVERY_US = 50_000;

export function isCompare(): boolean {
  return new URLSearchParams(window.location.search).has(COMPARE_FLAG);
}

interface Side {
  path: ReadPath;
  session: Session;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Reads the paths from the URL and the run from its fragment; a bad part says so. */
async function fromUrl(): Promise<{ paths: ComparePaths; base: Scenario; notes: string[] }> {
  const notes: string[] = [];
  let paths: ComparePaths = ['read-index', 'log'];
  try {
    paths = parseCompareFlag(new URLSearchParams(window.location.search).get(COMPARE_FLAG) ?? '');
  } catch (err) {
    notes.push(`${message(err)}. Comparing read-index with log instead.`);
  }
  let base = defaultCompareBase();
  if (window.location.hash.length > 1) {
    const opened = await scenarioFromFragment(window.location.hash, 0);
    if (opened.kind === 'link') base = opened.scenario;
    else if (opened.kind === 'bad-link')
      notes.push(opened.message.replace('A fresh cluster is running', 'Story 5’s readers run'));
  }
  return { paths, base, notes };
}

export function ComparePage() {
  const [setup, setSetup] = useState<{ paths: ComparePaths; base: Scenario } | null>(null);
  const [notes, setNotes] = useState<string[]>([]);
  const [sides, setSides] = useState<Side[] | null>(null);
  const [viewUs, setViewUs] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(0.05);

  useEffect(() => {
    void fromUrl().then(({ paths, base, notes: n }) => {
      setNotes(n);
      setSetup({ paths, base });
    });
  }, []);

  useEffect(() => {
    if (!setup) return;
    let live = true;
    const started: Session[] = [];
    (async () => {
      const made = setup.paths.map((p) => compareScenario(setup.base, p));
      for (const m of made) started.push(await Session.start(m.scenario));
      // Both run ahead to just before the reads start: the first screen has reads beginning.
      const fromUs = Math.max(0, readsStartUs(made[0]!.scenario) - 20_000);
      for (const s of started) await s.runTo(fromUs);
      if (!live) return;
      if (made[0]!.added)
        setNotes((n) => [...n, 'This run has no readers of its own: 16 clients read from 1.5 s.']);
      setSides(started.map((session, i) => ({ path: setup.paths[i]!, session })));
      setViewUs(fromUs);
      setPlaying(!window.matchMedia('(prefers-reduced-motion: reduce)').matches);
      // The address names exactly what is shown, to share.
      const url = compareUrl(setup.paths, await fragmentFor(setup.base));
      if (live) window.history.replaceState(null, '', url);
    })().catch((err: unknown) => {
      if (live) setNotes((n) => [...n, `The runs could not start: ${message(err)}`]);
    });
    return () => {
      live = false;
      setSides(null);
      for (const s of started) void s.dispose();
    };
  }, [setup]);

  useCompareLoop(sides, playing, speed, viewUs, setViewUs, (err) => {
    setPlaying(false);
    setNotes((n) => [...n, `The runs stopped: ${message(err)}`]);
  });

  const choose = (i: number, path: ReadPath) => {
    if (!setup) return;
    const paths = [...setup.paths] as ComparePaths;
    paths[i] = path;
    setSetup({ ...setup, paths });
  };
  const back = setup ? `./${window.location.hash}` : './';
  return (
    <div className="compare-page">
      <header className="app-header">
        <h1>Compare read paths</h1>
        <p className="tagline">
          {setup?.base.title ?? 'The same run'}, seed {setup?.base.seed ?? '…'}: the same workload
          under two read paths, side by side in simulated time.
        </p>
        <a href={back}>Back to the playground</a>
      </header>
      {notes.map((n) => (
        <div key={n} className="banner" role="alert">
          <span>{n}</span>
        </div>
      ))}
      <div className="controls" role="toolbar" aria-label="Time">
        <button type="button" disabled={!sides} onClick={() => setPlaying(!playing)}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <label>
          Speed{' '}
          <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {SPEEDS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <span className="time" data-testid="compare-time">
          {formatUs(viewUs)}
        </span>
        {setup?.paths.map((p, i) => (
          <label key={i}>
            {i === 0 ? 'Left' : 'Right'} read path{' '}
            <select value={p} onChange={(e) => choose(i, e.target.value as ReadPath)}>
              {READ_PATHS.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          </label>
        ))}
      </div>
      {sides ? (
        <>
          <div className="compare-sides">
            {sides.map((s, i) => (
              <section
                key={`${i}-${s.path}`}
                className="compare-side"
                data-testid={`compare-side-${i}`}
                data-path={s.path}
              >
                <h2>{s.path}</h2>
                <p className="hint">{PATH_TITLES[s.path]}</p>
                <ClusterDiagram
                  session={s.session}
                  viewUs={viewUs}
                  interactive={false}
                  label={`The cluster on the ${s.path} read path`}
                />
              </section>
            ))}
          </div>
          <ReadLegend />
          <CompareTable sides={sides} viewUs={viewUs} />
        </>
      ) : (
        <div className="cluster-loading">Starting both runs…</div>
      )}
    </div>
  );
}

/**
 * Under the playground's cluster: what the read marks mean, and the way to the comparison of the
 * read path in effect with another (ReadIndex against the log), on this run's scenario and seed.
 */
export function ReadPathsBar() {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  const [path, setPath] = useState<ReadPath | ''>('');
  if (!session) return null;
  const current = settingsAt(session, viewUs).readPath;
  const other = path === '' || path === current ? otherPath(current) : path;
  const open = async () => {
    // The run with the viewer's place: both sides run it from 0, and Back returns here.
    const fragment = await fragmentFor(session.toScenario(viewUs));
    window.location.assign(compareUrl([current, other], fragment));
  };
  return (
    <div className="read-paths-bar">
      <ReadLegend />
      <span className="buttons">
        <label>
          Compare {current} with{' '}
          <select value={other} onChange={(e) => setPath(e.target.value as ReadPath)}>
            {READ_PATHS.filter((p) => p !== current).map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void open()}>
          Compare read paths
        </button>
      </span>
    </div>
  );
}

const fixed = (v: number | null, digits: number) => (v === null ? '–' : v.toFixed(digits));

function CompareTable({ sides, viewUs }: { sides: Side[]; viewUs: number }) {
  const bucket = Math.floor(viewUs / STATS_EVERY_US);
  const stats = useMemo(
    () => sides.map((s) => readRoundsOf(s.session.timeline).statsAt(bucket * STATS_EVERY_US)),
    [sides, bucket],
  );
  const rows: [string, string, (r: ReadStats) => string][] = [
    ['rate', 'reads / s', (r) => fixed(r.readsPerS, 0)],
    ['p99', 'p99 read latency (ms)', (r) => fixed(r.p99Ms, 1)],
    ['rounds', 'rounds per read', (r) => fixed(r.roundsPerRead, 2)],
    ['answered', 'reads answered', (r) => String(r.totals.readsOk)],
  ];
  return (
    <table className="compare-stats" data-testid="compare-stats">
      <caption>
        Reads answered up to {formatUs(bucket * STATS_EVERY_US)} (rounds: ReadIndex heartbeat rounds
        plus log proposals)
      </caption>
      <thead>
        <tr>
          <th scope="col">measure</th>
          {sides.map((s, i) => (
            <th key={i} scope="col">
              {s.path}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map(([id, name, value]) => (
          <tr key={id}>
            <th scope="row">{name}</th>
            {stats.map((st, i) => (
              <td key={i} data-testid={`compare-${id}-${i}`}>
                {value(st)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Every animation frame while playing, the view moves by the frame's wall time times the speed;
 * a side that has not simulated that far runs on, each for at most BUDGET_MS, and the view shows
 * the time both have reached.
 */
function useCompareLoop(
  sides: Side[] | null,
  playing: boolean,
  speed: number,
  viewUs: number,
  setViewUs: (us: number) => void,
  onError: (err: unknown) => void,
): void {
  const state = useRef({ sides, playing, speed, viewUs, setViewUs, onError });
  state.current = { sides, playing, speed, viewUs, setViewUs, onError };
  useEffect(() => {
    let raf = 0;
    let last = performance.now();
    let running = false;
    const frame = (now: number) => {
      const dtMs = Math.min(100, now - last);
      last = now;
      raf = requestAnimationFrame(frame);
      const c = state.current;
      if (!c.playing || !c.sides || running) return;
      const all = c.sides;
      const target = c.viewUs + Math.round(dtMs * 1000 * c.speed);
      if (all.every((s) => s.session.nowUs >= target)) {
        c.setViewUs(target);
        return;
      }
      running = true;
      (async () => {
        for (const s of all) {
          const deadline = performance.now() + BUDGET_MS;
          if (s.session.nowUs < target)
            await s.session.runTo(target, () => performance.now() > deadline);
        }
      })()
        .then(() => {
          if (state.current.sides !== all) return;
          state.current.setViewUs(Math.min(target, ...all.map((s) => s.session.nowUs)));
        })
        .catch((err: unknown) => state.current.onError(err))
        .finally(() => {
          running = false;
        });
    };
    raf = requestAnimationFrame(frame);
    return () => cancelAnimationFrame(raf);
  }, []);
}
