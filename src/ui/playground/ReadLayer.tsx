// The read paths drawn on the cluster (issue 7): beside each member, a badge with what it is doing
// with reads at the viewed time (read-rounds.ts derives it from the trace): the batch its ReadIndex
// round carries and the acks counted toward quorum, the read index once fixed, the reads queued
// for the next round, reads through the log and their fsyncs, and the answers just given. A
// handful of SVG texts per frame; the messages' own marks are drawn by MessageLayer.
import type { NodeView } from '../../sim/timeline';
import { badgeBox, type Point } from './geometry';
import { badgeLines, type ReadScene } from './read-rounds';
import './read-paths.css';

const LINE_PX = 14;
/** Width of a character of the badge's 11 px monospace font, with a little to spare. */
const CHAR_PX = 7;

export function ReadLayer({
  scene,
  nodes,
  pos,
}: {
  scene: ReadScene;
  nodes: readonly NodeView[];
  pos: Map<number, Point>;
}) {
  const badges = [];
  for (const n of nodes) {
    const reads = scene.nodes.get(n.id);
    const at = pos.get(n.id);
    if (!reads || !at) continue;
    const lines = badgeLines(reads, n.applied);
    if (lines.length === 0) continue;
    const w = 12 + CHAR_PX * Math.max(...lines.map((l) => l.text.length));
    const h = 6 + LINE_PX * lines.length;
    const box = badgeBox(at, w, h);
    const round = reads.round;
    badges.push(
      <g
        key={n.id}
        className={`read-badge read-badge-${lines[0]!.tone}`}
        transform={`translate(${box.x},${box.y})`}
        data-testid={`read-badge-${n.id}`}
        data-batch={round?.batch}
        data-phase={round?.phase}
        data-queued={reads.queued}
        data-log-reads={reads.logReads}
        data-fsyncs={reads.fsyncs}
      >
        <rect width={w} height={h} rx={4} />
        {lines.map((l, i) => (
          <text key={i} className={`tone-${l.tone}`} x={6} y={3 + LINE_PX * (i + 0.75)}>
            {l.text}
          </text>
        ))}
      </g>,
    );
  }
  return (
    <g className="read-layer" aria-hidden="true">
      {badges}
    </g>
  );
}

const LEGEND: [string, string][] = [
  ['read-hb', 'heartbeat carrying a ReadIndex context'],
  ['read-ack', 'its ack, counted toward quorum'],
  ['read-fwd', 'MsgReadIndex from a follower, and the answer'],
  ['log-read', 'a read through the log: MsgProp, MsgApp'],
];

/** What the read marks and badges mean. */
export function ReadLegend() {
  return (
    <div className="read-legend" aria-label="Read paths legend" data-testid="read-legend">
      {LEGEND.map(([mark, text]) => (
        <span key={mark} className="read-legend-item">
          <svg width="16" height="16" aria-hidden="true">
            {/* Not class "msg": that names the messages on the wire. */}
            <circle className={`legend-dot msg-${mark}`} cx="8" cy="8" r="6" />
          </svg>
          {text}
        </span>
      ))}
      <span className="read-legend-item">
        <span className="read-legend-badge tone-read-index">batch 6 · acks 1/2</span>a member’s
        ReadIndex round
      </span>
      <span className="read-legend-item">
        <span className="read-legend-badge tone-lease">lease</span>
        <span className="read-legend-badge tone-log">log · fsync</span>
        <span className="read-legend-badge tone-local">local</span>
        how reads were answered
      </span>
    </div>
  );
}
