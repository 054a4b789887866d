// Charts of the run (issue 7): throughput and latency (p50/p99) over simulated time, failed writes
// with the leader changes, and the published read throughput over client concurrency for each
// read path. Numbers come from charts-data.ts and d3 scales; React draws the SVG. Each chart
// saves as a standalone SVG file.
import { line, scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3';
import { useMemo, useRef, type ReactNode } from 'react';
import publishedJson from '../../../bench/results/stories.json';
import type { ReadPoint } from '../../stories/measure';
import { chartsData, LeaderScan, type ChartBucket } from './charts-data';
import { usePlayground } from './store';
import { downloadSvg } from './svg-export';

const W = 440;
const H = 210;
const M = { l: 52, r: 14, t: 26, b: 38 };
const X0 = M.l;
const X1 = W - M.r;
const Y0 = H - M.b;
const Y1 = M.t;

const READ_PATHS = (publishedJson as { reads: Record<string, ReadPoint[]> }).reads;

type Scale = ScaleContinuousNumeric<number, number>;

function fmt(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 10_000) return `${Math.round(v / 1000)}k`;
  if (v >= 1000) return `${(v / 1000).toFixed(1)}k`;
  return plain(v);
}

/** The powers of ten a log scale's domain holds: its ticks. */
function decades(y: Scale): number[] {
  return y.ticks().filter((t) => Number.isInteger(Math.log10(t)));
}

/** A number for an accessible summary: whole above 10, one decimal below. */
function plain(v: number): string {
  return v >= 10 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
}

/** A chart: its title and axes drawn in the SVG, an accessible summary, an Export SVG button. */
function Chart(props: {
  id: string;
  title: string;
  summary: string;
  x: Scale;
  y: Scale;
  xTicks: number[];
  yTicks: number[];
  xFormat: (v: number) => string;
  xLabel: string;
  yLabel: string;
  legend: [string, string][];
  note?: string;
  children: ReactNode;
}) {
  const { id, title, x, y } = props;
  const ref = useRef<SVGSVGElement>(null);
  return (
    <figure className="chart" aria-labelledby={`chart-${id}-title`} data-testid={`chart-${id}`}>
      <svg ref={ref} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.summary}>
        <text id={`chart-${id}-title`} className="chart-title" x={W / 2} y={15}>
          {title}
        </text>
        <g className="axis">
          <line x1={X0} x2={X1} y1={Y0} y2={Y0} />
          <line x1={X0} x2={X0} y1={Y0} y2={Y1} />
          {props.xTicks.map((t) => (
            <g key={`x${t}`}>
              <line x1={x(t)} x2={x(t)} y1={Y0} y2={Y0 + 4} />
              <text className="tick-x" x={x(t)} y={Y0 + 14}>
                {props.xFormat(t)}
              </text>
            </g>
          ))}
          {props.yTicks.map((t) => (
            <g key={`y${t}`}>
              <line className="grid" x1={X0} x2={X1} y1={y(t)} y2={y(t)} />
              <text className="tick-y" x={X0 - 5} y={y(t) + 3}>
                {fmt(t)}
              </text>
            </g>
          ))}
          <text className="axis-label" x={(X0 + X1) / 2} y={H - 6}>
            {props.xLabel}
          </text>
          <text
            className="axis-label"
            transform={`translate(12 ${(Y0 + Y1) / 2}) rotate(-90)`}
            x={0}
            y={0}
          >
            {props.yLabel}
          </text>
        </g>
        {props.children}
        <g className="legend">
          {props.legend.map(([cls, name], i) => (
            <g key={cls} transform={`translate(${X0 + 8 + i * 92} ${Y1 + 6})`}>
              <line className={`series ${cls}`} x1={0} x2={14} y1={0} y2={0} />
              <text x={18} y={3}>
                {name}
              </text>
            </g>
          ))}
        </g>
      </svg>
      <div className="chart-foot">
        {props.note && <span className="hint">{props.note}</span>}
        <button
          type="button"
          onClick={() => ref.current && downloadSvg(ref.current, `raftlab-${id}.svg`)}
        >
          Export SVG
        </button>
      </div>
    </figure>
  );
}

