// The search behind checkHistory (linearizability.ts has the argument; this is the mechanics).
//
// prepare() lays the answered calls out on the revision line: the call that made revision r
// (its writer) and, after it, every answered call that made no revision and answered header
// revision r (its readers, by call time). That order is forced by the answers, so real time is
// checked against it once, up front. Revisions no answered call made are gaps; only an
// unanswered write can fill one (or, in the core search, a free write). prepare() also finds
// what fails whatever the choices (two writers of one revision, a call out of real-time order,
// a value its revision's writer cannot have written, more gaps than qualifying writes: Hall's
// condition) and which unanswered write alone can have made a gap (it is kept for that gap).
//
// search() walks the line through the model. At a gap it chooses which unanswered write made
// that revision (a choice point, undone on the model's trail when later answers disagree): where
// answers show what was written at the gap, only writes that can have written all of it; and a
// write is taken only when it leaves what later answers show of every key (bounds.ts), with
// Porcupine's memo: the set of unanswered writes used so far plus the model state's hash; a
// pair seen before failed before and is not explored again. A failing answer names the keys to
// blame, and the search jumps back over choice points that cannot change them (see placeKnown).
// Every model application is a step; when the steps run out the answer is 'unknown'.
import type { KeyRange } from '../mvcc/bytes';
import { bytesToBinary, toKeyRange } from '../mvcc/bytes';
import type { KeyValue } from '../mvcc/types';
import type { KvResponse, Operation } from './history';
import type { GapBounds } from './bounds';
import { fitsBounds, keyBounds } from './bounds';
import type { ModelSnapshot } from './kv-model';
import { bytesText, KvModel } from './kv-model';
import type { Difference } from './responses';
import {
  answerDifference,
  answerWrote,
  describeOp,
  kvKey,
  mayHaveWritten,
  rangesMeet,
  requestMayWrite,
  requestRanges,
  shownKvs,
} from './responses';

/** A key-value some answer showed with a mod_revision that no answered write made. */
export interface Evidence {
  readonly skey: string;
  readonly kv: KeyValue;
  readonly op: Operation;
}

export interface Prepared {
  readonly maxRev: number;
  /** writer[r]: the answered call that made revision r. */
  readonly writer: readonly (Operation | undefined)[];
  /** readers[r]: answered calls that made no revision and answered revision r, by call time. */
  readonly readers: readonly (readonly Operation[])[];
  /** Two answered calls that both say they made revision r. */
  readonly clash: ReadonlyMap<number, readonly [Operation, Operation]>;
  /** An answer showing a key-value that the write of its mod_revision cannot have written. */
  readonly foreign: ReadonlyMap<Operation, { readonly writer: Operation; readonly kv: KeyValue }>;
  /** A call whose place on the revision line comes before a call that returned before it began. */
  readonly late: ReadonlyMap<Operation, Operation>;
  /** Unanswered writes (they may have taken effect any time after their call, or never), by call. */
  readonly pending: readonly Operation[];
  /** latestCall[r]: the latest call time of a write that can still make revision r. */
  readonly latestCall: readonly number[];
  readonly evidence: ReadonlyMap<number, readonly Evidence[]>;
  /**
   * pinned[i]: the gap that only pending write i can have made (some answer shows a key-value
   * written at that gap that no other unanswered write can have written). It makes no other.
   */
  readonly pinned: ReadonlyMap<number, number>;
  /** bounds[r]: for gap r, what answers show of keys across it (see keyBounds). */
  readonly bounds: GapBounds;
  /**
   * The first gap that cannot have a write of its own: more gaps up to it than unanswered writes
   * that qualify for it (Hall's condition; the qualifying sets only grow with the revision).
   */
  readonly shortGap?: number;
  /** An answer no order can give (a revision below 1, a write at revision 1). */
  readonly invalid?: { readonly op: Operation; readonly explanation: string };
}

