// Shrinking an illegal history to a small core: a subset of its calls that is illegal on its
// own, found by delta debugging (drop chunks of calls, halving the chunk, keep a drop whenever
// what is left is still illegal).
//
// Where keys allow partitioning. etcd's state is not a product of per-key states: the revision
// counter is global, and every answer's header names it, so a history's projection onto some
// keys is not a history of the same model (the other keys' writes made revisions the projected
// answers count). Per-key P-compositionality is therefore unsound for the verdict on a whole
// history, and checkHistory does not partition. It is sound for a core in this form: project
// onto the calls kept, and let every revision no kept call made be a write to a key that no
// kept call reads, writes or compares (KvModel.bumpInvisible). If the projection is illegal even
// so, it is illegal without those invisible writes too (they only add orders), so the core is
// illegal as a history of its own, which is what the core promises. Invisible writes exist only
// while some key lies outside every kept range: a range_end of "\0" (to the end of the keyspace)
// turns them off.
//
// So that a core explains rather than merely fails (a lone read of a value nobody wrote is
// illegal too), each candidate is closed before it is tried: a kept call that shows a key-value
// brings the answered write that made (and the one that created) it, or the unanswered writes
// that could have; and between two kept calls on the same keys, every answered write to those
// keys at revisions in between comes along.
import type { KeyRange } from '../mvcc/bytes';
import { toKeyRange } from '../mvcc/bytes';
import type { Operation } from './history';
import { answerWrote, rangesMeet, requestRanges, shownKvs } from './responses';
import { answeredRevision, prepare, search } from './search';

/** Closing a candidate pairwise costs its size squared: above this, only shown key-values. */
const PAIR_CLOSURE_LIMIT = 300;

export function shrinkCore(
  history: readonly Operation[],
  seed: readonly number[],
  budget: number,
): { core: number[]; steps: number } {
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
  const writes = [...writerOf.entries()].sort((a, b) => a[0] - b[0]);
  const pending = history.filter((op) => !op.response);

  const closure = (ops: readonly Operation[]): Operation[] => {
    const kept = new Set(ops);
    const work = [...ops];
    while (work.length > 0) {
      const op = work.pop() as Operation;
      if (!op.response) continue;
      for (const kv of shownKvs(op.response)) {
        for (const rev of [kv.mod_revision, kv.create_revision]) {
          const w = writerOf.get(rev);
          if (w) {
            if (!kept.has(w)) {
              kept.add(w);
              work.push(w);
            }
            continue;
          }
          const at = toKeyRange(kv.key, undefined);
          for (const p of pending) {
            if (!kept.has(p) && ranges(p).some((x) => rangesMeet(x, at))) {
              kept.add(p);
              work.push(p);
            }
          }
        }
      }
    }
    if (kept.size <= PAIR_CLOSURE_LIMIT) {
      const answered = [...kept].filter((o) => o.response);
      for (const a of answered) {
        for (const b of answered) {
          const lo = answeredRevision(a);
          const hi = answeredRevision(b);
          if (lo >= hi || !meets(a, b)) continue;
          for (const [rev, w] of writes) {
            if (rev <= lo) continue;
            if (rev > hi) break;
            if (!kept.has(w) && meets(w, a) && meets(w, b)) kept.add(w);
          }
        }
      }
    }
    return history.filter((o) => kept.has(o));
  };

  const illegal = (ops: readonly Operation[]): boolean => {
    if (steps >= budget || ops.length === 0) return false;
    const p = prepare(ops);
    if (p.invalid) return true;
    const invisible = ops.every((o) => ranges(o).every((r) => r.end !== ''));
    const res = search(p, budget - steps, invisible);
    steps += res.steps;
    return res.verdict === 'illegal';
  };

  const seeds = history.filter((o) => seed.includes(o.id));
  const touching = history.filter((o) => seeds.some((s) => meets(o, s)));
  const maxSeedRev = Math.max(0, ...seeds.map(answeredRevision));
  const candidates = [
    closure(seeds),
    closure(
      touching.filter((o) => seeds.includes(o) || !o.response || answeredRevision(o) <= maxSeedRev),
    ),
    closure(touching),
    [...history],
  ];
  let core = candidates.find((c) => illegal(c)) ?? [...history];

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
