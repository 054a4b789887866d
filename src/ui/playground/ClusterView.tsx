import { arc } from 'd3';
import { useMemo } from 'react';
import { PROXY_NODE } from '../../sim/proxy-node';
import type { NodeView } from '../../sim/timeline';
import { act, settingsAt } from './actions';
import {
  NODE_RADIUS,
  VIEW_SIZE,
  linkStatesAt,
  proxyPosition,
  ringPositions,
  type LinkState,
  type Point,
} from './geometry';
import { loadIndex } from './load-index';
import { MessageLayer } from './MessageLayer';
import { ReadLayer } from './ReadLayer';
import { readRoundsOf } from './read-rounds';
import { ProxyGlyph, ProxyLinks } from './ProxyGlyph';
import { usePlayground } from './store';
import type { Session } from '../../sim/session';

const ROLE_LABEL: Record<NodeView['role'], string> = {
  StateLeader: 'leader',
  StateCandidate: 'candidate',
  StatePreCandidate: 'pre-candidate',
  StateFollower: 'follower',
};

function nodeLabel(n: NodeView): string {
  const state =
    n.liveness === 'down' ? 'crashed' : n.liveness === 'paused' ? 'paused' : ROLE_LABEL[n.role];
  return `n${n.id}, ${state}, term ${n.term}`;
}

const timerArc = arc<{ endAngle: number }>()
  .innerRadius(NODE_RADIUS + 3)
  .outerRadius(NODE_RADIUS + 7)
  .startAngle(0);

function NodeGlyph({
  n,
  at,
  selected,
  grouped,
  electionUs,
  viewUs,
  interactive,
  cpuShare,
}: {
  n: NodeView;
  at: Point;
  selected: boolean;
  grouped: boolean;
  electionUs: number;
  viewUs: number;
  interactive: boolean;
  /** Its client-facing CPU over the last second, as a share of its cores (load-index.ts). */
  cpuShare: number;
}) {
  const cls =
    n.liveness !== 'up'
      ? `node node-${n.liveness}`
      : `node node-${ROLE_LABEL[n.role].replace(' ', '-')}`;
  const timer =
    n.liveness === 'up' && n.role !== 'StateLeader'
      ? Math.max(0, Math.min(1, (viewUs - n.timerStartUs) / electionUs))
      : 0;
  const select = (shift: boolean) => {
    const st = usePlayground.getState();
    if (shift) {
      // Shift: gather nodes into a group to partition from the rest.
      const group = st.group.includes(n.id)
        ? st.group.filter((g) => g !== n.id)
        : [...st.group, n.id];
      st.set({ group });
    } else st.set({ selectedNode: selected ? null : n.id });
  };
  const acts = interactive
    ? {
        role: 'button',
        tabIndex: 0,
        'aria-pressed': selected,
        onClick: (e: React.MouseEvent) => select(e.shiftKey),
        onKeyDown: (e: React.KeyboardEvent) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            select(e.shiftKey);
          }
        },
      }
    : { role: 'img' };
  return (
    <g
      className={`${cls}${selected ? ' selected' : ''}${grouped ? ' grouped' : ''}`}
      transform={`translate(${at.x},${at.y})`}
      aria-label={nodeLabel(n)}
      data-testid={`node-${n.id}`}
      data-role={n.role}
      data-term={n.term}
      data-liveness={n.liveness}
      {...acts}
    >
      <circle r={NODE_RADIUS} />
      {timer > 0 && (
        <path className="election-timer" d={timerArc({ endAngle: timer * 2 * Math.PI }) ?? ''} />
      )}
      <text className="node-id" y={-6}>
        n{n.id}
      </text>
      <text className="node-term" y={12}>
        term {n.term}
      </text>
      <text className="node-index" y={NODE_RADIUS + 20}>
        commit {n.commit} · applied {n.applied}
      </text>
      {cpuShare > 0 && (
        <text className="node-load" y={NODE_RADIUS + 34} data-testid={`node-load-${n.id}`}>
          client cpu {formatShare(cpuShare)}
        </text>
      )}
    </g>
  );
}

function formatShare(x: number): string {
  const pct = 100 * x;
  return pct < 10 ? `${pct.toFixed(1)}%` : `${Math.round(pct)}%`;
}