/** The deepest place the search got stuck. */
export interface Failure {
  /** How many calls were in order when it got stuck. */
  readonly depth: number;
  /** The calls that could not be placed (the seed of the core). */
  readonly opIds: readonly number[];
  readonly before: ModelSnapshot;
  readonly after?: ModelSnapshot;
  readonly explanation: string;
  readonly partial: readonly number[];
  /** Independent of every choice: no other order can avoid it. */
  readonly fatal: boolean;
  /** What failed, in words that do not depend on which other calls are there (for shrinking). */
  readonly signature: string;
  /** The keys (binary) the failure is about, where it is about some. */
  readonly keys: readonly string[];
}

export type SearchResult =
  | { verdict: 'ok'; linearization: number[]; steps: number }
  | { verdict: 'illegal'; failure: Failure; steps: number }
  | { verdict: 'unknown'; reason: string; steps: number };

const returned = (op: Operation): number => op.returnUs ?? Infinity;
const byCall = (a: Operation, b: Operation): number => a.callUs - b.callUs || a.id - b.id;

/** The revision an answered call's header names. */
export function answeredRevision(op: Operation): number {
  return op.response?.header.revision ?? 0;
}

/**
 * Lays a history out on the revision line. `free`: revisions may also be made by writes the
 * history does not contain (the core search), so more revisions than writes is no error.
 */
export function prepare(history: readonly Operation[], free = false): Prepared {
  let maxRev = 1;
  const answered: { op: Operation; rev: number; wrote: boolean }[] = [];
  const pending: Operation[] = [];
  let invalid: Prepared['invalid'];
  for (const op of history) {
    if (!op.response) {
      if (requestMayWrite(op.request)) pending.push(op);
      continue;
    }
    const rev = op.response.header.revision;
    const wrote = answerWrote(op.request, op.response);
    if (!Number.isInteger(rev) || rev < (wrote ? 2 : 1)) {
      invalid ??= {
        op,
        explanation: `${describeOp(op)} answered revision ${rev}, which no ${wrote ? 'write' : 'call'} can answer: the store starts at revision 1 and each write makes the next one`,
      };
      continue;
    }
    answered.push({ op, rev, wrote });
    if (rev > maxRev) maxRev = rev;
  }
  // every revision after the first is some write's of this history: no more than there are
  const writes = answered.filter((a) => a.wrote).length + pending.length;
  if (!free && maxRev > 1 + writes) {
    const { op, rev } = answered.find((a) => a.rev > 1 + writes) as (typeof answered)[number];
    invalid ??= {
      op,
      explanation: `${describeOp(op)} answered revision ${rev}, but the whole history has only ${writes} writes to make revisions after the first`,
    };
    answered.length = 0;
    maxRev = 1;
  }
  const writer: (Operation | undefined)[] = new Array<Operation | undefined>(maxRev + 1);
  const readers: Operation[][] = Array.from({ length: maxRev + 1 }, () => []);
  const clash = new Map<number, readonly [Operation, Operation]>();
  for (const { op, rev, wrote } of answered) {
    if (!wrote) (readers[rev] as Operation[]).push(op);
    else if (writer[rev]) clash.set(rev, [writer[rev] as Operation, op]);
    else writer[rev] = op;
  }
  for (const list of readers) list.sort(byCall);
  pending.sort(byCall);

  // The forced order, and real time against it: a call placed after another must not have
  // returned before that other one was called (suffix minimum of return times).
  const order: Operation[] = [];
  const blockStart: number[] = new Array<number>(maxRev + 1).fill(0);
  for (let r = 1; r <= maxRev; r++) {
    const w = writer[r];
    if (w) order.push(w);
    blockStart[r] = order.length;
    for (const op of readers[r] as Operation[]) order.push(op);
  }
  const sufMin = new Float64Array(order.length + 1);
  const sufArg: (Operation | undefined)[] = new Array<Operation | undefined>(order.length + 1);
  sufMin[order.length] = Infinity;
  for (let i = order.length - 1; i >= 0; i--) {
    const op = order[i] as Operation;
    const next = sufMin[i + 1] as number;
    if (returned(op) < next) {
      sufMin[i] = returned(op);
      sufArg[i] = op;
    } else {
      sufMin[i] = next;
      sufArg[i] = sufArg[i + 1];
    }
  }
  const late = new Map<Operation, Operation>();
  order.forEach((op, i) => {
    if (op.callUs > (sufMin[i + 1] as number)) late.set(op, sufArg[i + 1] as Operation);
  });
  const latestCall = blockStart.map((i) => sufMin[i] as number);

  const evidence = new Map<number, Evidence[]>();
  const foreign = new Map<Operation, { writer: Operation; kv: KeyValue }>();
  for (const { op } of answered) {
    for (const kv of shownKvs(op.response!)) {
      const m = kv.mod_revision;
      if (m < 2 || m > maxRev) continue;
      const w = writer[m];
      if (w) {
        if (!foreign.has(op) && !mayHaveWritten(w.request, kv)) foreign.set(op, { writer: w, kv });
        continue;
      }
      const skey = kvKey(kv);
      let list = evidence.get(m);
      if (!list) evidence.set(m, (list = []));
      if (!list.some((e) => e.skey === skey)) list.push({ skey, kv, op });
    }
  }
  const pinned = new Map<number, number>();
  for (const [m, list] of evidence) {
    for (const e of list) {
      let only = -1;
      for (let i = 0; i < pending.length && only !== -2; i++) {
        if (mayHaveWritten((pending[i] as Operation).request, e.kv)) only = only === -1 ? i : -2;
      }
      if (only >= 0 && !pinned.has(only)) pinned.set(only, m);
    }
  }
  let shortGap: number | undefined;
  let gaps = 0;
  let qualifying = 0;
  for (let r = 2; r <= maxRev && shortGap === undefined; r++) {
    if (writer[r]) continue;
    gaps++;
    while (
      qualifying < pending.length &&
      (pending[qualifying] as Operation).callUs <= (latestCall[r] as number)
    ) {
      qualifying++;
    }
    if (gaps > qualifying) shortGap = r;
  }
  return {
    maxRev,
    writer,
    readers,
    clash,
    foreign,
    late,
    pending,
    latestCall,
    evidence,
    pinned,
    bounds: keyBounds({ answered, writer, maxRev, pending, latestCall, evidence, pinned }),
    shortGap,
    invalid,
  };
}

