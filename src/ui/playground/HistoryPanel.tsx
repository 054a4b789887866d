// The client history: one lane per client, time across, each call a bar from its call to its
// answer; and the linearizability checker's verdict on it (issues 7 and 8). Geometry comes from
// history-layout.ts and a d3 scale; React draws the SVG.
import { line, scaleLinear } from 'd3';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { Operation } from '../../check/history';
import { checkHistory, type CheckResult, type ModelSnapshot } from '../../check/linearizability';
import { formatUs } from './geometry';
import {
  clientName,
  historyAt,
  layoutHistory,
  linearizationPoints,
  opAccessibleName,
  opLabel,
  opStatus,
  valueText,
  windowAround,
  windowEndingAt,
  type Bar,
  stepBar,
  type TimeWindow,
} from './history-layout';
import { usePlayground } from './store';
import { TableHead } from './TableHead';

const DEFAULT_SPAN_US = 5_000_000;
const MIN_SPAN_US = 1_000;
const LABEL_W = 64;
const ROW_H = 20;
const AXIS_H = 22;
const PAD_R = 10;
/** About how wide one character of a bar's label is, in pixels. */
const CHAR_W = 6.4;
/** Above this many calls on screen, bars are drawn as a few paths rather than one control each. */
const MAX_BUTTONS = 300;

type Check =
  | { status: 'idle' }
  | { status: 'checking' }
  | {
      status: 'done';
      result: CheckResult;
      ops: Operation[];
      atUs: number;
      /** The session history's length when checked. */
      historyLength: number;
      /** The run restored a snapshot file then: only calls before it were checked. */
      restoredAtUs?: number;
    };

