// The messages on the wire, drawn so that a frame stays cheap with hundreds of them (issue 6: 60
// frames per second with 7 nodes and 300 messages in flight).
//
// React renders one circle per message copy, memoized on what does not change while it flies (id,
// type, ends, whether it is dying), so a frame in which messages only move reconciles and commits
// nothing for them. A layout effect then writes each circle's place (cx, cy), computed by the same
// pure geometry as before (messageProgress, alongLink, laneOffset) from the view time, straight to
// the DOM before the frame paints. Why: `npm run bench -- playground` replaying a busy 7-node run
// at 1x spent about 60% of each frame's script in React diffing and committing 300 circles' props
// (render, updateProperties, setProp) for what is two attribute writes per circle.
import { memo, useLayoutEffect, useRef } from 'react';
import { PROXY_NODE } from '../../sim/proxy-node';
import type { MessageView } from '../../sim/timeline';
import { messageProgress } from '../../sim/timeline';
import { alongLink, laneOffset, type Point } from './geometry';
import { READ_MARK_LABEL, type ReadMark } from './read-rounds';
import { usePlayground } from './store';

export function messageClass(type: string): string {
  if (type.startsWith('MsgApp')) return 'msg-app';
  if (type.startsWith('MsgHeartbeat')) return 'msg-heartbeat';
  if (type.startsWith('MsgPreVote')) return 'msg-prevote';
  if (type.startsWith('MsgVote')) return 'msg-vote';
  if (type.startsWith('MsgReadIndex')) return 'msg-readindex';
  if (type.startsWith('MsgSnap')) return 'msg-snap';
  if (type === 'MsgTimeoutNow') return 'msg-timeoutnow';
  if (type.startsWith('Proxy')) return 'msg-proxy';
  return 'msg-other';
}

/** A message's end: a member, or the proxy (src/sim/proxy-node.ts). */
function endName(id: number): string {
  return id === PROXY_NODE ? 'proxy' : `n${id}`;
}

/** One message copy; its place is written by MessageLayer's layout effect. */
const MessageDot = memo(function MessageDot({
  msgId,
  type,
  from,
  to,
  dropReason,
  mark,
  interactive,
}: {
  msgId: number;
  type: string;
  from: number;
  to: number;
  /** Set when the message is dying where it was cut. */
  dropReason: string | undefined;
  /** How the message takes part in a read (read-rounds.ts), drawn larger in its own colour. */
  mark: ReadMark | undefined;
  interactive: boolean;
}) {
  const dying = dropReason !== undefined;
  const cls = `msg ${messageClass(type)}${mark ? ` msg-${mark}` : ''}${dying ? ' msg-dying' : ''}`;
  return (
    <circle
      className={cls}
      r={dying ? 7 : mark ? 6.5 : 5}
      data-msg-type={type}
      data-msg-id={msgId}
      data-read-mark={mark}
      onClick={
        interactive
          ? () => usePlayground.getState().set({ selectedMessage: msgId, playing: false })
          : undefined
      }
    >
      <title>
        {type} {endName(from)} → {endName(to)}
        {mark ? ` (${READ_MARK_LABEL[mark]})` : ''}
        {dying ? ` (dropped: ${dropReason})` : ''}
      </title>
    </circle>
  );
});

export function MessageLayer({
  messages,
  pos,
  viewUs,
  marks,
  interactive = true,
}: {
  messages: readonly MessageView[];
  pos: Map<number, Point>;
  viewUs: number;
  marks?: ReadonlyMap<number, ReadMark>;
  interactive?: boolean;
}) {
  const layer = useRef<SVGGElement>(null);
  // A message between nodes the view does not place (a member just removed) is not drawn.
  const shown = messages.filter((m) => pos.has(m.from) && pos.has(m.to));
  useLayoutEffect(() => {
    const dots = layer.current?.children;
    if (!dots) return;
    // After the commit the circles are in the order of `shown` (keyed children keep DOM order).
    for (let i = 0; i < shown.length && i < dots.length; i++) {
      const m = shown[i]!;
      const a = pos.get(m.from)!;
      const b = pos.get(m.to)!;
      const p = alongLink(a, b, messageProgress(m, viewUs));
      const off = laneOffset(a, b);
      // The same strings React wrote for numeric cx/cy props.
      dots[i]!.setAttribute('cx', String(p.x + off.x));
      dots[i]!.setAttribute('cy', String(p.y + off.y));
    }
  });
  return (
    <g className="messages" aria-hidden="true" ref={layer}>
      {shown.map((m) => (
        <MessageDot
          key={`${m.msgId}-${m.deliverUs}`}
          msgId={m.msgId}
          type={m.type}
          from={m.from}
          to={m.to}
          dropReason={m.droppedUs !== undefined ? (m.dropReason ?? '') : undefined}
          mark={marks?.get(m.msgId)}
          interactive={interactive}
        />
      ))}
    </g>
  );
}