/** Why a call failed, for backjumping: the keys whose state is to blame. */
interface Conflict {
  readonly names: readonly KeyRange[];
  /**
   * The answer shows the key with this mod_revision: a write to it at a later revision can only
   * spoil it, so a choice point above this revision matters only if its chosen write touches it.
   */
  readonly after?: number;
}

/**
 * For a plain range (no limit, sort, filters or past revision) that failed: the first key whose
 * state the answer and the model disagree on. The answer lists every live key of the range, so
 * while that key's state stays, no state of the others mends it. undefined where that does not
 * hold (then the whole of what the call names is to blame).
 */
function narrowConflict(op: Operation, answer: KvResponse): Conflict | undefined {
  const req = op.request;
  if (req.method !== 'range' || !op.response || !('kvs' in answer) || !('kvs' in op.response)) {
    return undefined;
  }
  const b = req.body;
  if (b.limit || b.revision || b.count_only || b.keys_only) return undefined;
  if ((b.sort_order ?? 'NONE') !== 'NONE' || (b.sort_target ?? 'KEY') !== 'KEY') return undefined;
  if (b.min_mod_revision || b.max_mod_revision || b.min_create_revision || b.max_create_revision) {
    return undefined;
  }
  const seen = new Map(op.response.kvs.map((kv) => [kvKey(kv), kv]));
  const model = new Map(answer.kvs.map((kv) => [kvKey(kv), kv]));
  const keys = [...new Set([...seen.keys(), ...model.keys()])].sort();
  for (const k of keys) {
    if (!answerDifference(model.get(k), seen.get(k))) continue;
    const shown = seen.get(k);
    const names = [{ key: k, end: undefined }];
    return shown ? { names, after: shown.mod_revision } : { names };
  }
  return undefined;
}

interface Frame {
  readonly r: number;
  readonly cands: readonly number[];
  next: number;
  readonly mark: number;
  readonly placedLen: number;
  /** The pending write chosen (index), -1 for a free write, -2 before any choice. */
  chosen: number;
}

