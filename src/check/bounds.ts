// What answers show of each key's history across the gaps (revisions no answered call made),
// for the search to rule out, at the gap itself, a write that later answers would refute.
//
// A key-value shown with create_revision c, mod_revision m and version v, the key's state still
// at revision `at` (responses.ts, shownKvsAt), holds in every order that gives the answers: the
// key was put at c and at m, alive throughout, put exactly v times in [c, m], and not changed
// in (m, at]; and, created at c, it was not alive at c - 1. A range whose answer lists every
// live key of its range (no limit cut, no filters) shows the keys it does not list not alive
// at its read revision. So the write chosen for a gap r must leave a key
// - unchanged (`still`) when r is in (m, at];
// - alive with create_revision c and a version from which the puts in (r, m] can reach v
//   (`alive`, [lo, hi]) when r is in [c, m): the answered writes there that put it (their
//   answers tell), the gaps that certainly put it (they show it written or created there),
//   and at most one put each from the other gaps whose candidates can put it;
// - not alive (`dead`) when it is not alive at some D >= r and no revision in (r, D] can
//   delete it: no answered write there names it in a delete or txn, no gap there has a
//   candidate that can delete it (the last gap that can is `dead` too); below that gap, back to
//   an answered write that can delete it, a gap that leaves it alive owes a delete by then
//   (`dies`), as does every gap before a certain put of the key in (r, D].
// And what is owed must be payable: each key's puts still to come before m, and each delete
// owed, need that many unused unanswered writes that can give them, called early enough; all
// of them together no more than the gaps up to their deadlines can give (Hall's condition over
// deadlines, each gap counted at the most keys one of its candidates can change besides those
// it must).
// A gap's candidates here are the unanswered writes called early enough that can write all the
// gap's shown key-values (and are not kept for another gap). Every bound is a consequence of
// the answers, so ruling out a write that breaks one loses no order: never a false 'illegal',
// and 'ok' still needs every answer confirmed by the model. Only the nearest key-value on
// either side of a gap is used. Free writes of the core search (core.ts) set versions as they
// like, so that search does without bounds.
import type { KeyRange } from '../mvcc/bytes';
import { inKeyRange, toKeyRange } from '../mvcc/bytes';
import type { RequestOp, TxnRequest } from '../mvcc/types';
import type { KvRequest, KvResponse, Operation } from './history';
import type { KvModel } from './kv-model';
import { answeredPuts, kvKey, mayHaveWritten, requestRanges, shownKvsAt } from './responses';
import type { Evidence } from './search';

/**
 * What the write chosen for a gap must leave of one key: `still`, the key unchanged at the gap;
 * `dead`, the key not alive after it; `alive`, alive after it with this create_revision and a
 * version in [lo, hi].
 */
export type KeyBound =
  | { readonly skey: string; readonly kind: 'still' }
  | { readonly skey: string; readonly kind: 'dead' }
  | {
      readonly skey: string;
      readonly kind: 'alive';
      readonly create: number;
      readonly lo: number;
      readonly hi: number;
      /** The last gap that can give one of the hi - version puts still to come (0: none). */
      readonly due: number;
    }
  /**
   * If alive after the gap (`always`: in any case, a later certain put makes it so), some gap
   * up to `by` must delete it (none in between can else).
   */
  | { readonly skey: string; readonly kind: 'dies'; readonly by: number; readonly always: boolean };

export interface GapBounds {
  readonly byGap: ReadonlyMap<number, readonly KeyBound[]>;
  /**
   * capUpTo[r]: how many of the puts and deletes the bounds ask for the gaps up to r can give
   * between them, at most (each gap: the most shown keys one of its candidates can write
   * besides those its own shown key-values name).
   */
  readonly capUpTo: Int32Array;
  /** By key: the unanswered writes (indexes, by call) that can put it, and that can delete it. */
  readonly putters: ReadonlyMap<string, readonly number[]>;
  readonly deleters: ReadonlyMap<string, readonly number[]>;
  /** qualified[r]: how many unanswered writes (by call) were called early enough for gap r. */
  readonly qualified: Int32Array;
}

