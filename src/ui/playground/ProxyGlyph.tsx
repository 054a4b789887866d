// The gRPC proxy in the cluster view (source article 001): a node of its own, in front of the
// members, with a dashed link to each (the messages on them are its calls and their answers), its
// cache's hit rate, and how many watchers share how many watch streams to the cluster.
import type { Point } from './geometry';
import type { ProxyView } from './load-index';
import './proxy.css';

const W = 118;
const H = 58;

export function proxyLabel(v: ProxyView): string {
  const total = v.hits + v.misses;
  const rate = total === 0 ? 'no gets yet' : `hit rate ${Math.round((100 * v.hits) / total)}%`;
  return `gRPC proxy, ${rate}, ${v.watchers} watchers on ${v.upstream} watch streams`;
}

export function ProxyLinks({ at, members }: { at: Point; members: readonly Point[] }) {
  return (
    <g className="proxy-link" aria-hidden="true">
      {members.map((m, i) => (
        <line key={i} x1={at.x} y1={at.y} x2={m.x} y2={m.y} />
      ))}
    </g>
  );
}

export function ProxyGlyph({ at, view }: { at: Point; view: ProxyView }) {
  const total = view.hits + view.misses;
  const rate = total === 0 ? '–' : `${Math.round((100 * view.hits) / total)}%`;
  return (
    <g
      className="proxy-node"
      transform={`translate(${at.x},${at.y})`}
      role="img"
      aria-label={proxyLabel(view)}
      data-testid="proxy-node"
      data-hits={view.hits}
      data-misses={view.misses}
      data-watchers={view.watchers}
      data-upstream={view.upstream}
    >
      <title>{proxyLabel(view)}</title>
      <rect x={-W / 2} y={-H / 2} width={W} height={H} rx={10} />
      <text className="proxy-title" y={-10}>
        proxy
      </text>
      <text className="proxy-figure" y={6} data-testid="proxy-hit-rate">
        hits {rate}
      </text>
      <text className="proxy-figure" y={20} data-testid="proxy-watchers">
        {view.watchers} watchers · {view.upstream} up
      </text>
    </g>
  );
}
