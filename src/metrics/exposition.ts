// The Prometheus text exposition format (version 0.0.4), as etcd's /metrics serves it through
// client_golang: per family a HELP and a TYPE line, then its samples; a histogram's buckets are
// cumulative, end with le="+Inf", and are followed by _sum and _count. Families are sorted by
// name and numbers printed as Go's strconv.FormatFloat(v, 'g', -1, 64), so the file reads like
// one curled from a real member. Pure: the same families give the same text.
import type { HistogramSnapshot } from './histogram';

export type Labels = Readonly<Record<string, string>>;

export type MetricFamily =
  | {
      name: string;
      help: string;
      type: 'counter' | 'gauge';
      samples: { labels?: Labels; value: number }[];
    }
  | {
      name: string;
      help: string;
      type: 'histogram';
      samples: { labels?: Labels; value: HistogramSnapshot }[];
    };

/** A number as Go prints a float64 with 'g' and the shortest precision (1e+06, 0.0001, 2208). */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  // Go switches to %e below 1e-4 and, for the shortest form, from 1e+06 on.
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(labels: Labels | undefined, extra?: [string, string]): string {
  const pairs = Object.entries(labels ?? {});
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

/** The whole exposition: every family, sorted by name, each sample on its own line. */
export function formatExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of [...families].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (f.samples.length === 0) continue; // client_golang omits a vector with no children
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    if (f.type !== 'histogram') {
      for (const s of f.samples) lines.push(`${f.name}${labelText(s.labels)} ${goFloat(s.value)}`);
      continue;
    }
    for (const s of f.samples) {
      const h = s.value;
      h.bounds.forEach((le, i) =>
        lines.push(
          `${f.name}_bucket${labelText(s.labels, ['le', goFloat(le)])} ${goFloat(h.cumulative[i]!)}`,
        ),
      );
      lines.push(`${f.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${goFloat(h.count)}`);
      lines.push(`${f.name}_sum${labelText(s.labels)} ${goFloat(h.sum)}`);
      lines.push(`${f.name}_count${labelText(s.labels)} ${goFloat(h.count)}`);
    }
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
