// The read paths of a run, derived from its trace alone (issue 7): what each member is doing with
// its linearizable reads at a simulated time, for the cluster view to draw.
//
// - ReadIndex (and lease): reads queue at the member asked ('read' records); one round at a time
//   carries the queue ('read-index', with the reads it carries); a follower sends MsgReadIndex to
//   the leader; the leader's heartbeats carry the round's context and their acks come back (send
//   and recv records with `ctx`); a quorum of acks fixes the read index (the leader's ReadState, or
//   its MsgReadIndexResp to the follower); the reads are served once applied reaches it
//   ('read-served'). A round answered with no heartbeat is a lease read.
// - The log path: the read is a proposal ('propose', whose CRC finds its entry in 'persist'
//   records), a MsgProp to the leader, MsgApps carrying the entry, a disk write (persist to
//   durable) on each member, then apply and the answer.
// - Serializable (and unsafe local-reads): the member answers from its own store at once.
//
// Pure: `ReadRounds` folds records in order (incrementally: `update` takes only the records it has
// not seen, so a frame costs what the run added since the last one) and answers `sceneAt(t)` for
// any time already folded, so pause, speed and scrubbing back draw exactly. Nothing here touches
// React or the DOM.
import type { TraceRecord } from '../../sim/conductor';
import { nearestRank } from '../../sim/metrics';

/** How long an answer stays marked at the member that gave it, in simulated µs. */
export const ANSWER_FLASH_US = 25_000;

/** How a message takes part in a read: drawn in its own colour. */
export type ReadMark = 'read-hb' | 'read-ack' | 'read-fwd' | 'log-read';

export const READ_MARK_LABEL: Record<ReadMark, string> = {
  'read-hb': 'carries a ReadIndex context',
  'read-ack': 'acks a ReadIndex context',
  'read-fwd': 'a follower’s ReadIndex request or its answer',
  'log-read': 'carries a read through the log',
};

export type RoundPhase = 'forwarded' | 'heartbeat' | 'fixed' | 'apply';

export interface RoundView {
  ctx: string;
  /** The member whose reads the round carries. */
  node: number;
  /** The leader confirming it (known once it sends heartbeats or answers). */
  leader?: number;
  batch: number;
  phase: RoundPhase;
  /** Acks of the round's heartbeats the leader has received, itself included. */
  acks: number;
  /** Acks needed: a majority of the leader and the members it sent heartbeats to. */
  quorum: number;
  /** The read index, once fixed. */
  index?: number;
  /** Fixed with no heartbeat: the leader answered on its lease. */
  lease: boolean;
}

export type AnswerKind = 'read-index' | 'lease' | 'log' | 'local';

export interface NodeReads {
  /** Reads waiting at this member for the next round. */
  queued: number;
  /** This member's round in flight, if any (one at a time). */
  round?: RoundView;
  /** Other members' rounds this member (the leader) is confirming with heartbeats. */
  confirming: number;
  /** Reads this member proposed through the log and has not answered yet. */
  logReads: number;
  /** Disk writes holding a read's log entry, in flight on this member (fsync). */
  fsyncs: number;
  /** Reads answered here in the last ANSWER_FLASH_US, by how. */
  answered: { kind: AnswerKind; count: number }[];
}

export interface ReadScene {
  nodes: Map<number, NodeReads>;
}

/** What a run's reads cost up to a time: the comparison of read paths counts these. */
export interface ReadTotals {
  /** Reads answered successfully. */
  readsOk: number;
  /** ReadIndex rounds that needed a heartbeat round. */
  heartbeatRounds: number;
  /** Rounds the leader answered on its lease, with no heartbeat. */
  leaseRounds: number;
  /** Reads proposed through the log. */
  logProposals: number;
  /** Reads answered locally (serializable path, unsafe local-reads). */
  localReads: number;
}

export interface ReadStats {
  /** Successful reads per simulated second since the first read. */
  readsPerS: number | null;
  /** 99th percentile latency of the successful reads (nearest rank), ms. */
  p99Ms: number | null;
  roundsPerRead: number | null;
  totals: ReadTotals;
}

