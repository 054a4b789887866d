// What the cluster looked like at any simulated time, derived from the trace alone. The
// playground draws from this, so pause, speed, step and scrubbing back are exact: the picture at
// time t is a pure function of the records up to t (design.md, Motion). Node state is a fold over
// records, with a checkpoint every CHECKPOINT_EVERY records so that looking back never refolds
// the whole run; messages are kept with their send and delivery times, so a message's place on
// its link is an interpolation.
import type { TraceRecord } from './conductor';
import { TraceHasher } from './trace-hash';

export type Liveness = 'up' | 'down' | 'paused';
export type RaftRole = 'StateFollower' | 'StatePreCandidate' | 'StateCandidate' | 'StateLeader';

export interface NodeView {
  id: number;
  liveness: Liveness;
  role: RaftRole;
  term: number;
  vote: number;
  /** The leader this node follows (0: none known). */
  lead: number;
  commit: number;
  applied: number;
  /** When this node last heard from its leader or changed state: the election timer's start. */
  timerStartUs: number;
  /** Why the node could not start, if its latest start failed. */
  startError?: string;
}

export interface MessageView {
  msgId: number;
  type: string;
  from: number;
  to: number;
  sentUs: number;
  /** Delivery time of this copy (a duplicated message has two). */
  deliverUs: number;
  /** Set when the message died on the wire (a cut link, a down node) or was lost. */
  droppedUs?: number;
  dropReason?: string;
}

export interface MessageRecord {
  /** What the message carried (term, index, entries, commit, reject ...), when recorded. */
  fields?: Record<string, unknown>;
  msgId: number;
  type: string;
  from: number;
  to: number;
  sentUs: number;
  deliverUs: number[];
  droppedUs?: number;
  dropReason?: string;
}

const CHECKPOINT_EVERY = 2048;
const SEND_FIELDS = [
  'term',
  'index',
  'logTerm',
  'entries',
  'commit',
  'reject',
  'rejectHint',
  'snapshotIndex',
  'ctx',
];

function messageFields(r: TraceRecord): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const f of SEND_FIELDS) {
    if (r[f] !== undefined) (out ??= {})[f] = r[f];
  }
  return out;
}
/** How long a dropped message stays visible, dying where it was cut. */
export const DYING_US = 150_000;
/** The flight a message dropped at send time would have had: only its direction matters. */
const NOMINAL_FLIGHT_US = 1_000;

function freshNode(id: number, atUs: number): NodeView {
  return {
    id,
    liveness: 'up',
    role: 'StateFollower',
    term: 0,
    vote: 0,
    lead: 0,
    commit: 0,
    applied: 0,
    timerStartUs: atUs,
  };
}

type NodeMap = Map<number, NodeView>;

function cloneNodes(nodes: NodeMap): NodeMap {
  const out: NodeMap = new Map();
  for (const [id, n] of nodes) out.set(id, { ...n });
  return out;
}

/** Applies one record to the node states (mutating `nodes`). */
function fold(nodes: NodeMap, r: TraceRecord): void {
  const id = r.node;
  if (id === undefined) return;
  let n = nodes.get(id);
  switch (r.kind) {
    case 'node-start': {
      const prev = n;
      n = freshNode(id, r.atUs);
      // A restart keeps what the disk kept: term, vote and commit come back with the next persist.
      if (prev) Object.assign(n, { term: prev.term, vote: prev.vote, commit: prev.commit });
      nodes.set(id, n);
      return;
    }
    case 'node-added':
      nodes.set(id, { ...freshNode(id, r.atUs), liveness: 'down' });
      return;
  }
  if (!n) return;
  switch (r.kind) {
    case 'crash':
      n.liveness = 'down';
      n.role = 'StateFollower';
      n.lead = 0;
      return;
    case 'start-failed':
      n.liveness = 'down';
      n.startError = String(r.error);
      return;
    case 'pause':
      n.liveness = 'paused';
      return;
    case 'resume':
      n.liveness = 'up';
      n.timerStartUs = r.atUs;
      return;
    case 'state':
      n.role = r.to as RaftRole;
      if (typeof r.term === 'number') n.term = r.term;
      n.timerStartUs = r.atUs;
      return;
    case 'leader-change':
      n.lead = r.to as number;
      n.timerStartUs = r.atUs;
      return;
    case 'persist': {
      const hs = r.hardState as { term: number; vote: number; commit: number } | undefined;
      if (hs) {
        n.term = hs.term;
        n.vote = hs.vote;
        n.commit = hs.commit;
      }
      return;
    }
    case 'apply':
    case 'apply-conf':
    case 'snapshot-restored':
      if (typeof r.index === 'number' && r.index > n.applied) n.applied = r.index;
      return;
    case 'recv':
      // Hearing from the leader resets a follower's election timer.
      if (r.from === n.lead) n.timerStartUs = r.atUs;
      return;
  }
}