const secs = (us: number) => `${+(us / 1e6).toFixed(1)}`;
const mid = (b: ChartBucket) => (b.startUs + b.endUs) / 2;

/** The panel's body (lazy-panels.tsx loads it when the panel opens). */
export function ChartsBody() {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  const tick = usePlayground((s) => s.tick);
  const scan = useMemo(() => (session ? new LeaderScan(session.timeline) : null), [session]);
  const count = session?.history.length ?? 0;
  const data = useMemo(
    () => (session && scan ? chartsData(session.history, viewUs, scan.update()) : null),
    // the history and the trace grow in place: the tick and the length say when they moved
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [session, scan, count, tick, viewUs],
  );
  if (!data) return null;

  const x = scaleLinear().domain([0, data.endUs]).range([X0, X1]);
  const xTicks = x.ticks(6);
  const timeAxis = {
    x,
    xTicks,
    xFormat: secs,
    xLabel: `simulated time (s), buckets of ${data.bucketUs / 1000} ms`,
  };
  const b = data.buckets;
  const maxRate = Math.max(1, ...b.map((k) => Math.max(k.readsPerS, k.writesPerS)));
  const yRate = scaleLinear().domain([0, maxRate]).nice().range([Y0, Y1]);
  const p50s = b.flatMap((k) => (k.p50Ms === null ? [] : [k.p50Ms]));
  // log: a stalled call's seconds and the usual milliseconds on one axis
  const yLat = scaleLog()
    .domain([Math.max(0.01, Math.min(1, ...p50s)), Math.max(10, data.maxP99Ms)])
    .nice()
    .range([Y0, Y1]);
  const maxFailed = Math.max(1, ...b.map((k) => k.failedWrites));
  const yFail = scaleLinear().domain([0, maxFailed]).nice().range([Y0, Y1]);
  const rateLine = (f: (k: ChartBucket) => number) =>
    line<ChartBucket>()
      .x((k) => x(mid(k)))
      .y((k) => yRate(f(k)))(b) ?? '';
  const latLine = (f: (k: ChartBucket) => number | null) =>
    line<ChartBucket>()
      .defined((k) => f(k) !== null)
      .x((k) => x(mid(k)))
      .y((k) => yLat(f(k)!))(b) ?? '';
  const span = secs(data.endUs);
  const peak = (f: (k: ChartBucket) => number) => plain(Math.max(0, ...b.map(f)));
  const slot = (X1 - X0) / b.length;
  const lc = data.leaderChanges;

  return (
    <div id="charts-body" className="charts-body">
      <p className="hint">
        The client calls of this run up to the viewed time ({span} s): {data.totals.reads} reads and{' '}
        {data.totals.writes} writes answered, {data.totals.failedWrites} writes failed.
      </p>
      <div className="chart-grid">
        <Chart
          id="throughput"
          title="Throughput"
          summary={`Throughput over ${span} s of simulated time: up to ${peak((k) => k.readsPerS)} reads/s and ${peak((k) => k.writesPerS)} writes/s per bucket; ${data.totals.reads} reads and ${data.totals.writes} writes in all.`}
          {...timeAxis}
          y={yRate}
          yTicks={yRate.ticks(5)}
          yLabel="calls / s"
          legend={[
            ['reads', 'reads'],
            ['writes', 'writes'],
          ]}
        >
          <path className="series reads" d={rateLine((k) => k.readsPerS)} />
          <path className="series writes" d={rateLine((k) => k.writesPerS)} />
        </Chart>
        <Chart
          id="latency"
          title="Latency"
          summary={`Latency over ${span} s of simulated time: p50 per bucket ${p50s.length ? `${plain(Math.min(...p50s))} to ${plain(Math.max(...p50s))}` : 'none'} ms, highest p99 ${plain(data.maxP99Ms)} ms.`}
          {...timeAxis}
          y={yLat}
          yTicks={decades(yLat)}
          yLabel="ms (log)"
          legend={[
            ['p50', 'p50'],
            ['p99', 'p99'],
          ]}
        >
          <path className="series p50" d={latLine((k) => k.p50Ms)} />
          <path className="series p99" d={latLine((k) => k.p99Ms)} />
        </Chart>
        <Chart
          id="failures"
          title="Failed writes and leader changes"
          summary={`${data.totals.failedWrites} failed writes and ${lc.length} leader elections over ${span} s of simulated time${
            lc.length
              ? `; leaders elected at ${lc
                  .slice(0, 8)
                  .map((m) => `${secs(m.atUs)} s (n${m.node})`)
                  .join(', ')}${lc.length > 8 ? ' and more' : ''}`
              : ''
          }.`}
          {...timeAxis}
          y={yFail}
          yTicks={yFail.ticks(Math.min(4, maxFailed))}
          yLabel="failed writes"
          legend={[
            ['failed', 'failed writes'],
            ['leader', 'new leader'],
          ]}
        >
          {b.map((k, i) =>
            k.failedWrites > 0 ? (
              <rect
                key={i}
                className="bar failed"
                x={X0 + i * slot + slot * 0.1}
                width={Math.max(1, slot * 0.8)}
                y={yFail(k.failedWrites)}
                height={Y0 - yFail(k.failedWrites)}
              />
            ) : null,
          )}
          {lc.map((m, i) => (
            <line
              key={i}
              className="series leader"
              x1={x(m.atUs)}
              x2={x(m.atUs)}
              y1={Y0}
              y2={Y1 + 14}
            >
              <title>{`n${m.node} leader at ${secs(m.atUs)} s`}</title>
            </line>
          ))}
        </Chart>
        <ReadPathsChart />
      </div>
    </div>
  );
}