/** The first i in [0, n) where `before(i)` fails (it holds on a prefix), n where it never does. */
function firstNot(n: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of the sorted `list` are at most `x`. */
const countUpTo = (list: readonly number[], x: number): number =>
  firstNot(list.length, (i) => (list[i] as number) <= x);

/** The keys a request can put and the ranges it can delete, in any branch. */
function requestWrites(req: KvRequest): { puts: string[]; dels: KeyRange[] } {
  const puts: string[] = [];
  const dels: KeyRange[] = [];
  const ops = (list: readonly RequestOp[] | undefined): void => {
    for (const op of list ?? []) {
      if ('request_put' in op) puts.push(toKeyRange(op.request_put.key, undefined).key);
      else if ('request_delete_range' in op) {
        const d = op.request_delete_range;
        dels.push(toKeyRange(d.key, d.range_end));
      } else if ('request_txn' in op) txn(op.request_txn);
    }
  };
  const txn = (t: TxnRequest): void => {
    ops(t.success);
    ops(t.failure);
  };
  if (req.method === 'put') puts.push(toKeyRange(req.body.key, undefined).key);
  else if (req.method === 'deleteRange') dels.push(toKeyRange(req.body.key, req.body.range_end));
  else if (req.method === 'txn') txn(req.body);
  return { puts, dels };
}

/**
 * For a range whose answer lists every live key of its range (no count_only, no filters, not
 * cut short by a limit): the range, its read revision and the keys listed.
 */
function listsAll(
  req: KvRequest,
  resp: KvResponse,
): { range: KeyRange; at: number; listed: () => Set<string> } | undefined {
  if (req.method !== 'range' || !('kvs' in resp)) return undefined;
  const b = req.body;
  if (b.count_only || b.min_mod_revision || b.max_mod_revision) return undefined;
  if (b.min_create_revision || b.max_create_revision) return undefined;
  if (resp.more || resp.kvs.length !== resp.count) return undefined;
  const past = b.revision ?? 0;
  return {
    range: toKeyRange(b.key, b.range_end),
    at: past > 0 ? past : resp.header.revision,
    listed: () => new Set(resp.kvs.map(kvKey)),
  };
}

export interface BoundsInput {
  readonly answered: readonly { readonly op: Operation }[];
  readonly writer: readonly (Operation | undefined)[];
  readonly maxRev: number;
  readonly pending: readonly Operation[];
  readonly latestCall: readonly number[];
  readonly evidence: ReadonlyMap<number, readonly Evidence[]>;
  readonly pinned: ReadonlyMap<number, number>;
}

/** For every gap, what the write chosen for it must leave of the keys answers show. */
export function keyBounds(p: BoundsInput): GapBounds {
  const { writer, maxRev } = p;
  const byGap = new Map<number, KeyBound[]>();
  const capUpTo = new Int32Array(maxRev + 2);
  const putters = new Map<string, number[]>();
  const deleters = new Map<string, number[]>();
  const qualified = new Int32Array(maxRev + 2);
  const none = (): GapBounds => ({ byGap, capUpTo, putters, deleters, qualified });
  const gaps: number[] = [];
  for (let r = 2; r <= maxRev; r++) if (!writer[r]) gaps.push(r);

  if (gaps.length === 0) return none();
  // per key: the shown key-values, one a mod_revision (with the latest `at`; answers that
  // disagree on the rest are refuted by the model anyway)
  const shown = new Map<string, Map<number, { c: number; m: number; v: number; at: number }>>();
  for (const { op } of p.answered) {
    for (const { kv, at } of shownKvsAt(op.request, op.response!)) {
      const c = kv.create_revision;
      const m = kv.mod_revision;
      if (m < 2 || m > maxRev || c < 2 || c > m || kv.version < 1) continue;
      const skey = kvKey(kv);
      let byKv = shown.get(skey);
      if (!byKv) shown.set(skey, (byKv = new Map()));
      const last = Math.min(at, maxRev);
      const old = byKv.get(m);
      if (!old) byKv.set(m, { c, m, v: kv.version, at: last });
      else old.at = Math.max(old.at, last);
    }
  }
  const writes = p.pending.map((op) => requestWrites(op.request));
  // the keys bounds can speak of: those answers show, and those unanswered writes can put
  const tracked = new Set(shown.keys());
  for (const w of writes) for (const k of w.puts) tracked.add(k);
  const keys = [...tracked].sort();
  /** The tracked keys in a range, in order. */
  const keysIn = (x: KeyRange): string[] => {
    const out: string[] = [];
    for (let j = firstNot(keys.length, (i) => (keys[i] as string) < x.key); j < keys.length; j++) {
      const k = keys[j] as string;
      if (!inKeyRange(x, k)) break;
      out.push(k);
    }
    return out;
  };
  // revisions at which a key was not alive: the one before it was created, and the read
  // revision of a range that lists every live key of its range and not this one
  const dead = new Map<string, Set<number>>();
  const deadAt = (skey: string, d: number): void => {
    if (d < 2 || d > maxRev) return;
    let set = dead.get(skey);
    if (!set) dead.set(skey, (set = new Set()));
    set.add(d);
  };
  for (const [skey, byKv] of shown) for (const { c } of byKv.values()) deadAt(skey, c - 1);
  const lists: NonNullable<ReturnType<typeof listsAll>>[] = [];
  for (const { op } of p.answered) {
    const all = listsAll(op.request, op.response!);
    if (all && all.at >= 2 && all.at <= maxRev) lists.push(all);
  }
  // Only the first such revision at or after a gap matters to it: of the ranges read between
  // two gaps, the earliest of each range is enough.
  lists.sort((a, b) => a.at - b.at);
  const done = new Set<string>();
  for (const all of lists) {
    const id = `${countUpTo(gaps, all.at)} ${all.range.key} ${all.range.end ?? ''}`;
    if (done.has(id)) continue;
    done.add(id);
    const listed = all.listed();
    for (const k of keysIn(all.range)) if (!listed.has(k)) deadAt(k, all.at);
  }
  const created = new Map<number, Set<string>>();
  for (const [skey, byKv] of shown) {
    for (const { c } of byKv.values()) {
      if (writer[c]) continue;
      let set = created.get(c);
      if (!set) created.set(c, (set = new Set()));
      set.add(skey);
    }
  }

  // the revisions at which each key was certainly put: by answered writes, and gaps that show it
  const surePuts = new Map<string, number[]>();
  const sure = (skey: string, r: number): void => {
    let list = surePuts.get(skey);
    if (!list) surePuts.set(skey, (list = []));
    list.push(r);
  };
  // what each gap's candidates can do: put which keys, delete which ranges; how many shown keys
  // one of them can change
  const gapPuts = new Map<number, Set<string>>();
  const delGaps = new Map<string, number[]>(); // by key: the gaps whose candidates can delete it
  const listed = (by: Map<string, number[]>, skey: string, i: number): void => {
    let list = by.get(skey);
    if (!list) by.set(skey, (list = []));
    if (list[list.length - 1] !== i) list.push(i);
  };
  const reach = p.pending.map((_, i) => {
    const w = writes[i] as { puts: string[]; dels: KeyRange[] };
    const changes = new Set<string>();
    for (const k of w.puts) {
      changes.add(k);
      listed(putters, k, i);
    }
    for (const d of w.dels) {
      for (const k of keysIn(d)) {
        changes.add(k);
        listed(deleters, k, i);
      }
    }
    return changes.size;
  });
  let n = 0;
  for (let r = 2; r <= maxRev; r++) {
    while (
      n < p.pending.length &&
      (p.pending[n] as Operation).callUs <= (p.latestCall[r] as number)
    )
      n++;
    qualified[r] = n;
  }
  for (let r = 2; r <= maxRev; r++) {
    capUpTo[r] = capUpTo[r - 1] as number;
    const w = writer[r];
    if (w) {
      for (const skey of answeredPuts(w.request, w.response!)) sure(skey, r);
      continue;
    }
    const ev = p.evidence.get(r) ?? [];
    // shown written at r, or shown created at r: the write chosen for r put them
    const made = new Set(ev.map((e) => e.skey));
    for (const k of created.get(r) ?? []) made.add(k);
    for (const k of made) sure(k, r);
    const puts = new Set<string>();
    const dels: KeyRange[] = [];
    let cap = 0;
    p.pending.forEach((op, i) => {
      if (op.callUs > (p.latestCall[r] as number) || (p.pinned.get(i) ?? r) !== r) return;
      if (!ev.every((e) => mayHaveWritten(op.request, e.kv))) return;
      const x = writes[i] as { puts: string[]; dels: KeyRange[] };
      for (const k of made) if (!x.puts.includes(k)) return;
      for (const k of x.puts) if (!made.has(k)) puts.add(k);
      dels.push(...x.dels);
      cap = Math.max(cap, (reach[i] as number) - made.size);
    });
    gapPuts.set(r, puts);
    const seen = new Set<string>();
    for (const d of dels) {
      const id = `${d.key}\u0000${d.end ?? '-'}`;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const k of keysIn(d)) listed(delGaps, k, r);
    }
    capUpTo[r] = (capUpTo[r] as number) + cap;
  }
  capUpTo[maxRev + 1] = capUpTo[maxRev] as number;

  const add = (r: number, b: KeyBound): void => {
    let list = byGap.get(r);
    if (!list) byGap.set(r, (list = []));
    list.push(b);
  };
  // by key: the answered writes (not plain puts) that name it, so may have deleted it
  const ansDels = new Map<string, number[]>();
  for (let r = 2; r <= maxRev; r++) {
    const w = writer[r];
    if (!w || w.request.method === 'put') continue;
    for (const x of requestRanges(w.request)) for (const k of keysIn(x)) listed(ansDels, k, r);
  }
  // Not alive at D (created at D + 1, or a range at D does not list it). For a gap g below the
  // nearest such D with no answered write in (g, D] that can delete it: if no gap in [g, D]
  // can delete it, or g is the last that can, g leaves it dead; else g may leave it alive,
  // owing a delete by the last gap in (g, D] that can.
  const sweepDead = (skey: string, points: Set<number> | undefined): void => {
    if (!points) return;
    const ds = [...points].sort((a, b) => a - b);
    const answers = ansDels.get(skey) ?? [];
    const deleting = delGaps.get(skey) ?? [];
    for (const g of gaps) {
      const d = ds[firstNot(ds.length, (i) => (ds[i] as number) < g)];
      if (d === undefined) break;
      const a = answers[countUpTo(answers, g)];
      if (a !== undefined && a <= d) continue;
      const f = countUpTo(deleting, d);
      const by = f > 0 ? (deleting[f - 1] as number) : 0;
      // a certain put in (g, d] makes it alive whatever g leaves: deleted after that put
      const sure = surePuts.get(skey) ?? [];
      const q = countUpTo(sure, d);
      const last = q > 0 ? (sure[q - 1] as number) : 0;
      if (last > g) {
        if (by > last) add(g, { skey, kind: 'dies', by, always: true });
      } else if (by > g) add(g, { skey, kind: 'dies', by, always: false });
      else add(g, { skey, kind: 'dead' });
    }
  };
  for (const [skey, byKv] of shown) {
    const kvs = [...byKv.values()].sort((a, b) => a.m - b.m);
    const ms = kvs.map((k) => k.m);
    const seenTo: number[] = []; // seenTo[i]: the latest `at` of kvs[0..i]
    kvs.forEach((k, i) => seenTo.push(Math.max(k.at, i > 0 ? (seenTo[i - 1] as number) : 0)));
    const puts = surePuts.get(skey) ?? [];
    // gaps whose candidates can put the key without it being certain
    const mayPut = gaps.filter((g) => (gapPuts.get(g) as Set<string>).has(skey));
    for (const r of gaps) {
      const i = countUpTo(ms, r); // kvs[i]: the nearest shown with mod_revision above r
      if (i > 0 && (seenTo[i - 1] as number) >= r && (ms[i - 1] as number) < r) {
        add(r, { skey, kind: 'still' });
      } else if (i < kvs.length && (kvs[i] as { c: number }).c <= r) {
        const k = kvs[i] as { c: number; m: number; v: number };
        const hi = k.v - (countUpTo(puts, k.m) - countUpTo(puts, r));
        const before = countUpTo(mayPut, k.m - 1);
        const lo = hi - (before - countUpTo(mayPut, r));
        const due = before > 0 ? (mayPut[before - 1] as number) : 0;
        add(r, { skey, kind: 'alive', create: k.c, lo: Math.max(lo, 1), hi, due });
      }
    }
    sweepDead(skey, dead.get(skey));
  }
  for (const [skey, points] of dead) if (!shown.has(skey)) sweepDead(skey, points);
  return none();
}

