// Shrinking an illegal history to a small core: a subset of its calls that is illegal on its
// own, found by delta debugging (drop chunks of calls, halving the chunk, keep a drop whenever
// what is left is still illegal).
//
// Where keys allow partitioning. etcd's state is not a product of per-key states: the revision
// counter is global, and every answer's header names it, so a history's projection onto some
// keys is not a history of the same model (the other keys' writes made revisions the projected
// answers count). Per-key P-compositionality is therefore unsound for the verdict on a whole
// history, and checkHistory does not partition. It is sound for a core in this form: project
// onto the calls kept, and let every revision no kept call made be a free write: one that leaves
// exactly the key-values kept answers show written at that revision or, where they show none, a
// write to a key that no kept call reads, writes or compares (KvModel.writeFree). If the
// projection is illegal even so, it is illegal without those free writes too (they only add
// orders), so the core is illegal as a history of its own, which is what the core promises.
// Writes to an unseen key exist only while some key lies outside every kept range: a range_end
// of "\0" (to the end of the keyspace) turns them off. When the failure is a revision nothing
// made, that revision gets no free write.
//
// So that a core explains the failure found rather than some other one (a lone read of a value
// nobody wrote is illegal too), a candidate counts only when its search fails the same way: the
// same call at the same key (or the same gap, clash, or pair out of real-time order). And each
// candidate is closed over the failure's keys before it is tried: a kept call that shows a
// key-value of those keys brings the answered write that made it, or the unanswered writes that
// could have; between two kept calls naming such a key, every answered write to it at revisions
// in between comes along.
//
// Shrinking has a budget of its own, a tenth of the search's: when it runs out the core is the
// smallest illegal candidate found so far.
import type { KeyRange } from '../mvcc/bytes';
import { inKeyRange } from '../mvcc/bytes';
import type { Operation } from './history';
import {
  answerWrote,
  kvKey,
  mayHaveWritten,
  rangesMeet,
  requestRanges,
  shownKvs,
} from './responses';
import type { Failure } from './search';
import { answeredRevision, prepare, search } from './search';