/** Consensus rounds paid per read answered: heartbeat rounds plus log proposals. */
export function roundsPerRead(t: ReadTotals): number | null {
  return t.readsOk === 0 ? null : (t.heartbeatRounds + t.logProposals) / t.readsOk;
}

interface Span {
  node: number;
  startUs: number;
  endUs?: number;
}

/** A closed interval longer than this is kept apart, so one slow read never slows every query. */
const LONG_SPAN_US = 100_000;

/**
 * Intervals opened in time order; which are open at a time. A query walks back from the time only
 * as far as the longest short interval; the long ones (a read that waited out a partition) are
 * searched in their own list, and the open ones are a set of their own.
 */
class Spans<T extends Span> {
  readonly items: T[] = [];
  private readonly open = new Set<T>();
  /** Closed intervals longer than LONG_SPAN_US, by start. */
  private readonly long: T[] = [];
  private maxShortUs = 0;
  private maxLongUs = 0;

  add(item: T): void {
    this.items.push(item);
    if (item.endUs === undefined) this.open.add(item);
  }

  close(item: T, endUs: number): void {
    if (!this.open.has(item)) return; // closed already, or never one of these
    item.endUs = endUs;
    this.open.delete(item);
    const span = endUs - item.startUs;
    if (span <= LONG_SPAN_US) {
      this.maxShortUs = Math.max(this.maxShortUs, span);
      return;
    }
    this.maxLongUs = Math.max(this.maxLongUs, span);
    this.long.splice(lastAtOrBefore(this.long, item.startUs) + 1, 0, item);
  }

  closeNode(node: number, endUs: number): void {
    for (const it of [...this.open]) if (it.node === node) this.close(it, endUs);
  }

  /** Items with startUs <= t < endUs + padUs (open ones have no end). */
  at(tUs: number, padUs = 0): T[] {
    const out: T[] = [];
    const covers = (it: T) => it.endUs === undefined || it.endUs + padUs > tUs;
    // Everything starting after `bound` is found by walking back; older ones are long or open.
    const bound = tUs - this.maxShortUs - padUs;
    for (let i = lastAtOrBefore(this.items, tUs); i >= 0; i--) {
      const it = this.items[i]!;
      if (it.startUs < bound) break;
      if (covers(it)) out.push(it);
    }
    const longBound = tUs - this.maxLongUs - padUs;
    for (let i = lastAtOrBefore(this.long, tUs); i >= 0; i--) {
      const it = this.long[i]!;
      if (it.startUs < longBound) break;
      if (it.startUs < bound && covers(it)) out.push(it);
    }
    for (const it of this.open) if (it.startUs < bound) out.push(it);
    return out;
  }
}

