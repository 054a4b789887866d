// The Storage panel (issue 7, source article 004): one node's backend as a timeline — read
// transactions, write transactions, batch commits, and the time each spent blocked waiting for
// its locks — with the lock mode in force and where it changed; zoomable and pannable (d3-zoom,
// the buttons, or + - ← → 0 on the focused timeline). Beside it, live p50/p99 of cheap reads,
// expensive reads and writes sent to the node, a lock mode switch (set-backend) and the workload
// control (start-workload / stop-workload). Data: storage-layout.ts, storage-latency.ts.
import { scaleLinear, type ZoomTransform } from 'd3';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { workloadsInEffect } from '../../sim/actions';
import { act, settingsAt } from './actions';
import { NodeSelect } from './panels';
import {
  asOf,
  blockedSummary,
  LANE_ROWS,
  mergeRuns,
  StorageScan,
  TXN_KINDS,
  type LockMode,
  type NodeStorage,
  type TxnKind,
  type TxnView,
} from './storage-layout';
import { CALL_CLASSES, LatencyIndex, type CallClass } from './storage-latency';
import {
  DEFAULT_SHAPE,
  parseRate,
  startLoadAction,
  stopLoadAction,
  STORAGE_LOADS,
  type StorageLoad,
} from './storage-workloads';
import { usePlayground } from './store';
import { downloadSvg } from './svg-export';
import { anchoredRight, attachTimeZoom, type TimeZoom } from './time-zoom';
import './storage.css';

/** The window the live figures (blocked time, p50, p99) are taken over. */
const WINDOW_US = 2_000_000;
/** The span the zoom transform is relative to; the first view shows BASE_US / INITIAL_K. */
const BASE_US = 1_000_000;
const INITIAL_K = 5;

const W = 760;
const X0 = 92;
const X1 = W - 12;
const MODE_H = 18;
const ROW_H = { read: 9, write: 12, commit: 12, blocked: 8 } as const;
const LANE_GAP = 6;

const LOCK_MODES: readonly LockMode[] = ['coarse', 'rwlock', 'concurrent'];
const MODE_WORDS: Record<LockMode, string> = {
  coarse: 'coarse lock (etcd 3.1)',
  rwlock: 'read-write lock (etcd 3.2/3.3)',
  concurrent: 'fully concurrent reads (etcd 3.4)',
};
const CLASS_LABEL: Record<CallClass, string> = {
  cheap: 'Cheap reads',
  expensive: 'Expensive reads',
  write: 'Writes',
};
const KIND_WORDS: Record<TxnKind, string> = { read: 'reads', write: 'writes', commit: 'commits' };

/** What a run of a lane row is, for its tooltip: "reads waiting", "commits", ... */
function runWords(lane: string, row: number, style: string): string {
  if (lane === 'blocked') return `${KIND_WORDS[TXN_KINDS[row] ?? 'read']} waiting`;
  return `${KIND_WORDS[lane as TxnKind]}${style === 'free' ? ' with no lock held' : ''}`;
}

interface LaneBox {
  id: TxnKind | 'blocked';
  label: string;
  y: number;
  rows: number;
  rowH: number;
}

/** The lanes top to bottom: reads, writes, commits, then blocked time (a row per kind). */
function lanes(): { boxes: LaneBox[]; height: number } {
  let y = MODE_H + 4;
  const boxes: LaneBox[] = [];
  const add = (id: LaneBox['id'], label: string, rows: number, rowH: number) => {
    boxes.push({ id, label, y, rows, rowH });
    y += rows * rowH + LANE_GAP;
  };
  add('read', 'Reads', LANE_ROWS.read, ROW_H.read);
  add('write', 'Writes', LANE_ROWS.write, ROW_H.write);
  add('commit', 'Commits', LANE_ROWS.commit, ROW_H.commit);
  add('blocked', 'Blocked', 3, ROW_H.blocked);
  return { boxes, height: y + 18 };
}
const LANES = lanes();
const H = LANES.height;