function Link({
  a,
  b,
  pa,
  pb,
  state,
  interactive,
}: {
  a: number;
  b: number;
  pa: Point;
  pb: Point;
  state: LinkState;
  interactive: boolean;
}) {
  const toggle = (oneWay: boolean) => {
    const kind = state === 'connected' ? 'cut' : 'heal';
    void act({ kind, from: a, to: b, oneWay });
  };
  // A thin line has no height to click (or for Chromium to call visible) when it is horizontal:
  // a transparent band around it is the button; the line is what shows.
  const dx = pb.x - pa.x;
  const dy = pb.y - pa.y;
  const len = Math.hypot(dx, dy) || 1;
  const nx = (-dy / len) * 9;
  const ny = (dx / len) * 9;
  const band = [
    [pa.x + nx, pa.y + ny],
    [pb.x + nx, pb.y + ny],
    [pb.x - nx, pb.y - ny],
    [pa.x - nx, pa.y - ny],
  ]
    .map((p) => p.join(','))
    .join(' ');
  if (!interactive)
    return (
      <g className={`link link-${state.replace(/ /g, '-')}`}>
        <line x1={pa.x} y1={pa.y} x2={pb.x} y2={pb.y} />
      </g>
    );
  return (
    <g
      className={`link link-${state.replace(/ /g, '-')}`}
      role="button"
      tabIndex={0}
      aria-label={`link n${a} to n${b}, ${state}`}
      data-testid={`link-${a}-${b}`}
      onClick={(e) => toggle(e.shiftKey)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          toggle(e.shiftKey);
        }
      }}
    >
      <title>
        {state === 'connected'
          ? 'Click to cut this link; shift-click to cut '
          : 'Click to heal; shift-click: '}
        n{a} → n{b}
        {state === 'connected' ? ' only' : ''}
      </title>
      <polygon className="link-hit" points={band} />
      <line x1={pa.x} y1={pa.y} x2={pb.x} y2={pb.y} />
    </g>
  );
}

export function ClusterView() {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  usePlayground((s) => s.tick); // re-render when the run moves (members can be added)
  const selected = usePlayground((s) => s.selectedNode);
  const group = usePlayground((s) => s.group);
  if (!session) return <div className="cluster-loading">Starting the cluster…</div>;
  return <ClusterDiagram session={session} viewUs={viewUs} selected={selected} group={group} />;
}

/**
 * The cluster of `session` at `viewUs`: nodes on a ring, links, messages on the wire and the read
 * paths (ReadLayer). `interactive` (the playground's own run): nodes, links and messages act on
 * the run; a run shown for comparison only looks.
 */
export function ClusterDiagram({
  session,
  viewUs,
  selected = null,
  group = [],
  interactive = true,
  label = 'The cluster',
}: {
  session: Session;
  viewUs: number;
  selected?: number | null;
  group?: readonly number[];
  interactive?: boolean;
  label?: string;
}) {
  const idsKey = session.cluster.conductor.nodeIds().join(',');
  const ids = useMemo(() => (idsKey === '' ? [] : idsKey.split(',').map(Number)), [idsKey]);
  const hasProxy = session.proxy !== undefined;
  const pos = useMemo(() => {
    const p = ringPositions(ids);
    if (hasProxy) p.set(PROXY_NODE, proxyPosition(ids.length));
    return p;
  }, [ids, hasProxy]);
  const load = loadIndex(session.timeline);
  const cores = settingsAt(session, viewUs).cpuCores;
  const nodes = session.timeline.nodesAt(viewUs);
  const messages = session.timeline.messagesAt(viewUs);
  const linkState = linkStatesAt(session.scenario.actions, viewUs);
  const electionUs = settingsAt(session, viewUs).electionTimeoutMs * 1000;
  const reads = readRoundsOf(session.timeline);
  const scene = reads.sceneAt(viewUs);
  const links: [number, number][] = [];
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++) links.push([ids[i]!, ids[j]!]);
  return (
    <svg
      className={`cluster${interactive ? '' : ' cluster-still'}`}
      viewBox={`0 0 ${VIEW_SIZE} ${VIEW_SIZE}`}
      role="group"
      aria-label={label}
    >
      <g className="links">
        {links.map(([a, b]) => (
          <Link
            key={`${a}-${b}`}
            a={a}
            b={b}
            pa={pos.get(a)!}
            pb={pos.get(b)!}
            state={linkState(a, b)}
            interactive={interactive}
          />
        ))}
      </g>

      {hasProxy && <ProxyLinks at={pos.get(PROXY_NODE)!} members={ids.map((id) => pos.get(id)!)} />}

      <g className="nodes">
        {nodes.map((n) => (
          <NodeGlyph
            key={n.id}
            n={n}
            at={pos.get(n.id) ?? { x: 0, y: 0 }}
            selected={selected === n.id}
            grouped={group.includes(n.id)}
            electionUs={electionUs}
            viewUs={viewUs}
            interactive={interactive}
            cpuShare={load.cpuShare(n.id, viewUs, cores)}
          />
        ))}
      </g>
      <ReadLayer scene={scene} nodes={nodes} pos={pos} />
      {hasProxy && <ProxyGlyph at={pos.get(PROXY_NODE)!} view={load.proxyAt(viewUs)} />}
      {/* Messages last: small and moving, they stay clickable over the nodes they leave. */}
      <MessageLayer
        messages={messages}
        pos={pos}
        viewUs={viewUs}
        marks={reads.marks}
        interactive={interactive}
      />
    </svg>
  );
}