/** How many of the first `n` values (ascending, `value(i)`) are at or below `x`. */
function countAtOrBelow(n: number, value: (i: number) => number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value(mid) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last item starting at or before `tUs` (-1: none). */
function lastAtOrBefore(items: readonly { startUs: number }[], tUs: number): number {
  return countAtOrBelow(items.length, (i) => items[i]!.startUs, tUs) - 1;
}

/** How many of the sorted times are at or before `tUs`. */
function countAtOrBefore(times: readonly number[], tUs: number): number {
  return countAtOrBelow(times.length, (i) => times[i]!, tUs);
}

interface Read extends Span {
  key: string;
  /** When the member first took it (a read taken again keeps its first time). */
  firstUs: number;
  path: string;
  round?: Round;
  crc?: number;
  done: boolean;
}

interface Round extends Span {
  ctx: string;
  batch: number;
  outstanding: number;
  leader?: number;
  firstHeartbeatUs?: number;
  heartbeatTargets: Set<number>;
  /** When each ack reached the leader, in order. */
  ackUs: number[];
  fixedUs?: number;
  stateUs?: number;
  index?: number;
}

interface Answer extends Span {
  kind: AnswerKind;
  count: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export class ReadRounds {
  /** How many records have been folded. */
  folded = 0;
  /** How each message takes part in a read, by message id (messages of no read are absent). */
  readonly marks = new Map<number, ReadMark>();

  private readonly reads = new Map<string, Read>();
  private readonly queued = new Spans<Read>();
  private readonly logReads = new Spans<Read>();
  private readonly rounds = new Spans<Round>();
  private readonly byCtx = new Map<string, Round>();
  private readonly fsyncs = new Spans<Span & { key: string }>();
  private readonly fsyncByKey = new Map<string, Span & { key: string }>();
  private readonly answers = new Spans<Answer>();
  /** A log read's proposal, by the CRC of its entry, until a persist record shows the entry. */
  private readonly byCrc = new Map<number, Read>();
  private readonly readEntries = new Set<number>();
  private readonly readEntriesSorted: number[] = [];
  /** Per member: whether its latest proposal was a read (its MsgProp carries that read). */
  private readonly proposedRead = new Map<number, boolean>();
  private readonly lastLogRead = new Map<number, Read>();
  /** MsgHeartbeatResp ids carrying a round's context, until the leader receives them. */
  private readonly ackFor = new Map<number, Round>();
  /** The first read's time: where a run's read throughput starts. */
  firstReadUs: number | undefined;
  // Sorted times, for the totals.
  private readonly okReadUs: number[] = [];
  /** The latency of each successful read, in the order of okReadUs. */
  private readonly okLatencyUs: number[] = [];
  private readonly heartbeatRoundUs: number[] = [];
  private readonly leaseRoundUs: number[] = [];
  private readonly logProposalUs: number[] = [];
  private readonly localReadUs: number[] = [];

  /** Folds records [folded, length) in; `record(i)` gives record i. */
  update(length: number, record: (i: number) => TraceRecord | undefined): void {
    for (; this.folded < length; this.folded++) {
      const r = record(this.folded);
      if (r) this.fold(r);
    }
  }

  private fold(r: TraceRecord): void {
    const node = r.node;
    switch (r.kind) {
      case 'read':
        if (node !== undefined) this.onRead(r, node);
        return;
      case 'read-index':
        if (node !== undefined) this.onRound(r, node);
        return;
      case 'propose': {
        if (node === undefined) return;
        const read = this.lastLogRead.get(node);
        this.lastLogRead.delete(node);
        const isRead = read !== undefined && read.startUs === r.atUs && typeof r.crc === 'number';
        this.proposedRead.set(node, isRead);
        if (isRead) {
          read.crc = r.crc as number;
          this.byCrc.set(read.crc, read);
          this.logProposalUs.push(r.atUs);
        }
        return;
      }
      case 'send':
        this.onSend(r);
        return;
      case 'recv': {
        const round = this.ackFor.get(r.msgId as number);
        if (round && round.leader === node) {
          this.ackFor.delete(r.msgId as number);
          round.ackUs.push(r.atUs);
        }
        return;
      }
      case 'read-state': {
        const round = this.byCtx.get(String(r.ctx));
        if (!round || round.node !== node) return;
        round.stateUs = r.atUs;
        round.index = num(r.index) ?? round.index;
        if (round.fixedUs === undefined) this.fix(round, r.atUs, node);
        return;
      }
      case 'read-served': {
        const round = this.byCtx.get(String(r.ctx));
        if (!round || round.node !== node) return;
        this.rounds.close(round, r.atUs);
        const kind = isLease(round) ? 'lease' : 'read-index';
        this.answers.add({
          node: round.node,
          startUs: r.atUs,
          endUs: r.atUs,
          kind,
          count: round.batch,
        });
        return;
      }
      case 'persist':
        if (node !== undefined) this.onPersist(r, node);
        return;
      case 'durable': {
        const span = this.fsyncByKey.get(`${node}/${String(r.writeId)}`);
        if (span) {
          this.fsyncByKey.delete(span.key);
          this.fsyncs.close(span, r.atUs);
        }
        return;
      }
      case 'response':
        this.onResponse(r);
        return;
      case 'crash':
        if (node === undefined) return;
        for (const spans of [this.queued, this.logReads, this.rounds, this.fsyncs] as Spans<Span>[])
          spans.closeNode(node, r.atUs);
        return;
    }
  }

  private onRead(r: TraceRecord, node: number): void {
    const key = `${String(r.clientId)}/${String(r.requestId)}`;
    // Taken again (the read path changed while it waited): the earlier taking ends here.
    const earlier = this.reads.get(key);
    if (earlier) this.finish(earlier, r.atUs);
    const path = String(r.path);
    const firstUs = earlier?.firstUs ?? r.atUs;
    const read: Read = { key, node, startUs: r.atUs, firstUs, path, done: false };
    this.firstReadUs ??= r.atUs;
    this.reads.set(key, read);
    if (path === 'read-index' || path === 'lease') this.queued.add(read);
    else if (path === 'log') {
      this.logReads.add(read);
      this.lastLogRead.set(node, read);
    } else {
      // Answered from the member's own store: no round at all.
      this.localReadUs.push(r.atUs);
      this.answers.add({ node, startUs: r.atUs, endUs: r.atUs, kind: 'local', count: 1 });
    }
  }

  private onRound(r: TraceRecord, node: number): void {
    const reqs = Array.isArray(r.reqs) ? (r.reqs as unknown[]) : [];
    const round: Round = {
      ctx: String(r.ctx),
      node,
      startUs: r.atUs,
      batch: num(r.batch) ?? reqs.length,
      outstanding: 0,
      heartbeatTargets: new Set(),
      ackUs: [],
    };
    for (const k of reqs) {
      const read = this.reads.get(String(k));
      if (!read || read.done) continue;
      this.queued.close(read, r.atUs);
      read.round = round;
      round.outstanding++;
    }
    this.rounds.add(round);
    this.byCtx.set(round.ctx, round);
  }

  private onSend(r: TraceRecord): void {
    const msgId = r.msgId as number;
    const type = String(r.type);
    const from = r.node;
    if (typeof r.ctx === 'string') {
      const round = this.byCtx.get(r.ctx);
      if (type === 'MsgHeartbeat') {
        this.marks.set(msgId, 'read-hb');
        if (!round || from === undefined) return;
        round.leader ??= from;
        if (typeof r.to === 'number') round.heartbeatTargets.add(r.to);
        if (round.firstHeartbeatUs === undefined && round.fixedUs === undefined) {
          round.firstHeartbeatUs = r.atUs;
          this.heartbeatRoundUs.push(r.atUs);
        }
      } else if (type === 'MsgHeartbeatResp') {
        this.marks.set(msgId, 'read-ack');
        if (round) this.ackFor.set(msgId, round);
      } else if (type === 'MsgReadIndex' || type === 'MsgReadIndexResp') {
        this.marks.set(msgId, 'read-fwd');
        if (type === 'MsgReadIndexResp' && round && round.fixedUs === undefined) {
          round.index = num(r.index);
          this.fix(round, r.atUs, from);
        }
      }
      return;
    }
    if (type === 'MsgProp' && from !== undefined && this.proposedRead.get(from)) {
      this.proposedRead.set(from, false);
      this.marks.set(msgId, 'log-read');
    } else if (type === 'MsgApp' && this.carriesReadEntry(num(r.index) ?? 0, num(r.entries) ?? 0)) {
      this.marks.set(msgId, 'log-read');
    }
  }

  /** The round's read index is fixed (by `leader`, at `atUs`). */
  private fix(round: Round, atUs: number, leader: number | undefined): void {
    round.fixedUs = atUs;
    round.leader ??= leader;
    if (round.firstHeartbeatUs === undefined) this.leaseRoundUs.push(atUs);
  }

  /** Whether a MsgApp after `index` with `entries` entries carries a read's entry. */
  private carriesReadEntry(index: number, entries: number): boolean {
    if (entries === 0 || this.readEntriesSorted.length === 0) return false;
    const xs = this.readEntriesSorted;
    // The first read entry after `index`, if any, must be within the entries carried.
    const next = countAtOrBefore(xs, index);
    return next < xs.length && xs[next]! <= index + entries;
  }

  private onPersist(r: TraceRecord, node: number): void {
    const ents = Array.isArray(r.ents) ? (r.ents as unknown[]) : [];
    let carries = false;
    for (const e of ents) {
      if (!Array.isArray(e)) continue;
      const index = num(e[0]);
      const crc = num(e[2]);
      if (index === undefined) continue;
      const read = crc === undefined ? undefined : this.byCrc.get(crc);
      if (read) {
        this.byCrc.delete(crc!);
        this.addReadEntry(index);
      }
      if (this.readEntries.has(index)) carries = true;
    }
    if (!carries) return;
    const key = `${node}/${String(r.writeId)}`;
    const span = { node, startUs: r.atUs, key };
    this.fsyncs.add(span);
    this.fsyncByKey.set(key, span);
  }

  private addReadEntry(index: number): void {
    if (this.readEntries.has(index)) return;
    this.readEntries.add(index);
    const xs = this.readEntriesSorted;
    let i = xs.length;
    while (i > 0 && xs[i - 1]! > index) i--;
    xs.splice(i, 0, index);
  }

  private onResponse(r: TraceRecord): void {
    const key = `${String(r.clientId)}/${String(r.requestId)}`;
    const read = this.reads.get(key);
    if (!read || read.done) return;
    this.reads.delete(key);
    if (r.ok === true) {
      this.okReadUs.push(r.atUs);
      this.okLatencyUs.push(r.atUs - read.firstUs);
    }
    if (read.path === 'log' && r.ok === true)
      this.answers.add({ node: read.node, startUs: r.atUs, endUs: r.atUs, kind: 'log', count: 1 });
    this.finish(read, r.atUs);
  }

  /** The read left its queue, round or log journey at `atUs` (answered or taken again). */
  private finish(read: Read, atUs: number): void {
    read.done = true;
    this.queued.close(read, atUs);
    this.logReads.close(read, atUs);
    const round = read.round;
    if (round && --round.outstanding <= 0) this.rounds.close(round, atUs);
  }

  /** What every member is doing with reads at `tUs` (records up to `folded` only). */
  sceneAt(tUs: number): ReadScene {
    const nodes = new Map<number, NodeReads>();
    const of = (id: number): NodeReads => {
      let n = nodes.get(id);
      if (!n) {
        n = { queued: 0, confirming: 0, logReads: 0, fsyncs: 0, answered: [] };
        nodes.set(id, n);
      }
      return n;
    };
    for (const r of this.queued.at(tUs)) of(r.node).queued++;
    for (const r of this.logReads.at(tUs)) of(r.node).logReads++;
    for (const f of this.fsyncs.at(tUs)) of(f.node).fsyncs++;
    // One round at a time at a member; should two overlap here, the newer is the one in flight.
    const newest = new Map<number, Round>();
    for (const round of this.rounds.at(tUs)) {
      const seen = newest.get(round.node);
      if (!seen || seen.startUs <= round.startUs) newest.set(round.node, round);
      const leader = round.leader;
      if (
        leader !== undefined &&
        leader !== round.node &&
        roundAt(round, tUs).phase === 'heartbeat'
      )
        of(leader).confirming++;
    }
    for (const [id, round] of newest) of(id).round = roundAt(round, tUs);
    for (const a of this.answers.at(tUs, ANSWER_FLASH_US)) {
      if (a.startUs > tUs) continue;
      const n = of(a.node);
      const same = n.answered.find((x) => x.kind === a.kind);
      if (same) same.count += a.count;
      else n.answered.push({ kind: a.kind, count: a.count });
    }
    return { nodes };
  }

  /** Throughput, p99 latency and rounds per read, of the reads answered up to `tUs`. */
  statsAt(tUs: number): ReadStats {
    const totals = this.totalsAt(tUs);
    const spanUs = this.firstReadUs === undefined ? 0 : tUs - this.firstReadUs;
    const n = totals.readsOk;
    const sorted = Float64Array.from(this.okLatencyUs.slice(0, n)).sort();
    return {
      readsPerS: spanUs > 0 ? n / (spanUs / 1e6) : null,
      p99Ms: n === 0 ? null : nearestRank(sorted, 99) / 1000,
      roundsPerRead: roundsPerRead(totals),
      totals,
    };
  }

  /** Totals up to and including `tUs`. */
  totalsAt(tUs: number): ReadTotals {
    return {
      readsOk: countAtOrBefore(this.okReadUs, tUs),
      heartbeatRounds: countAtOrBefore(this.heartbeatRoundUs, tUs),
      leaseRounds: countAtOrBefore(this.leaseRoundUs, tUs),
      logProposals: countAtOrBefore(this.logProposalUs, tUs),
      localReads: countAtOrBefore(this.localReadUs, tUs),
    };
  }
}

function isLease(round: Round): boolean {
  return (
    round.fixedUs !== undefined &&
    (round.firstHeartbeatUs === undefined || round.firstHeartbeatUs > round.fixedUs)
  );
}

function roundAt(round: Round, tUs: number): RoundView {
  const hbUs = round.firstHeartbeatUs;
  const fixed = round.fixedUs !== undefined && round.fixedUs <= tUs;
  const phase: RoundPhase =
    round.stateUs !== undefined && round.stateUs <= tUs
      ? 'apply'
      : fixed
        ? 'fixed'
        : hbUs !== undefined && hbUs <= tUs
          ? 'heartbeat'
          : 'forwarded';
  const targets = round.heartbeatTargets.size;
  const view: RoundView = {
    ctx: round.ctx,
    node: round.node,
    batch: round.batch,
    phase,
    // The leader acks its own round at once.
    acks: 1 + countAtOrBefore(round.ackUs, tUs),
    quorum: Math.floor((targets + 1) / 2) + 1,
    lease: fixed && (hbUs === undefined || hbUs > round.fixedUs!),
  };
  if (round.leader !== undefined && (phase !== 'forwarded' || round.leader === round.node))
    view.leader = round.leader;
  if (fixed && round.index !== undefined) view.index = round.index;
  return view;
}

/** The fold for one trace (a Timeline, or any list of records), memoized per trace length. */
export interface RecordSource {
  readonly length: number;
  record(i: number): TraceRecord | undefined;
}

const folds = new WeakMap<RecordSource, ReadRounds>();

/** The read rounds of `source`, folded up to its current length (cached per source). */
export function readRoundsOf(source: RecordSource): ReadRounds {
  let rr = folds.get(source);
  if (!rr) {
    rr = new ReadRounds();
    folds.set(source, rr);
  }
  if (rr.folded < source.length) rr.update(source.length, (i) => source.record(i));
  return rr;
}

export type BadgeTone = 'read-index' | 'lease' | 'log' | 'local';

export interface BadgeLine {
  text: string;
  tone: BadgeTone;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const ANSWER_TEXT: Record<AnswerKind, (n: number) => string> = {
  'read-index': (n) => `✓ ${plural(n, 'read', 'reads')} served`,
  lease: (n) => `✓ ${plural(n, 'read', 'reads')} on lease`,
  log: (n) => `✓ ${plural(n, 'read', 'reads')} via the log`,
  local: (n) => `✓ ${plural(n, 'read', 'reads')} local`,
};

/** The lines of a member's read badge, shortest words first; `applied`: the member's applied index. */
export function badgeLines(r: NodeReads, applied: number): BadgeLine[] {
  const out: BadgeLine[] = [];
  const round = r.round;
  if (round) {
    const tone: BadgeTone = round.lease ? 'lease' : 'read-index';
    const batch = `batch ${round.batch}`;
    const index = round.index === undefined ? '' : `index ${round.index}`;
    const text =
      round.phase === 'forwarded'
        ? `${batch} · asks the leader`
        : round.phase === 'heartbeat'
          ? `${batch} · acks ${Math.min(round.acks, round.quorum)}/${round.quorum}`
          : round.phase === 'fixed'
            ? `${batch} · ${round.lease ? 'lease, ' : ''}${index} fixed`
            : `${batch} · ${round.lease ? 'lease, ' : ''}${index} · applied ${applied}`;
    out.push({ text, tone });
  }
  if (r.queued > 0) out.push({ text: `+${r.queued} queued`, tone: 'read-index' });
  if (r.confirming > 0)
    out.push({
      text: `confirming ${plural(r.confirming, 'round', 'rounds')}`,
      tone: 'read-index',
    });
  if (r.logReads > 0)
    out.push({ text: `${plural(r.logReads, 'read', 'reads')} in the log`, tone: 'log' });
  if (r.fsyncs > 0) out.push({ text: 'fsync: a read’s entry', tone: 'log' });
  for (const a of r.answered) out.push({ text: ANSWER_TEXT[a.kind](a.count), tone: a.kind });
  return out;
}
