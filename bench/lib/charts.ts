// SVG charts as strings, drawn with d3's scales and shapes in Node (no DOM): a line chart and a
// grouped bar chart, enough for BENCHMARKS.md. Text is escaped; sizes are fixed so the files
// diff cleanly between runs.
import { line, scaleBand, scaleLinear, scaleLog, scaleOrdinal } from 'd3';

const W = 640;
const H = 360;
const M = { top: 36, right: 150, bottom: 48, left: 64 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a >= 1) return `${+v.toPrecision(3)}`;
  return `${+v.toPrecision(2)}`;
}

function frame(title: string, xLabel: string, yLabel: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT}>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="20" font-size="14" font-weight="600">${esc(title)}</text>`,
    `<text x="${M.left + (W - M.left - M.right) / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${M.top + (H - M.top - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function legend(names: string[], dashed: ReadonlySet<string> = new Set()): string[] {
  return names.map((n, i) => {
    const y = M.top + 10 + i * 18;
    const x = W - M.right + 12;
    const dash = dashed.has(n) ? ' stroke-dasharray="5 3"' : '';
    return `<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${COLORS[i % COLORS.length]}" stroke-width="3"${dash}/><text x="${x + 24}" y="${y + 4}">${esc(n)}</text>`;
  });
}

export interface LineSeries {
  name: string;
  points: [number, number][];
  dashed?: boolean;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  series: LineSeries[];
}

export function lineChart(c: LineChart): string {
  const all = c.series.flatMap((s) => s.points).filter(([x, y]) => (!c.yLog || y > 0) && x > 0);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xDomain: [number, number] = [Math.min(...xs), Math.max(...xs)];
  const yMax = Math.max(...ys);
  const yMin = c.yLog ? Math.min(...ys) : 0;
  const x = (c.xLog ? scaleLog().base(2) : scaleLinear())
    .domain(xDomain)
    .range([M.left, W - M.right]);
  const y = (c.yLog ? scaleLog() : scaleLinear())
    .domain([yMin, yMax * 1.05 || 1])
    .nice()
    .range([H - M.bottom, M.top]);
  const body: string[] = [];
  const yTicks = c.yLog ? y.ticks(6).filter((t) => /^[125]/.test(String(t))) : y.ticks(6);
  for (const t of yTicks) {
    body.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  const xTicks = c.xLog ? [...new Set(xs)].sort((a, b) => a - b) : x.ticks(6);
  for (const t of xTicks) {
    body.push(
      `<line x1="${x(t)}" x2="${x(t)}" y1="${H - M.bottom}" y2="${H - M.bottom + 4}" stroke="#333"/><text x="${x(t)}" y="${H - M.bottom + 18}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  body.push(
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#333"/>`,
  );
  const path = line<[number, number]>()
    .x((p) => x(p[0]))
    .y((p) => y(p[1]));
  c.series.forEach((s, i) => {
    const pts = s.points.filter(([px, py]) => px > 0 && (!c.yLog || py > 0));
    const color = COLORS[i % COLORS.length];
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    body.push(
      `<path d="${path(pts) ?? ''}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`,
      ...pts.map(([px, py]) => `<circle cx="${x(px)}" cy="${y(py)}" r="3" fill="${color}"/>`),
    );
  });
  body.push(
    ...legend(
      c.series.map((s) => s.name),
      new Set(c.series.filter((s) => s.dashed).map((s) => s.name)),
    ),
  );
  return frame(c.title, c.xLabel, c.yLabel, body);
}

export interface BarChart {
  title: string;
  xLabel: string;
  yLabel: string;
  /** The groups along the x axis. */
  groups: string[];
  /** One bar per series in each group; values[i] belongs to groups[i]. */
  series: { name: string; values: number[] }[];
}

export function barChart(c: BarChart): string {
  const x = scaleBand()
    .domain(c.groups)
    .range([M.left, W - M.right])
    .padding(0.2);
  const inner = scaleBand()
    .domain(c.series.map((s) => s.name))
    .range([0, x.bandwidth()])
    .padding(0.05);
  const max = Math.max(...c.series.flatMap((s) => s.values), 0);
  const y = scaleLinear()
    .domain([0, max * 1.1 || 1])
    .nice()
    .range([H - M.bottom, M.top]);
  const color = scaleOrdinal<string, string>()
    .domain(c.series.map((s) => s.name))
    .range(COLORS);
  const body: string[] = [];
  for (const t of y.ticks(6)) {
    body.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  c.groups.forEach((g, gi) => {
    const gx = x(g) ?? 0;
    body.push(
      `<text x="${gx + x.bandwidth() / 2}" y="${H - M.bottom + 18}" text-anchor="middle">${esc(g)}</text>`,
    );
    for (const s of c.series) {
      const v = s.values[gi] ?? 0;
      const bx = gx + (inner(s.name) ?? 0);
      body.push(
        `<rect x="${bx}" y="${y(v)}" width="${inner.bandwidth()}" height="${H - M.bottom - y(v)}" fill="${color(s.name)}"/>`,
        `<text x="${bx + inner.bandwidth() / 2}" y="${y(v) - 4}" text-anchor="middle" font-size="10">${fmt(v)}</text>`,
      );
    }
  });
  body.push(
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#333"/>`,
    ...legend(c.series.map((s) => s.name)),
  );
  return frame(c.title, c.xLabel, c.yLabel, body);
}