export class Timeline {
  private readonly records: TraceRecord[] = [];
  /** Node states after records[0 .. (i + 1) * CHECKPOINT_EVERY). */
  private readonly checkpoints: NodeMap[] = [];
  private readonly head: NodeMap = new Map();
  private readonly messages: MessageRecord[] = [];
  private readonly byMsgId = new Map<number, MessageRecord>();
  /** The longest a message has been in flight: bounds the search for messages in flight. */
  private maxFlightUs = 0;

  constructor(nodeIds: readonly number[]) {
    for (const id of nodeIds) this.head.set(id, { ...freshNode(id, 0), liveness: 'down' });
  }

  get length(): number {
    return this.records.length;
  }

  get lastUs(): number {
    return this.records[this.records.length - 1]?.atUs ?? 0;
  }

  record(i: number): TraceRecord | undefined {
    return this.records[i];
  }

  push(r: TraceRecord): void {
    this.records.push(r);
    fold(this.head, r);
    if (this.records.length % CHECKPOINT_EVERY === 0) this.checkpoints.push(cloneNodes(this.head));
    switch (r.kind) {
      case 'send': {
        const m: MessageRecord = {
          msgId: r.msgId as number,
          type: String(r.type),
          from: r.node as number,
          to: r.to as number,
          sentUs: r.atUs,
          deliverUs: (r.deliverAtUs as number[]) ?? [],
          fields: messageFields(r),
        };
        this.messages.push(m);
        this.byMsgId.set(m.msgId, m);
        for (const d of m.deliverUs) this.maxFlightUs = Math.max(this.maxFlightUs, d - m.sentUs);
        return;
      }
      case 'duplicate': {
        const m = this.byMsgId.get(r.msgId as number);
        if (m && typeof r.deliverAtUs === 'number') m.deliverUs.push(r.deliverAtUs);
        return;
      }
      case 'drop': {
        const m = this.byMsgId.get(r.msgId as number);
        if (m) {
          if (m.droppedUs === undefined) {
            m.droppedUs = r.atUs;
            m.dropReason = String(r.reason);
          }
          return;
        }
        // Dropped as it was sent (a cut link, loss): it never got on the wire, so it dies at the
        // sender's end of the link. The conductor names the sender `node` and the target `to`.
        if (typeof r.to !== 'number' || typeof r.node !== 'number') return;
        const dead: MessageRecord = {
          msgId: r.msgId as number,
          type: String(r.type),
          from: r.node,
          to: r.to,
          sentUs: r.atUs,
          deliverUs: [r.atUs + NOMINAL_FLIGHT_US],
          droppedUs: r.atUs,
          dropReason: String(r.reason),
        };
        this.messages.push(dead);
        this.byMsgId.set(dead.msgId, dead);
        return;
      }
    }
  }

  /** A message by id: its ends, type, send time, delivery times and fate. */
  message(msgId: number): Readonly<MessageRecord> | undefined {
    return this.byMsgId.get(msgId);
  }