const PATH_CLASS: Record<string, string> = {
  log: 'path-log',
  'read-index': 'path-read-index',
  lease: 'path-lease',
  serializable: 'path-serializable',
};

function ReadPathsChart() {
  const paths = Object.entries(READ_PATHS);
  const all = paths.flatMap(([, pts]) => pts);
  const cs = all.map((p) => p.concurrency);
  const rs = all.map((p) => p.reads_per_s);
  const x = scaleLog()
    .base(2)
    .domain([Math.min(...cs), Math.max(...cs)])
    .range([X0, X1]);
  const y = scaleLog()
    .domain([Math.min(...rs), Math.max(...rs)])
    .nice()
    .range([Y0, Y1]);
  const xTicks = [...new Set(cs)].sort((a, b) => a - b);
  const yTicks = decades(y);
  const summary = `Reads per second over client concurrency (log axes), for each read path: ${paths
    .map(([name, pts]) => {
      const first = pts[0];
      const last = pts.at(-1);
      return first && last
        ? `${name} ${plain(first.reads_per_s)} at ${first.concurrency} to ${plain(last.reads_per_s)} at ${last.concurrency}`
        : name;
    })
    .join('; ')}.`;
  return (
    <Chart
      id="read-paths"
      title="Read throughput by read path"
      summary={summary}
      x={x}
      y={y}
      xTicks={xTicks}
      xFormat={String}
      xLabel="concurrent clients (log)"
      yTicks={yTicks}
      yLabel="reads / s (log)"
      legend={paths.map(([name]) => [PATH_CLASS[name] ?? name, name])}
      note="measured by npm run bench -- stories"
    >
      {paths.map(([name, pts]) => (
        <g key={name}>
          <path
            className={`series ${PATH_CLASS[name] ?? name}`}
            d={
              line<ReadPoint>()
                .x((p) => x(p.concurrency))
                .y((p) => y(p.reads_per_s))(pts) ?? ''
            }
          />
          {pts.map((p) => (
            <circle
              key={p.concurrency}
              className={`dot ${PATH_CLASS[name] ?? name}`}
              cx={x(p.concurrency)}
              cy={y(p.reads_per_s)}
              r={2.5}
            />
          ))}
        </g>
      ))}
    </Chart>
  );
}