/** The index of the first entry of `list` (by revision) above `rev`. */
function firstAbove(list: readonly [number, unknown][], rev: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as [number, unknown])[0] <= rev) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function shrinkCore(
  history: readonly Operation[],
  failure: Pick<Failure, 'opIds' | 'signature' | 'keys' | 'fatal'>,
  budget: number,
): { core: number[]; steps: number } {
  const seed = failure.opIds;
  const gap = failure.signature.startsWith('gap ') ? Number(failure.signature.slice(4)) : -1;
  const about = new Set(failure.keys);
  let steps = 0;
  const rangesOf = new Map<Operation, KeyRange[]>();
  const ranges = (op: Operation): KeyRange[] => {
    let r = rangesOf.get(op);
    if (!r) rangesOf.set(op, (r = requestRanges(op.request)));
    return r;
  };
  const meets = (a: Operation, b: Operation): boolean =>
    ranges(a).some((x) => ranges(b).some((y) => rangesMeet(x, y)));

  // answered writes by the revision they made, in revision order
  const writerOf = new Map<number, Operation>();
  for (const op of history) {
    if (op.response && answerWrote(op.request, op.response)) {
      const rev = answeredRevision(op);
      if (!writerOf.has(rev)) writerOf.set(rev, op);
    }
  }
  const pending = history.filter((op) => !op.response);

  // The keys writes name one by one, and per key the answered writes to it by revision (a write
  // over a range counts for every such key in it).
  const singles = new Set<string>();
  for (const op of history) {
    if (op.request.method === 'range') continue;
    for (const r of ranges(op)) if (r.end === undefined) singles.add(r.key);
  }
  const universe = [...singles].sort();
  const keysOfCache = new Map<Operation, string[]>();
  const keysOf = (op: Operation): string[] => {
    let ks = keysOfCache.get(op);
    if (!ks) {
      const rs = ranges(op);
      ks = universe.filter((k) => rs.some((r) => inKeyRange(r, k)));
      keysOfCache.set(op, ks);
    }
    return ks;
  };
  const writesOn = new Map<string, [number, Operation][]>();
  for (const [rev, w] of [...writerOf.entries()].sort((x, y) => x[0] - y[0])) {
    for (const k of keysOf(w)) {
      let list = writesOn.get(k);
      if (!list) writesOn.set(k, (list = []));
      list.push([rev, w]);
    }
  }

  const closure = (ops: readonly Operation[]): Operation[] => {
    const kept = new Set(ops);
    const work = [...ops];
    const add = (op: Operation): void => {
      if (kept.has(op)) return;
      kept.add(op);
      work.push(op);
    };
    for (;;) {
      while (work.length > 0) {
        const op = work.pop() as Operation;
        if (!op.response) continue;
        for (const kv of shownKvs(op.response)) {
          if (!about.has(kvKey(kv))) continue;
          const w = writerOf.get(kv.mod_revision);
          if (w) add(w);
          else for (const p of pending) if (mayHaveWritten(p.request, kv)) add(p);
        }
      }
      // per key, the answered writes between the first and the last kept call naming it
      const span = new Map<string, [number, number]>();
      for (const op of kept) {
        if (!op.response) continue;
        const rev = answeredRevision(op);
        for (const k of keysOf(op)) {
          if (!about.has(k)) continue;
          const s = span.get(k);
          if (!s) span.set(k, [rev, rev]);
          else span.set(k, [Math.min(s[0], rev), Math.max(s[1], rev)]);
        }
      }
      for (const [k, [lo, hi]] of span) {
        const list = writesOn.get(k) ?? [];
        for (let i = firstAbove(list, lo); i < list.length; i++) {
          const [rev, w] = list[i] as [number, Operation];
          if (rev > hi) break;
          add(w);
        }
      }
      if (work.length === 0) break;
    }
    return history.filter((o) => kept.has(o));
  };

  const illegal = (ops: readonly Operation[]): boolean => {
    if (steps >= budget || ops.length === 0) return false;
    const p = prepare(ops, true);
    if (p.invalid) return p.invalid.op.id === seed[0] && seed.length === 1;
    const invisible = ops.every((o) => ranges(o).every((r) => r.end !== ''));
    const res = search(p, budget - steps, { invisible, except: gap });
    steps += res.steps;
    return res.verdict === 'illegal' && (anyFailure || res.failure.signature === failure.signature);
  };

  const seeds = history.filter((o) => seed.includes(o.id));
  // A pair no order can reconcile (out of real-time order, two writers of one revision, a value
  // its revision's writer never wrote) is the core itself.
  let anyFailure = true;
  if (failure.fatal && !failure.signature.startsWith('gap') && illegal(seeds)) {
    return { core: seeds.map((o) => o.id), steps };
  }
  anyFailure = false;
  const touching = history.filter((o) => seeds.some((s) => meets(o, s)));
  const maxSeedRev = Math.max(0, ...seeds.map(answeredRevision));
  const candidates = [
    () => closure(seeds),
    () =>
      closure(
        touching.filter(
          (o) => seeds.includes(o) || !o.response || answeredRevision(o) <= maxSeedRev,
        ),
      ),
    () => closure(touching),
  ];
  let core = [...history];
  for (const make of candidates) {
    const c = make();
    if (illegal(c)) {
      core = c;
      break;
    }
  }

  let chunk = Math.ceil(core.length / 2);
  for (;;) {
    let i = 0;
    while (i < core.length && steps < budget) {
      const trial = closure([...core.slice(0, i), ...core.slice(i + chunk)]);
      if (trial.length < core.length && illegal(trial)) core = trial;
      else i += chunk;
    }
    if (chunk === 1 || steps >= budget) break;
    chunk = Math.ceil(chunk / 2);
  }
  return { core: core.map((o) => o.id), steps };
}