/**
 * Whether the model, just after the write chosen for gap r, leaves what the bounds ask: each
 * key as its bound says, and the puts and deletes still owed no more than the gaps up to when
 * they are due can give (Hall's condition over the deadlines, every gap counted at its capacity).
 */
export function fitsBounds(model: KvModel, r: number, gb: GapBounds, used: Uint8Array): boolean {
  const list = gb.byGap.get(r);
  if (!list) return true;
  const owed: { due: number; n: number }[] = [];
  // enough unused writes left, called early enough, that can give n of them
  const left = (
    by: ReadonlyMap<string, readonly number[]>,
    skey: string,
    due: number,
    n: number,
  ): boolean => {
    const limit = gb.qualified[due] as number;
    for (const i of by.get(skey) ?? []) {
      if (i >= limit) break;
      if (!used[i] && --n <= 0) return true;
    }
    return false;
  };
  for (const b of list) {
    if (b.kind === 'still') {
      if (model.changedAt(b.skey, r)) return false;
      continue;
    }
    const s = model.aliveAt(b.skey, r);
    if (b.kind === 'dead') {
      if (s) return false;
    } else if (b.kind === 'dies') {
      if (!s && !b.always) continue;
      if (!left(gb.deleters, b.skey, b.by, 1)) return false;
      owed.push({ due: b.by, n: 1 });
    } else {
      if (!s || s.create !== b.create || s.version < b.lo || s.version > b.hi) return false;
      const n = b.hi - s.version;
      if (n === 0) continue;
      if (!left(gb.putters, b.skey, b.due, n)) return false;
      owed.push({ due: b.due, n });
    }
  }
  if (owed.length === 0) return true;
  owed.sort((a, b) => a.due - b.due);
  const base = gb.capUpTo[r] as number;
  let sum = 0;
  for (const o of owed) {
    sum += o.n;
    if (sum > (gb.capUpTo[o.due] as number) - base) return false;
  }
  return true;
}
