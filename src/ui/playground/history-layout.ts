// Pure layout for the history panel: which operations a time window shows, in which lane and row,
// with what words. React draws SVG from these; nothing here touches the DOM.
import type { KvResponse, Operation } from '../../check/history';
import { bytesText } from '../../check/kv-model';
import { requestMayWrite } from '../../check/responses';
import type { KeyValue } from '../../mvcc/types';

/** The quick client bar's (and every action's) client id; see src/sim/session.ts. */
export const BAR_CLIENT = 1;

/** A client's readable name: "bar" for the quick client bar, "w1 c3" for workload 1's client 3. */
export function clientName(clientId: number): string {
  if (clientId === BAR_CLIENT) return 'bar';
  if (clientId >= 1000) {
    const w = Math.floor(clientId / 1000);
    const k = clientId - 1000 * w;
    // An open workload sends every call as one client (k = 0).
    return k === 0 ? `w${w} open` : `w${w} c${k}`;
  }
  return `client ${clientId}`;
}

export type OpStatus = 'ok' | 'failed' | 'pending';

/** As seen at `atUs`: answered, failed, or not answered (yet, or ever). */
export function opStatus(op: Operation, atUs = Infinity): OpStatus {
  if (op.returnUs === undefined || op.returnUs > atUs) return 'pending';
  return op.response ? 'ok' : 'failed';
}

export type OpKind = 'read' | 'write';

export function opKind(op: Operation): OpKind {
  return requestMayWrite(op.request) ? 'write' : 'read';
}

/** The history as it stood at `atUs`: calls made by then; answers that came after, taken away. */
export function historyAt(history: readonly Operation[], atUs: number): Operation[] {
  const out: Operation[] = [];
  for (const op of history) {
    if (op.callUs > atUs) continue;
    if (op.returnUs !== undefined && op.returnUs > atUs) {
      out.push({ id: op.id, clientId: op.clientId, callUs: op.callUs, request: op.request });
    } else out.push(op);
  }
  return out;
}

const SHORT = 14;

function clip(s: string, n = SHORT): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/** A workload key without its zero padding: key/00000003 -> key/3. */
function shortKey(b: Uint8Array): string {
  return clip(bytesText(b).replace(/^(.*\/)0+(\d)/, '$1$2'), 18);
}

function keySpan(key: Uint8Array, end: Uint8Array | undefined, short: boolean): string {
  const k = short ? shortKey : bytesText;
  return end && end.length > 0 ? `${k(key)}..${k(end)}` : k(key);
}

/** What a request does, in a few words: "put key/3=abc", "get key/1..key/4", "txn on key/2". */
export function requestText(op: Operation, short = true): string {
  const req = op.request;
  const k = short ? shortKey : bytesText;
  switch (req.method) {
    case 'put': {
      const v = req.body.value ? bytesText(req.body.value) : '';
      return `put ${k(req.body.key)}=${short ? clip(v, 10) : v}`;
    }
    case 'range':
      return `get ${keySpan(req.body.key, req.body.range_end, short)}`;
    case 'deleteRange':
      return `delete ${keySpan(req.body.key, req.body.range_end, short)}`;
    case 'txn': {
      const c = req.body.compare?.[0];
      return c ? `txn on ${k(c.key)}` : 'txn';
    }
  }
}

/** What the answer said, in a few words: "→ rev 12", "@rev 11: 3 keys", "✗", "…". */
export function answerText(op: Operation, atUs = Infinity): string {
  const status = opStatus(op, atUs);
  if (status === 'pending') return '…';
  if (status === 'failed') return '✗';
  const r = op.response as KvResponse;
  const rev = r.header.revision;
  switch (op.request.method) {
    case 'range': {
      const kvs = (r as { kvs: KeyValue[] }).kvs;
      const one = kvs.length === 1 && !op.request.body.range_end?.length;
      const what = one ? `=${clip(bytesText(kvs[0]!.value), 10)}` : `: ${kvs.length} key(s)`;
      return `@rev ${rev}${kvs.length === 0 ? ': none' : what}`;
    }
    case 'txn':
      return `${(r as { succeeded: boolean }).succeeded ? 'succeeded' : 'failed'} @rev ${rev}`;
    default:
      return `→ rev ${rev}`;
  }
}

/** The bar's label: "put key/3=abc → rev 12", "get key/1..key/4 @rev 11: 2 key(s)". */
export function opLabel(op: Operation, atUs = Infinity): string {
  return `${requestText(op)} ${answerText(op, atUs)}`;
}

function secs(us: number): string {
  return `${(us / 1e6).toFixed(3)} s`;
}

/** The bar's accessible name: "put key/00000003 by client w1 c2, 1.234 s to 1.240 s, ok". */
export function opAccessibleName(op: Operation, atUs = Infinity): string {
  const status = opStatus(op, atUs);
  const to = status === 'pending' ? 'no answer yet' : `${secs(op.returnUs!)}`;
  const what =
    status === 'ok' ? 'ok' : status === 'failed' ? `failed: ${op.error ?? 'error'}` : 'pending';
  return `${requestText(op, false)} by client ${clientName(op.clientId)}, ${secs(op.callUs)} to ${to}, ${what}`;
}

export interface TimeWindow {
  startUs: number;
  endUs: number;
}

