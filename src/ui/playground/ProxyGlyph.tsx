// The gRPC proxy in the cluster view (source article 001): a node of its own, in front of the
// members, with a dashed link to each (the messages on them are its calls and their answers), its
// cache's hit rate, and how many watchers on how many key ranges share how many watch streams to
// the cluster (once coalesced, one stream a range).
import type { Point } from './geometry';
import type { ProxyView } from './load-index';
import './proxy.css';

const W = 128;
const H = 72;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function proxyLabel(v: ProxyView): string {
  const total = v.hits + v.misses;
  const rate = total === 0 ? 'no gets yet' : `hit rate ${Math.round((100 * v.hits) / total)}%`;
  const share = v.watchers === 1 ? 'uses' : 'share';
  return `gRPC proxy, ${rate}, ${plural(v.watchers, 'watcher')} on ${plural(v.ranges, 'key range')} ${share} ${plural(v.upstream, 'watch stream')}`;
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
      data-ranges={view.ranges}
      data-upstream={view.upstream}
    >
      <title>{proxyLabel(view)}</title>
      <rect x={-W / 2} y={-H / 2} width={W} height={H} rx={10} />
      <text className="proxy-title" y={-16}>
        proxy
      </text>
      <text className="proxy-figure" y={0} data-testid="proxy-hit-rate">
        hits {rate}
      </text>
      <text className="proxy-figure" y={14} data-testid="proxy-watchers">
        {plural(view.watchers, 'watcher')}
      </text>
      <text className="proxy-figure" y={28} data-testid="proxy-streams">
        {plural(view.ranges, 'range')} · {plural(view.upstream, 'stream')}
      </text>
    </g>
  );
}