  /** Index of the first record with atUs > t (records are in time order). */
  indexAfter(tUs: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid]!.atUs <= tUs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Every node's state after all records up to and including time `tUs`. */
  nodesAt(tUs: number): NodeView[] {
    // Several panels ask for the same moment each frame: answer repeats from the last fold.
    const memo = this.lastNodes;
    if (memo && memo.tUs === tUs && memo.length === this.records.length)
      return memo.nodes.map((n) => ({ ...n }));
    const nodes = this.foldNodesAt(tUs);
    this.lastNodes = { tUs, length: this.records.length, nodes };
    return nodes.map((n) => ({ ...n }));
  }

  private lastNodes: { tUs: number; length: number; nodes: NodeView[] } | undefined;

  private foldNodesAt(tUs: number): NodeView[] {
    const end = this.indexAfter(tUs);
    let state: NodeMap;
    if (end === this.records.length) {
      state = this.head;
    } else {
      const k = Math.floor(end / CHECKPOINT_EVERY);
      state = k > 0 ? cloneNodes(this.checkpoints[k - 1]!) : this.initial();
      for (let i = k * CHECKPOINT_EVERY; i < end; i++) fold(state, this.records[i]!);
    }
    return [...state.values()].map((n) => ({ ...n })).sort((a, b) => a.id - b.id);
  }

  private initial(): NodeMap {
    const m: NodeMap = new Map();
    for (const id of this.head.keys()) m.set(id, { ...freshNode(id, 0), liveness: 'down' });
    return m;
  }

  /**
   * Messages on the wire at `tUs`, one entry per copy; a dropped message stays for DYING_US
   * after it died, so the UI can show it dying where it was cut.
   */
  messagesAt(tUs: number): MessageView[] {
    const out: MessageView[] = [];
    const oldest = tUs - Math.max(this.maxFlightUs, DYING_US);
    // Messages are in send order: walk back from the newest sent at or before t.
    for (let i = this.lastSentAtOrBefore(tUs); i >= 0; i--) {
      const m = this.messages[i]!;
      if (m.sentUs < oldest) break;
      for (const d of m.deliverUs) {
        const dead = m.droppedUs !== undefined && m.droppedUs <= tUs;
        if (dead ? tUs - m.droppedUs! <= DYING_US && m.droppedUs! <= d : d > tUs) {
          const v: MessageView = {
            msgId: m.msgId,
            type: m.type,
            from: m.from,
            to: m.to,
            sentUs: m.sentUs,
            deliverUs: d,
          };
          if (dead) {
            v.droppedUs = m.droppedUs!;
            v.dropReason = m.dropReason!;
          }
          out.push(v);
        }
      }
    }
    return out.reverse();
  }

  private lastSentAtOrBefore(tUs: number): number {
    let lo = 0;
    let hi = this.messages.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.messages[mid]!.sentUs <= tUs) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /**
   * The trace hash of the run up to and including `tUs`: what a run replayed to that time
   * reports. (The records are the very objects the conductor hashed, in order.)
   */
  traceHashAt(tUs: number): string {
    const h = new TraceHasher();
    const end = this.indexAfter(tUs);
    for (let i = 0; i < end; i++) h.add(this.records[i]!);
    return h.digest();
  }

  /** Records in [fromUs, toUs], oldest first, at most `limit` of the newest. */
  between(fromUs: number, toUs: number, limit = 500): TraceRecord[] {
    const end = this.indexAfter(toUs);
    const start = Math.max(this.indexAfter(fromUs - 1), end - limit);
    return this.records.slice(start, end);
  }

  /** The first record after `fromIndex` that `match` accepts (for "step to the next ..."). */
  findNext(fromIndex: number, match: (r: TraceRecord) => boolean): number {
    for (let i = fromIndex; i < this.records.length; i++) if (match(this.records[i]!)) return i;
    return -1;
  }
}

/** Where a message is on its link at `tUs`, from 0 (sender) to 1 (receiver). */
export function messageProgress(m: MessageView, tUs: number): number {
  const end = m.droppedUs ?? m.deliverUs;
  const at = Math.min(tUs, end);
  const span = m.deliverUs - m.sentUs;
  return span <= 0 ? 1 : Math.max(0, Math.min(1, (at - m.sentUs) / span));
}