/** The width of an element, kept current. */
function useWidth(fallback: number): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => {
      if (e) setWidth(Math.max(240, Math.floor(e.contentRect.width)));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

/** The panel's body (lazy-panels.tsx loads it when the panel opens). */
export function HistoryBody() {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  const tick = usePlayground((s) => s.tick);
  const [spanUs, setSpanUs] = useState(DEFAULT_SPAN_US);
  /** A window the person moved to; null: follow the viewed time. */
  const [pinned, setPinned] = useState<TimeWindow | null>(null);
  const [check, setCheck] = useState<Check>({ status: 'idle' });
  const [selected, setSelected] = useState<number | null>(null);
  const [hover, setHover] = useState<string>('');
  const [boxRef, width] = useWidth(800);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  // A new run: nothing checked, nothing selected.
  useEffect(() => {
    setCheck({ status: 'idle' });
    setSelected(null);
    setPinned(null);
  }, [session]);

  const win = pinned ?? windowEndingAt(viewUs, spanUs);
  const history = session?.history;
  const count = history?.length ?? 0;
  const layout = useMemo(
    () => (history ? layoutHistory(history, win, viewUs) : null),
    // the history grows in place: its length and the tick say when it changed
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [history, count, tick, win.startUs, win.endUs, viewUs],
  );
  const done = check.status === 'done' ? check : null;
  const verdict = done?.result;
  const order = useMemo(() => {
    if (verdict?.verdict !== 'ok') return null;
    return new Map(verdict.linearization.map((id, i) => [id, i + 1]));
  }, [verdict]);
  const points = useMemo(
    () =>
      done && verdict?.verdict === 'ok'
        ? linearizationPoints(done.ops, verdict.linearization)
        : null,
    [done, verdict],
  );
  const core = useMemo(
    () => (verdict?.verdict === 'illegal' ? new Set(verdict.core) : null),
    [verdict],
  );

  if (!session || !layout) return null;

  const x = scaleLinear()
    .domain([win.startUs, win.endUs])
    .range([LABEL_W, width - PAD_R]);
  const height = AXIS_H + layout.rows * ROW_H + 4;
  const rowY = (b: Bar) => AXIS_H + (layout.lanes[b.lane]!.firstRow + b.row) * ROW_H;
  const span = win.endUs - win.startUs;

  const runCheck = () => {
    setCheck({ status: 'checking' });
    // The checker's model starts from an empty store: a cluster restored from a snapshot file
    // does not, so only the calls made before the (first) restore can be checked.
    const restoredAtUs = session.restoredAtUs;
    const atUs = restoredAtUs !== undefined ? Math.min(viewUs, restoredAtUs) : viewUs;
    const ops = historyAt(session.history, atUs);
    // After a frame, so "checking…" is on screen while the search runs.
    requestAnimationFrame(() =>
      setTimeout(() => {
        // gone, or another run opened meanwhile: the answer is no one's
        if (!alive.current || usePlayground.getState().session !== session) return;
        const result = checkHistory(ops);
        setCheck({
          status: 'done',
          result,
          ops,
          atUs: viewUs,
          historyLength: session.history.length,
          ...(restoredAtUs !== undefined ? { restoredAtUs } : {}),
        });
        if (result.verdict === 'illegal') {
          const ids = new Set(result.core);
          setPinned(
            windowAround(
              ops.filter((o) => ids.has(o.id)),
              atUs,
            ),
          );
          setSelected(null);
        }
      }, 0),
    );
  };

  const zoom = (factor: number) => {
    const mid = (win.startUs + win.endUs) / 2;
    const next = Math.max(MIN_SPAN_US, Math.round(span * factor));
    setSpanUs(next);
    if (pinned) {
      const start = Math.max(0, Math.round(mid - next / 2));
      setPinned({ startUs: start, endUs: start + next });
    }
  };
  const pan = (dir: number) => {
    const start = Math.max(0, Math.round(win.startUs + (dir * span) / 2));
    setPinned({ startUs: start, endUs: start + span });
  };
  const jump = (us: number) => usePlayground.getState().set({ viewUs: us, playing: false });

  const selectedOp = selected === null ? undefined : session.history[selected];
  const violation = session.invariants.violation;
  const stale = done !== null && (done.atUs !== viewUs || done.historyLength !== count);

  // the line through the linearization points of the bars on screen, in order
  let orderPath: string | null = null;
  if (points && verdict?.verdict === 'ok') {
    const at = new Map(layout.bars.map((b) => [b.op.id, b]));
    const pts: [number, number][] = [];
    for (const id of verdict.linearization) {
      const b = at.get(id);
      const t = points.get(id);
      if (b && t !== undefined && t >= win.startUs && t <= win.endUs)
        pts.push([x(t), rowY(b) + ROW_H / 2]);
    }
    orderPath = pts.length > 1 ? line()(pts) : null;
  }

  /** Where a bar is drawn: a call quicker than a few pixels still shows (a core call more so). */
  const geom = (b: Bar): { x1: number; w: number; y: number } => {
    let x1 = Math.max(LABEL_W - 2, x(b.op.callUs));
    const x2 = Math.min(width - PAD_R + 2, x(b.endUs));
    const minW = core?.has(b.op.id) ? 8 : 3;
    const w = Math.max(minW, x2 - x1);
    if (x2 - x1 < minW) x1 = (x1 + x2 - minW) / 2;
    return { x1, w, y: rowY(b) + 2 };
  };
  const nameOf = (b: Bar): string => {
    const n = order?.get(b.op.id);
    return (
      opAccessibleName(b.op, viewUs) +
      (n !== undefined ? `, number ${n} in the linearization` : '') +
      (core?.has(b.op.id) ? ', in the core that cannot be ordered' : '')
    );
  };
  // Too many calls on screen to draw each as a control: one path per kind of bar, a hit area
  // that finds the call under the pointer, and controls only for the core and the selection.
  const dense = layout.bars.length > MAX_BUTTONS;
  const skip = (b: Bar) => (core?.has(b.op.id) ?? false) || b.op.id === selected;
  const barAt = (e: React.MouseEvent<SVGRectElement>): Bar | undefined => {
    const box = e.currentTarget.ownerSVGElement!.getBoundingClientRect();
    const px = e.clientX - box.left;
    const row = Math.floor((e.clientY - box.top - AXIS_H) / ROW_H);
    return layout.bars.find((b) => {
      if (layout.lanes[b.lane]!.firstRow + b.row !== row) return false;
      const g = geom(b);
      return px >= g.x1 - 2 && px <= g.x1 + g.w + 2;
    });
  };
  const renderBar = (b: Bar) => {
    const inCore = core?.has(b.op.id) ?? false;
    const { x1, w, y } = geom(b);
    const n = order?.get(b.op.id);
    const label = (n !== undefined ? `${n} · ` : '') + opLabel(b.op, viewUs);
    const chars = Math.floor((w - 6) / CHAR_W);
    const shown =
      chars >= 4 ? (label.length > chars ? label.slice(0, chars - 1) + '…' : label) : '';
    const name = nameOf(b);
    const cls = [
      'hbar',
      b.kind,
      b.status,
      inCore ? 'core' : '',
      selected === b.op.id ? 'selected' : '',
    ].join(' ');
    const select = () => setSelected(selected === b.op.id ? null : b.op.id);
    return (
      <g
        key={b.op.id}
        className={cls}
        role="button"
        tabIndex={0}
        aria-label={name}
        aria-pressed={selected === b.op.id}
        data-op={b.op.id}
        onClick={select}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            select();
          }
        }}
        onMouseEnter={() => setHover(name)}
        onFocus={() => setHover(name)}
        onMouseLeave={() => setHover('')}
        onBlur={() => setHover('')}
      >
        <rect x={x1} y={y} width={w} height={ROW_H - 4} rx={2} />
        {shown && (
          <text x={x1 + 4} y={y + ROW_H / 2 + 2}>
            {shown}
          </text>
        )}
      </g>
    );
  };

  const digits = span >= 5_000_000 ? 1 : span >= 500_000 ? 2 : 3;
  const ticks = x.ticks(Math.max(2, Math.floor(width / 110)));

  return (
    <div id="history-body" className="history-body">
      {violation && (
        <div className="history-violation" data-testid="history-violation">
          <strong>{violation.invariant}</strong> broke at {formatUs(violation.atUs)}
          {violation.node !== undefined ? ` on n${violation.node}` : ''}: {violation.message}{' '}
          <button type="button" onClick={() => jump(violation.atUs)}>
            Jump to it
          </button>
        </div>
      )}
      <div className="history-toolbar">
        <span className="buttons" role="group" aria-label="Time window">
          <button type="button" onClick={() => pan(-1)} aria-label="Earlier">
            ◀
          </button>
          <button type="button" onClick={() => zoom(0.5)} aria-label="Zoom in">
            +
          </button>
          <button type="button" onClick={() => zoom(2)} aria-label="Zoom out">
            −
          </button>
          <button type="button" onClick={() => pan(1)} aria-label="Later">
            ▶
          </button>
          <button
            type="button"
            onClick={() => setPinned(windowAround(historyAt(session.history, viewUs), viewUs))}
            disabled={count === 0}
            title="Show every call made up to the viewed time"
          >
            Fit all
          </button>
          <button
            type="button"
            onClick={() => setPinned(null)}
            disabled={pinned === null}
            title="Show the last seconds up to the viewed time"
          >
            Follow
          </button>
        </span>
        <span className="hint" data-testid="history-window">
          {formatUs(win.startUs)} – {formatUs(win.endUs)}, {layout.bars.length} of {count} calls
        </span>
        <span className="history-legend hint" aria-hidden="true">
          <span className="swatch read" /> read <span className="swatch write" /> write{' '}
          <span className="swatch failed" /> failed <span className="swatch pending" /> no answer
        </span>
      </div>
      <div ref={boxRef} className="history-chart">
        <svg
          width={width}
          height={height}
          role="group"
          aria-label="Client calls over time"
          data-testid="history-chart"
          className={core ? 'has-core' : undefined}
        >
          <defs>
            <pattern
              id="history-hatch"
              width="6"
              height="6"
              patternUnits="userSpaceOnUse"
              patternTransform="rotate(45)"
            >
              <rect width="6" height="6" className="hatch-bg" />
              <line x1="0" y1="0" x2="0" y2="6" className="hatch-line" />
            </pattern>
            <clipPath id="history-clip">
              <rect
                x={LABEL_W}
                y={0}
                width={Math.max(0, width - LABEL_W - PAD_R)}
                height={height}
              />
            </clipPath>
          </defs>
          <g className="history-axis" aria-hidden="true">
            {ticks.map((t) => (
              <g key={t} transform={`translate(${x(t)},0)`}>
                <line y1={AXIS_H - 4} y2={height} />
                <text y={AXIS_H - 8}>{(t / 1e6).toFixed(digits)} s</text>
              </g>
            ))}
          </g>
          {layout.lanes.map((l, i) => (
            <g key={l.clientId} className={i % 2 ? 'lane odd' : 'lane'}>
              <rect x={0} y={AXIS_H + l.firstRow * ROW_H} width={width} height={l.rows * ROW_H} />
              <text x={6} y={AXIS_H + l.firstRow * ROW_H + ROW_H / 2 + 4}>
                {l.name}
              </text>
            </g>
          ))}
          {viewUs >= win.startUs && viewUs <= win.endUs && (
            <line
              className="history-now"
              x1={x(viewUs)}
              x2={x(viewUs)}
              y1={AXIS_H - 4}
              y2={height}
              aria-hidden="true"
            />
          )}
          <g clipPath="url(#history-clip)">
            {dense &&
              [...groupPaths(layout.bars, geom, skip)].map(([cls, d]) => (
                <path key={cls} className={`hbar-group ${cls}`} d={d} aria-hidden="true" />
              ))}
            {dense && (
              <rect
                className="history-hit"
                x={LABEL_W}
                y={AXIS_H}
                width={Math.max(0, width - LABEL_W - PAD_R)}
                height={layout.rows * ROW_H}
                onClick={(e) => {
                  const b = barAt(e);
                  if (b) setSelected(b.op.id);
                }}
                onMouseMove={(e) => {
                  const b = barAt(e);
                  setHover(b ? nameOf(b) : '');
                }}
                onMouseLeave={() => setHover('')}
                tabIndex={0}
                role="button"
                aria-label={`${layout.bars.length} calls: arrow keys move from call to call`}
                onKeyDown={(e) => {
                  const b = stepBar(layout.bars, selected, e.key);
                  if (!b) return;
                  e.preventDefault();
                  setSelected(b.op.id);
                  setHover(nameOf(b));
                }}
              />
            )}
            {(dense ? layout.bars.filter(skip) : layout.bars).map(renderBar)}
            {orderPath && <path className="history-order" d={orderPath} aria-hidden="true" />}
          </g>
        </svg>
      </div>
      <p className="hint history-hover" aria-live="polite">
        {hover ||
          (dense
            ? `${layout.bars.length} calls on screen: point at one to read it, click it for the whole call; from the keyboard, focus the chart and use the arrow keys.`
            : 'Point at or focus a call to read it; click it for the whole call.')}
      </p>
      <div className="buttons">
        <button type="button" onClick={runCheck} disabled={check.status === 'checking'}>
          Check history
        </button>
        {core && done && (
          <button
            type="button"
            onClick={() =>
              setPinned(
                windowAround(
                  done.ops.filter((o) => core.has(o.id)),
                  done.atUs,
                ),
              )
            }
          >
            Show the core
          </button>
        )}
      </div>
      <Verdict check={check} stale={stale} select={setSelected} />
      {selectedOp && (
        <OpDetails op={selectedOp} atUs={viewUs} jump={jump} close={() => setSelected(null)} />
      )}
    </div>
  );
}