function ms(us: number): string {
  const v = us / 1000;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Simulated time on the axis: enough decimals of a second for the span shown. */
function axisTime(us: number, spanUs: number): string {
  const digits = spanUs < 20_000 ? 4 : spanUs < 200_000 ? 3 : spanUs < 2_000_000 ? 2 : 1;
  return `${(us / 1e6).toFixed(digits)}`;
}

/** The panel's body (lazy-panels.tsx loads it when the panel opens). */
export function StorageBody() {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  const tick = usePlayground((s) => s.tick);
  const busy = usePlayground((s) => s.busy);
  const ids = session ? session.cluster.conductor.nodeIds() : [];
  const [picked, setPicked] = useState<number | null>(null);
  const node = picked !== null && ids.includes(picked) ? picked : (ids[0] ?? 1);
  const scan = useMemo(
    () => (session ? new StorageScan(session.timeline, session.scenario.settings.lockMode) : null),
    [session],
  );
  const length = session?.timeline.length ?? 0;
  const calls = useMemo(() => (session ? new LatencyIndex(session.history) : null), [session]);
  // Each reads only what was added since the last render: the trace and history grow in place.
  const storage = scan?.update().node(node) ?? null;
  const count = session?.history.length ?? 0;
  const live = useMemo(
    () => {
      if (!session || !storage || !calls) return null;
      const fromUs = Math.max(0, viewUs - WINDOW_US);
      return {
        blocked: blockedSummary(storage, fromUs, viewUs),
        latency: calls.update().recent(node, viewUs, WINDOW_US),
        spanUs: viewUs - fromUs,
      };
    },
    // the history grows in place: the tick and its length say when it moved
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [session, storage, calls, node, viewUs, tick, count, length],
  );
  if (!session || !storage || !live) return null;
  const inEffect = settingsAt(session, viewUs).lockMode;
  const { blocked, latency } = live;
  return (
    <div id="storage-body" className="storage-body">
      <div className="storage-toolbar">
        <NodeSelect ids={ids} value={node} onChange={setPicked} />
        <label>
          Lock mode{' '}
          <select
            value={inEffect}
            disabled={busy}
            data-testid="storage-lock-mode"
            onChange={(e) => void act({ kind: 'set-backend', lockMode: e.target.value })}
          >
            {LOCK_MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <span className="hint">{MODE_WORDS[inEffect]}</span>
      </div>
      <Timeline storage={storage} node={node} viewUs={viewUs} version={length} />
      <div className="storage-figures">
        <p
          className="storage-blocked"
          data-testid="storage-blocked"
          data-blocked-ms={(blocked.totalUs / 1000).toFixed(3)}
        >
          Blocked in the last {ms(live.spanUs)} ms: <strong>{ms(blocked.totalUs)} ms</strong> summed
          over {blocked.waited} transactions (reads {ms(blocked.byKind.read)}, writes{' '}
          {ms(blocked.byKind.write)}, commits {ms(blocked.byKind.commit)} ms)
        </p>
        <table className="storage-latency" aria-label={`Latency of calls to n${node}`}>
          <thead>
            <tr>
              <th scope="col">
                Calls to n{node}, last {ms(live.spanUs)} ms
              </th>
              <th scope="col">answered</th>
              <th scope="col">p50 ms</th>
              <th scope="col">p99 ms</th>
            </tr>
          </thead>
          <tbody>
            {CALL_CLASSES.map((c) => {
              const l = latency[c];
              return (
                <tr
                  key={c}
                  data-testid={`storage-latency-${c}`}
                  data-count={l.count}
                  {...(l.p50Ms !== null ? { 'data-p50-ms': l.p50Ms } : {})}
                  {...(l.p99Ms !== null ? { 'data-p99-ms': l.p99Ms } : {})}
                >
                  <th scope="row">{CLASS_LABEL[c]}</th>
                  <td>{l.count}</td>
                  <td>{l.p50Ms === null ? '–' : l.p50Ms.toFixed(2)}</td>
                  <td>{l.p99Ms === null ? '–' : l.p99Ms.toFixed(2)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <WorkloadControl node={node} viewUs={viewUs} />
    </div>
  );
}

/** The drawn parts of one transaction: [from, to] intervals by lane row. */
function pieces(v: TxnView) {
  const out: { lane: TxnKind | 'blocked'; row: number; style: string; a: number; b: number }[] = [];
  const waitEnd = v.grantedUs ?? v.endUs;
  if (waitEnd > v.requestedUs)
    out.push({
      lane: 'blocked',
      row: TXN_KINDS.indexOf(v.kind),
      style: v.kind,
      a: v.requestedUs,
      b: waitEnd,
    });
  if (v.grantedUs !== undefined) {
    const lockEnd = v.lockFreeUs ?? v.endUs;
    out.push({ lane: v.kind, row: v.row, style: 'held', a: v.grantedUs, b: lockEnd });
    if (v.lockFreeUs !== undefined)
      out.push({ lane: v.kind, row: v.row, style: 'free', a: v.lockFreeUs, b: v.endUs });
  }
  return out;
}

function Timeline(props: {
  storage: NodeStorage;
  node: number;
  viewUs: number;
  /** The trace's length: the storage object grows in place, this says when it did. */
  version: number;
}) {
  const { storage, node, viewUs, version } = props;
  const ref = useRef<SVGSVGElement>(null);
  const zoomRef = useRef<TimeZoom | null>(null);
  const [transform, setTransform] = useState<ZoomTransform>(() => anchoredRight(INITIAL_K, X1));
  useEffect(() => {
    if (!ref.current) return;
    const z = attachTimeZoom(ref.current, {
      x0: X0,
      x1: X1,
      height: H,
      initialK: INITIAL_K,
      minK: 0.05,
      maxK: 5000,
      onChange: setTransform,
    });
    zoomRef.current = z;
    return () => {
      z.destroy();
      zoomRef.current = null;
    };
  }, []);
  const base = scaleLinear()
    .domain([viewUs - BASE_US, viewUs])
    .range([X0, X1]);
  const x = transform.rescaleX(base);
  const [fromUs, toUs] = x.domain() as [number, number];
  const spanUs = toUs - fromUs;
  const drawn = useMemo(() => {
    const groups = new Map<string, [number, number][]>();
    const shownTo = Math.min(toUs, viewUs);
    for (const t of storage.within(fromUs, shownTo)) {
      const v = asOf(t, viewUs);
      if (!v) continue;
      for (const p of pieces(v)) {
        if (p.b < fromUs || p.a > shownTo) continue;
        const key = `${p.lane}|${p.row}|${p.style}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = []));
        g.push([Math.max(p.a, fromUs), Math.min(p.b, shownTo)]);
      }
    }
    const sx = scaleLinear().domain([fromUs, toUs]).range([X0, X1]);
    return [...groups].map(([key, intervals]) => {
      const [lane, row, style] = key.split('|') as [string, string, string];
      return { lane, row: Number(row), style, runs: mergeRuns(intervals, sx) };
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [storage, fromUs, toUs, viewUs, version]);
  const modes = storage.modes.filter((m, i) => {
    const next = storage.modes[i + 1];
    return m.atUs <= toUs && (!next || next.atUs >= fromUs);
  });
  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    const z = zoomRef.current;
    if (!z) return;
    const keys: Record<string, () => void> = {
      '+': () => z.zoomBy(1.5),
      '=': () => z.zoomBy(1.5),
      '-': () => z.zoomBy(1 / 1.5),
      ArrowLeft: () => z.panBy((X1 - X0) / 4),
      ArrowRight: () => z.panBy(-(X1 - X0) / 4),
      '0': () => z.reset(),
    };
    const f = keys[e.key];
    if (!f) return;
    // The playground's own shortcuts (+ - speed, → step) stay out of the way here.
    e.preventDefault();
    e.stopPropagation();
    f();
  };
  const laneOf = (id: string) => LANES.boxes.find((b) => b.id === id)!;
  const ticks = x.ticks(6).filter((t) => t >= 0 && t <= viewUs);
  const changes = storage.modes.slice(1).filter((m) => m.atUs >= fromUs && m.atUs <= toUs);
  const summary = `n${node}'s backend from ${axisTime(Math.max(0, fromUs), spanUs)} s to ${axisTime(Math.min(toUs, viewUs), spanUs)} s of simulated time, lock mode ${modes.map((m) => m.mode).join(' then ')}.`;
  return (
    <figure className="storage-timeline" data-testid="storage-timeline">
      <svg
        ref={ref}
        viewBox={`0 0 ${W} ${H}`}
        tabIndex={0}
        role="img"
        aria-label={`${summary} Keys: + and - zoom, left and right arrows pan, 0 goes back to now.`}
        onKeyDown={onKey}
      >
        <rect className="storage-bg" x={X0} y={0} width={X1 - X0} height={H - 18} />
        {modes.map((m, i) => {
          const next = storage.modes[storage.modes.indexOf(m) + 1];
          const a = Math.max(X0, x(m.atUs));
          const b = Math.min(X1, next ? x(next.atUs) : x(viewUs));
          return (
            <g key={i} className={`storage-mode mode-${m.mode}`}>
              <rect x={a} y={1} width={Math.max(0, b - a)} height={MODE_H - 2} />
              {b - a > 40 && (
                <text x={a + 4} y={MODE_H - 5}>
                  {m.mode}
                </text>
              )}
            </g>
          );
        })}
        <text className="lane-label" x={X0 - 6} y={MODE_H - 5}>
          Lock mode
        </text>
        {LANES.boxes.map((b) => (
          <g key={b.id} className={`storage-lane lane-${b.id}`}>
            <line
              x1={X0}
              x2={X1}
              y1={b.y + b.rows * b.rowH + LANE_GAP / 2}
              y2={b.y + b.rows * b.rowH + LANE_GAP / 2}
            />
            <text className="lane-label" x={X0 - 6} y={b.y + (b.rows * b.rowH) / 2 + 4}>
              {b.label}
            </text>
          </g>
        ))}
        {drawn.map((g) => {
          const lane = laneOf(g.lane);
          const y = lane.y + g.row * lane.rowH + 1;
          return (
            <g
              key={`${g.lane}-${g.row}-${g.style}`}
              className={`storage-runs lane-${g.lane} ${g.style}`}
              data-lane={g.lane}
            >
              {g.runs.map((r, i) => (
                <rect key={i} x={r.x0} width={r.x1 - r.x0} y={y} height={lane.rowH - 2}>
                  <title>
                    {`${r.count} ${runWords(g.lane, g.row, g.style)}, ${ms(x.invert(r.x1) - x.invert(r.x0))} ms`}
                  </title>
                </rect>
              ))}
            </g>
          );
        })}
        {changes.map((m) => (
          <line
            key={m.atUs}
            className="storage-change"
            x1={x(m.atUs)}
            x2={x(m.atUs)}
            y1={0}
            y2={H - 18}
          >
            <title>{`lock mode ${m.mode} from ${axisTime(m.atUs, spanUs)} s`}</title>
          </line>
        ))}
        <g className="storage-axis">
          {ticks.map((t) => (
            <text key={t} x={x(t)} y={H - 4}>
              {axisTime(t, spanUs)}
            </text>
          ))}
        </g>
      </svg>
      <div className="storage-zoom">
        <button type="button" onClick={() => zoomRef.current?.zoomBy(1.5)}>
          Zoom in
        </button>
        <button type="button" onClick={() => zoomRef.current?.zoomBy(1 / 1.5)}>
          Zoom out
        </button>
        <button type="button" onClick={() => zoomRef.current?.panBy((X1 - X0) / 4)}>
          Earlier
        </button>
        <button type="button" onClick={() => zoomRef.current?.panBy(-(X1 - X0) / 4)}>
          Later
        </button>
        <button type="button" onClick={() => zoomRef.current?.reset()}>
          Now
        </button>
        <span className="hint" data-testid="storage-span" data-span-ms={Math.round(spanUs / 1000)}>
          {ms(spanUs)} ms shown (simulated s on the axis); drag or scroll to pan and zoom
        </span>
        <button
          type="button"
          onClick={() => ref.current && downloadSvg(ref.current, `raftlab-storage-n${node}.svg`)}
        >
          Export SVG
        </button>
      </div>
      <p className="storage-legend hint">
        <span className="swatch held" /> holds its lock <span className="swatch free" /> reads its
        own buffer copy, no lock <span className="swatch blocked" /> blocked, waiting for a lock (a
        row each for reads, writes, commits)
      </p>
    </figure>
  );
}

function WorkloadControl(props: { node: number; viewUs: number }) {
  const session = usePlayground((s) => s.session);
  const busy = usePlayground((s) => s.busy);
  const [rates, setRates] = useState<Record<StorageLoad, string>>(
    () =>
      Object.fromEntries(STORAGE_LOADS.map((l) => [l.name, String(l.defaultRate)])) as Record<
        StorageLoad,
        string
      >,
  );
  const [keySpace, setKeySpace] = useState(String(DEFAULT_SHAPE.keySpace));
  const [valueBytes, setValueBytes] = useState(String(DEFAULT_SHAPE.valueBytes));
  const [error, setError] = useState('');
  if (!session) return null;
  const running = workloadsInEffect(session.scenario, props.viewUs);
  const start = (name: StorageLoad) => {
    const load = STORAGE_LOADS.find((l) => l.name === name)!;
    const rate = parseRate(rates[name]);
    if (typeof rate === 'string') return setError(`${load.label}: ${rate}`);
    const keys = Number(keySpace);
    const bytes = Number(valueBytes);
    if (!Number.isInteger(keys) || keys < 1 || keys > 1_000_000)
      return setError('Keys: a whole number from 1 to 1,000,000');
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > 1_048_576)
      return setError('Value bytes: a whole number from 0 to 1,048,576');
    setError('');
    void act(startLoadAction(load, rate, props.node, { keySpace: keys, valueBytes: bytes }));
  };
  return (
    <fieldset className="storage-workloads">
      <legend>Workload (calls per simulated second, every call to n{props.node})</legend>
      <div className="storage-shape">
        <NumberField label="Keys" min={1} value={keySpace} onChange={setKeySpace} />
        <NumberField label="Value bytes" min={0} value={valueBytes} onChange={setValueBytes} />
      </div>
      {STORAGE_LOADS.map((l) => {
        const on = running.get(l.name);
        return (
          <div key={l.name} className="storage-load" data-testid={`load-${l.name}`}>
            <label>
              {l.label}{' '}
              <input
                type="number"
                min={0}
                value={rates[l.name]}
                aria-label={`${l.label} per simulated second`}
                onChange={(e) => setRates({ ...rates, [l.name]: e.target.value })}
              />
              /s
            </label>
            {on ? (
              <button
                type="button"
                disabled={busy}
                onClick={() => void act(stopLoadAction(l.name))}
              >
                Stop {l.name}
              </button>
            ) : (
              <button type="button" disabled={busy} onClick={() => start(l.name)}>
                Start {l.name}
              </button>
            )}
            {on && (
              <span className="hint" data-testid={`running-${l.name}`}>
                running at {on.workload.rate}/s to n{on.node ?? '?'}
              </span>
            )}
          </div>
        );
      })}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="hint">
        Reads are serializable: n{props.node}’s own backend answers them, so the lock mode is what
        they measure. Writes fill the key space as they go; an expensive read costs more as it
        fills.
      </p>
    </fieldset>
  );
}

function NumberField(props: {
  label: string;
  min: number;
  value: string;
  onChange(v: string): void;
}) {
  return (
    <label>
      {props.label}{' '}
      <input
        type="number"
        min={props.min}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}