/**
 * The window that shows `spanUs` of simulated time ending at `endUs` (or starting at 0 when the
 * run is younger than the span).
 */
export function windowEndingAt(endUs: number, spanUs: number): TimeWindow {
  const start = Math.max(0, endUs - spanUs);
  return { startUs: start, endUs: start + spanUs };
}

/** A bar: one operation placed in its client's lane, row `row` of the lane. */
export interface Bar {
  op: Operation;
  lane: number;
  row: number;
  /** Where the bar ends: its return, or `atUs` for a call not answered by then. */
  endUs: number;
  status: OpStatus;
  kind: OpKind;
}

export interface Lane {
  clientId: number;
  name: string;
  /** Rows the lane needs for its calls in this window (overlapping calls of one client). */
  rows: number;
  /** The lane's first row, counting every row of the lanes above. */
  firstRow: number;
}

export interface HistoryLayout {
  lanes: Lane[];
  bars: Bar[];
  rows: number;
}

/**
 * The bars a window shows as of `atUs`: every call made by then that overlaps the window (calls
 * not answered by then run to `atUs`). One lane per client that has called anything by then, in
 * id order, so lanes stay put while panning; calls of one client that overlap in time (an open
 * workload's) take further rows of its lane, first fit in call order, answered calls first.
 */
export function layoutHistory(
  history: readonly Operation[],
  win: TimeWindow,
  atUs: number,
): HistoryLayout {
  const clients = new Set<number>();
  const visible: Bar[] = [];
  for (const op of history) {
    if (op.callUs > atUs) continue;
    clients.add(op.clientId);
    if (op.callUs > win.endUs) continue;
    const status = opStatus(op, atUs);
    const endUs = status === 'pending' ? atUs : op.returnUs!;
    if (endUs < win.startUs) continue;
    visible.push({ op, lane: 0, row: 0, endUs, status, kind: opKind(op) });
  }
  const ids = [...clients].sort((a, b) => a - b);
  const laneOf = new Map(ids.map((id, i) => [id, i]));
  // rowEnds[lane][row]: when the last call placed in that row ends
  const rowEnds: number[][] = ids.map(() => []);
  // Answered calls first, so they take the top rows; calls with no answer (which run to the
  // right edge, and pile up while a member is cut off) fill in below them.
  const late = (b: Bar) => (b.status === 'pending' ? 1 : 0);
  visible.sort((a, b) => late(a) - late(b) || a.op.callUs - b.op.callUs || a.op.id - b.op.id);
  for (const bar of visible) {
    bar.lane = laneOf.get(bar.op.clientId)!;
    const ends = rowEnds[bar.lane]!;
    let row = ends.findIndex((e) => e <= bar.op.callUs);
    if (row < 0) row = ends.length;
    ends[row] = bar.endUs;
    bar.row = row;
  }
  let firstRow = 0;
  const lanes = ids.map((clientId, i) => {
    const rows = Math.max(1, rowEnds[i]!.length);
    const lane = { clientId, name: clientName(clientId), rows, firstRow };
    firstRow += rows;
    return lane;
  });
  return { lanes, bars: visible, rows: firstRow };
}

/**
 * A point in time for each operation of a linearization, in order, inside its interval: each as
 * early as its call and its predecessor allow (what a line through the order can be drawn on).
 */
export function linearizationPoints(
  history: readonly Operation[],
  order: readonly number[],
): Map<number, number> {
  const byId = new Map(history.map((op) => [op.id, op]));
  const out = new Map<number, number>();
  let t = -Infinity;
  for (const id of order) {
    const op = byId.get(id);
    if (!op) continue;
    t = Math.max(t, op.callUs);
    if (op.returnUs !== undefined) t = Math.min(t, op.returnUs);
    out.set(id, t);
  }
  return out;
}

/** The window around a set of operations (a core), with a margin either side. */
export function windowAround(ops: readonly Operation[], atUs: number): TimeWindow | null {
  if (ops.length === 0) return null;
  let start = Infinity;
  let end = -Infinity;
  for (const op of ops) {
    start = Math.min(start, op.callUs);
    end = Math.max(end, Math.min(op.returnUs ?? atUs, atUs));
  }
  const margin = Math.max(2_000, (end - start) * 0.25);
  return { startUs: Math.max(0, start - margin), endUs: end + margin };
}

/** A request or response as plain text: bytes as their text, one field a line (JSON-like). */
export function valueText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? bytesText(x) : x), 2);
}

/**
 * The call an arrow key moves to in a dense chart (one focusable area, not a control per call):
 * Right and Left step through the calls in the order they were made, Home and End go to the
 * first and last; from no selection, Right starts at the first.
 */
export function stepBar(
  bars: readonly Bar[],
  selected: number | null,
  key: string,
): Bar | undefined {
  const inTime = [...bars].sort((a, b) => a.op.callUs - b.op.callUs || a.op.id - b.op.id);
  const at = inTime.findIndex((b) => b.op.id === selected);
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return inTime[Math.min(inTime.length - 1, at + 1)];
    case 'ArrowLeft':
    case 'ArrowUp':
      return inTime[at < 0 ? 0 : Math.max(0, at - 1)];
    case 'Home':
      return inTime[0];
    case 'End':
      return inTime[inTime.length - 1];
    default:
      return undefined;
  }
}