function explainAnswer(op: Operation, d: Difference | null, chose: boolean): string {
  const rev = answeredRevision(op);
  if (!d) {
    const after = chose ? 'after any order of the unanswered writes' : 'after the writes before it';
    return `${describeOp(op)} succeeded at revision ${rev}, but etcd would have refused it ${after}`;
  }
  const what = d.key
    ? `${d.path.slice(d.path.lastIndexOf('.') + 1)} = ${d.observed} for ${bytesText(d.key)}`
    : `${d.path} = ${d.observed}`;
  const said = `${describeOp(op)} at revision ${rev} answered ${what}`;
  return chose
    ? `${said}, but no order of the unanswered writes gives that (the last tried gives ${d.model})`
    : `${said}, but the writes before it give ${d.model}`;
}

/**
 * For the core search (core.ts): a revision no call made may be a write the history does not
 * contain, one that leaves exactly what answers show written at it, or, where nothing is shown,
 * a write to a key nobody looks at (when `invisible`: some key lies outside every range).
 */
export interface FreeWrites {
  invisible: boolean;
  /** A gap that must not be filled this way (the failure being explained is that gap). */
  except: number;
}

/** Searches for a linearization of a prepared history. */
export function search(p: Prepared, budget: number, free?: FreeWrites): SearchResult {
  const model = new KvModel();
  const placed: number[] = [];
  const used = new Uint8Array(p.pending.length);
  const frames: Frame[] = [];
  const memo = new Set<string>();
  let steps = 0;
  let deepest: Failure | undefined;

  const keeps = (): boolean => !deepest || placed.length > deepest.depth;
  const record = (
    opIds: readonly number[],
    explanation: string,
    fatal: boolean,
    signature: string,
    keys: readonly string[],
    after?: ModelSnapshot,
  ): void => {
    deepest = {
      depth: placed.length,
      opIds,
      before: model.snapshot(),
      ...(after ? { after } : {}),
      explanation,
      partial: placed.slice(),
      fatal,
      signature,
      keys,
    };
  };

  // Backjumping: an answered call's answer depends only on the keys it names (and on the
  // revision, which its place fixes). When it fails, a choice point none of whose candidates
  // touches those keys cannot change the outcome (nor free a candidate that does: one used
  // earlier would have touched them itself), so the search jumps back past it. Other failures
  // (a gap nothing fills, a memo hit) go back one choice point at a time.
  let conflict: Conflict | undefined;
  const pendingRanges = p.pending.map((o) => requestRanges(o.request));
  const touches = (c: number, names: readonly KeyRange[]): boolean =>
    c < 0 || (pendingRanges[c] as KeyRange[]).some((x) => names.some((y) => rangesMeet(x, y)));
  const relevant = (f: Frame, why: Conflict): boolean =>
    f.r > (why.after ?? Infinity)
      ? touches(f.chosen, why.names)
      : f.cands.some((c) => touches(c, why.names));

  // A gap whose shown key-values no candidate gives depends on those keys and on whatever the
  // writes that can touch them name (a txn's compares, say): a choice point none of whose
  // candidates touches that is jumped over too. A gap nothing shows fails for reasons as wide as
  // its candidates: back one choice point at a time.
  const bounds = free ? undefined : p.bounds;
  const namesOf = new Map<number, KeyRange[] | undefined>();
  const gapNames = (r: number): KeyRange[] | undefined => {
    if (!namesOf.has(r)) namesOf.set(r, gapNamesOnce(r));
    return namesOf.get(r);
  };
  const gapNamesOnce = (r: number): KeyRange[] | undefined => {
    const ev = p.evidence.get(r);
    if (!ev) return undefined;
    const names = ev.map((e) => toKeyRange(e.kv.key, undefined));
    const shown = names.slice();
    for (const rs of pendingRanges) {
      if (rs.some((x) => shown.some((y) => rangesMeet(x, y)))) names.push(...rs);
    }
    // and on the keys whose bounds ruled candidates out
    for (const b of bounds?.byGap.get(r) ?? []) names.push({ key: b.skey, end: undefined });
    return names;
  };

  const placeKnown = (op: Operation): boolean => {
    steps++;
    const late = p.late.get(op);
    if (late) {
      record(
        [late.id, op.id],
        `${describeOp(late)} returned at ${late.returnUs} µs, before ${describeOp(op)} was called at ${op.callUs} µs, yet their revisions (${answeredRevision(late)} and ${answeredRevision(op)}) put it after`,
        true,
        `late ${late.id} ${op.id}`,
        [],
      );
      return false;
    }
    const alien = p.foreign.get(op);
    if (alien) {
      record(
        [alien.writer.id, op.id],
        `${describeOp(op)} saw ${bytesText(alien.kv.key)} = '${bytesText(alien.kv.value)}' written at revision ${alien.kv.mod_revision}, but ${describeOp(alien.writer)} made that revision and cannot have written it`,
        true,
        `foreign ${alien.writer.id} ${op.id}`,
        [kvKey(alien.kv)],
      );
      return false;
    }
    const mark = model.mark();
    const answer = model.apply(op.request);
    const d = answer ? answerDifference(answer, op.response) : null;
    if (answer && !d) {
      placed.push(op.id);
      return true;
    }
    conflict = (answer && narrowConflict(op, answer)) ?? { names: requestRanges(op.request) };
    if (keeps()) {
      const after = answer && model.mark() !== mark ? model.snapshot() : undefined;
      model.undo(mark);
      const where = d?.key ? bytesToBinary(d.key) : undefined;
      record(
        [op.id],
        explainAnswer(op, d, frames.length > 0),
        false,
        `answer ${op.id} ${where ?? d?.path ?? 'refused'}`,
        where === undefined ? [] : [where],
        after,
      );
    }
    model.undo(mark);
    return false;
  };

  const fitsEvidence = (r: number): boolean => {
    for (const e of p.evidence.get(r) ?? []) {
      const kv = model.recordAt(e.skey, r);
      if (!kv) return false;
      const seen = e.kv;
      if (kv.create_revision !== seen.create_revision || kv.version !== seen.version) return false;
      if (kv.lease !== seen.lease) return false;
      // a keys_only answer shows an empty value: then only the rest is evidence
      if (seen.value.length > 0 && answerDifference(kv.value, seen.value)) return false;
    }
    return true;
  };

  /** The first answered call at or after revision r's place: one that implies revision r. */
  const witnessOf = (r: number): number[] => {
    for (let q = r; q <= p.maxRev; q++) {
      const w = p.readers[q]?.[0] ?? p.writer[q + 1];
      if (w) return [w.id];
    }
    return [];
  };
  const short = free ? undefined : p.shortGap;

  const gapFailure = (r: number, fatal = false): void => {
    if (!keeps() && !fatal) return;
    const ev = p.evidence.get(r);
    if (ev && ev.length > 0) {
      const e = ev[0] as Evidence;
      record(
        ev.map((x) => x.op.id),
        `${describeOp(e.op)} saw ${bytesText(e.kv.key)} = '${bytesText(e.kv.value)}' written at revision ${r}, but no answered write made revision ${r} and no unanswered write can have made it then`,
        fatal,
        `gap ${r}`,
        ev.map((x) => x.skey),
      );
      return;
    }
    const witness = witnessOf(r);
    record(
      witness,
      fatal
        ? `no answered write made revision ${r}, and too few unanswered writes were called early enough to make it and the revisions before it`
        : `no answered write made revision ${r} and no unanswered write can have made it then`,
      fatal,
      `gap ${r}`,
      [],
    );
  };

  const tryNext = (f: Frame): boolean => {
    while (f.next < f.cands.length) {
      const c = f.cands[f.next++] as number;
      steps++;
      if (c === -1) {
        model.writeFree((p.evidence.get(f.r) ?? []).map((e) => e.kv));
        f.chosen = -1;
        return true;
      }
      const op = p.pending[c] as Operation;
      const answer = model.apply(op.request);
      if (
        answer &&
        model.revision === f.r &&
        fitsEvidence(f.r) &&
        (!bounds || fitsBounds(model, f.r, bounds, used))
      ) {
        used[c] = 1;
        f.chosen = c;
        placed.push(op.id);
        return true;
      }
      model.undo(f.mark);
    }
    gapFailure(f.r);
    return false;
  };

  const usedKey = (): string => {
    let s = '';
    for (let i = 0; i < used.length; i += 16) {
      let x = 0;
      for (let j = 0; j < 16 && i + j < used.length; j++) x |= (used[i + j] as number) << j;
      s += String.fromCharCode(x);
    }
    return s;
  };

  /** For a gap whose written key-values answers show: which pending writes can have written them. */
  const fitsShown = new Map<number, Uint8Array>();
  const writersOf = (r: number): Uint8Array | undefined => {
    const ev = p.evidence.get(r);
    if (!ev) return undefined;
    let fits = fitsShown.get(r);
    if (!fits) {
      fits = new Uint8Array(p.pending.length);
      p.pending.forEach((o, i) => {
        (fits as Uint8Array)[i] = ev.every((e) => mayHaveWritten(o.request, e.kv)) ? 1 : 0;
      });
      fitsShown.set(r, fits);
    }
    return fits;
  };

  const openGap = (r: number): boolean => {
    if (r === short) {
      gapFailure(r, true);
      return false;
    }
    const key = `${usedKey()}|${model.hashKey()}`;
    if (memo.has(key)) return false;
    memo.add(key);
    const cands: number[] = [];
    if (free && r !== free.except && (p.evidence.has(r) || free.invisible)) cands.push(-1);
    // latest call first: a write takes effect soon after its call, so the ones called long ago
    // and still unplaced are the likeliest never to have taken effect
    const latest = p.latestCall[r] as number;
    let n = 0;
    while (n < p.pending.length && (p.pending[n] as Operation).callUs <= latest) n++;
    // where answers show what was written at r, only a write that can have written it all
    const fits = writersOf(r);
    for (let i = n - 1; i >= 0; i--) {
      if (!used[i] && (p.pinned.get(i) ?? r) === r && (!fits || fits[i])) cands.push(i);
    }
    const f: Frame = {
      r,
      cands,
      next: 0,
      mark: model.mark(),
      placedLen: placed.length,
      chosen: -2,
    };
    frames.push(f);
    if (tryNext(f)) return true;
    frames.pop();
    const names = gapNames(r);
    conflict = names && { names };
    return false;
  };

  const outOfBudget = (r: number): SearchResult => ({
    verdict: 'unknown',
    reason: `the search budget of ${budget} steps ran out (at revision ${r} of ${p.maxRev}, ${p.pending.length} unanswered writes to place)`,
    steps,
  });

  let r = 1;
  let i = 0; // the next reader of revision r; -1: the writer of r
  for (;;) {
    if (steps > budget) return outOfBudget(r);
    let ok: boolean;
    if (i < 0) {
      if (r > p.maxRev) return { verdict: 'ok', linearization: placed, steps };
      const clash = p.clash.get(r);
      if (clash) {
        record(
          clash.map((o) => o.id),
          `${describeOp(clash[0])} and ${describeOp(clash[1])} both answered that they made revision ${r}`,
          true,
          `clash ${r}`,
          [],
        );
        return { verdict: 'illegal', failure: deepest as Failure, steps };
      }
      const w = p.writer[r];
      ok = w ? placeKnown(w) : openGap(r);
      if (ok) i = 0;
    } else {
      const list = p.readers[r] as readonly Operation[];
      if (i >= list.length) {
        r++;
        i = -1;
        continue;
      }
      ok = placeKnown(list[i] as Operation);
      if (ok) i++;
    }
    if (ok) continue;
    // a short gap fails every order: no point trying the others
    if (deepest?.fatal || (short && deepest))
      return { verdict: 'illegal', failure: deepest, steps };
    let resumed = false;
    const why = conflict;
    conflict = undefined;
    let jumping = why !== undefined;
    while (frames.length > 0 && steps <= budget) {
      const f = frames[frames.length - 1] as Frame;
      model.undo(f.mark);
      placed.length = f.placedLen;
      if (f.chosen >= 0) used[f.chosen] = 0;
      if (jumping && !relevant(f, why as Conflict)) {
        frames.pop();
        continue;
      }
      jumping = false;
      if (tryNext(f)) {
        r = f.r;
        i = 0;
        resumed = true;
        break;
      }
      frames.pop();
    }
    if (resumed) continue;
    if (steps > budget) return outOfBudget(r);
    return { verdict: 'illegal', failure: deepest as Failure, steps };
  }
}