/** The bars as one SVG path per class ("write ok", "read pending", ...). */
function groupPaths(
  bars: readonly Bar[],
  geom: (b: Bar) => { x1: number; w: number; y: number },
  skip: (b: Bar) => boolean,
): Map<string, string> {
  const parts = new Map<string, string[]>();
  for (const b of bars) {
    if (skip(b)) continue;
    const { x1, w, y } = geom(b);
    const cls = `${b.kind} ${b.status}`;
    let p = parts.get(cls);
    if (!p) parts.set(cls, (p = []));
    p.push(`M${x1.toFixed(1)} ${y}h${w.toFixed(1)}v${ROW_H - 4}h${(-w).toFixed(1)}Z`);
  }
  return new Map([...parts].map(([cls, p]) => [cls, p.join('')]));
}

function Verdict(props: { check: Check; stale: boolean; select: (id: number) => void }) {
  const { check, stale, select } = props;
  const ops = check.status === 'done' ? check.ops : null;
  const byId = useMemo(() => new Map((ops ?? []).map((o) => [o.id, o])), [ops]);
  if (check.status === 'idle')
    return (
      <p className="hint" data-testid="history-verdict">
        Not checked yet: the checker orders every call the history holds up to the viewed time, or
        finds the few that cannot be ordered.
      </p>
    );
  if (check.status === 'checking')
    return (
      <p className="verdict" data-testid="history-verdict" aria-live="polite">
        checking…
      </p>
    );
  const r = check.result;
  const restored = check.restoredAtUs;
  const when = `the ${check.ops.length} calls made by ${formatUs(restored !== undefined ? Math.min(restored, check.atUs) : check.atUs)}`;
  return (
    <div className="verdict-box" aria-live="polite">
      {restored !== undefined && (
        <p className="hint" data-testid="history-restored">
          The cluster was restored from a snapshot file at {formatUs(restored)}: the checker starts
          from an empty store, so it checks only the calls made before then.
        </p>
      )}
      {r.verdict === 'ok' && (
        <>
          <p className="verdict" data-status="ok" data-testid="history-verdict">
            linearizable: {r.linearization.length} operations ordered
          </p>
          <p className="hint">
            Checked {when}. The numbers on the bars give the order; the line joins the instants the
            calls can be taken to happen at.
          </p>
        </>
      )}
      {r.verdict === 'unknown' && (
        <p className="verdict" data-testid="history-verdict">
          unknown: {r.reason}
        </p>
      )}
      {r.verdict === 'illegal' && (
        <>
          <p className="verdict" data-status="failed" data-testid="history-verdict">
            not linearizable
          </p>
          <p className="explanation">{r.explanation}</p>
          <p className="hint">
            Checked {when}. These {r.core.length} calls cannot be put in any order that explains
            their answers (highlighted in the chart); the longest prefix that can be ordered holds{' '}
            {r.partial.length} calls.
          </p>
          <table className="history-table" data-testid="history-core">
            <caption>The calls that cannot be ordered</caption>
            <TableHead cols={['call', 'client', 'called', 'answered', 'what']} />
            <tbody>
              {r.core.map((id) => {
                const op = byId.get(id);
                if (!op) return null;
                return (
                  <tr key={id}>
                    <td>
                      <button type="button" className="link-button" onClick={() => select(id)}>
                        #{id}
                      </button>
                    </td>
                    <td>{clientName(op.clientId)}</td>
                    <td>{formatUs(op.callUs)}</td>
                    <td>
                      {op.returnUs !== undefined && op.returnUs <= check.atUs
                        ? formatUs(op.returnUs)
                        : 'no answer'}
                    </td>
                    <td className="what">{opLabel(op, check.atUs)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="history-states">
            <StateTable title="State before" snap={r.before} />
            {r.after && <StateTable title="State after" snap={r.after} />}
          </div>
        </>
      )}
      {stale && (
        <p className="hint">The history has moved since this check: check again to include it.</p>
      )}
    </div>
  );
}

const STATE_ROWS = 40;

function StateTable({ title, snap }: { title: string; snap: ModelSnapshot }) {
  const keys = Object.keys(snap.kvs).sort();
  return (
    <table className="history-table">
      <caption>
        {title} (revision {snap.revision})
      </caption>
      <TableHead cols={['key', 'value', 'create rev', 'mod rev', 'version']} />
      <tbody>
        {keys.slice(0, STATE_ROWS).map((k) => {
          const kv = snap.kvs[k]!;
          return (
            <tr key={k}>
              <td className="what">{k}</td>
              <td className="what">{kv.value}</td>
              <td>{kv.create_revision}</td>
              <td>{kv.mod_revision}</td>
              <td>{kv.version}</td>
            </tr>
          );
        })}
        {keys.length === 0 && (
          <tr>
            <td colSpan={5}>no keys</td>
          </tr>
        )}
        {keys.length > STATE_ROWS && (
          <tr>
            <td colSpan={5}>and {keys.length - STATE_ROWS} more</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function OpDetails(props: {
  op: Operation;
  atUs: number;
  jump: (us: number) => void;
  close: () => void;
}) {
  const { op, atUs, jump, close } = props;
  const status = opStatus(op, atUs);
  const titleId = useId();
  return (
    <section className="history-op" aria-labelledby={titleId} data-testid="history-op">
      <h3 id={titleId}>
        Call #{op.id} by {clientName(op.clientId)}
      </h3>
      <dl className="facts">
        <dt>called</dt>
        <dd>{formatUs(op.callUs)}</dd>
        <dt>answered</dt>
        <dd>{status === 'pending' ? 'no answer' : formatUs(op.returnUs!)}</dd>
        <dt>outcome</dt>
        <dd className={status === 'failed' ? 'error' : undefined}>
          {status === 'failed' ? `failed: ${op.error ?? 'error'}` : status}
        </dd>
      </dl>
      <h4>request ({op.request.method})</h4>
      <pre>{valueText(op.request.body)}</pre>
      {status === 'ok' && (
        <>
          <h4>response</h4>
          <pre>{valueText(op.response)}</pre>
        </>
      )}
      <div className="buttons">
        <button type="button" onClick={() => jump(op.returnUs ?? op.callUs)}>
          {op.returnUs !== undefined ? 'Jump to its answer' : 'Jump to its call'}
        </button>
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
    </section>
  );
}
