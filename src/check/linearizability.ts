// The linearizability checker for etcd KV histories (put, range, deleteRange, txn with compares).
//
// A history is linearizable when every answered call can be given one instant between its call
// and its return, and every unanswered write either an instant after its call or none, such that
// running the calls in that order on an empty etcd store (kv-model.ts) gives every answer
// exactly: header revision, key-values with their revisions and versions, count, more, deleted,
// prev_kv(s), txn outcome and nested answers.
//
// The search is Wing & Gong's with Porcupine's memo, cut down by what etcd's answers reveal:
// - Every answered call that changed something made a revision of its own, and its answer's
//   header names it; revisions are made one at a time, in order. So the answered writes are
//   totally ordered by their revisions, and an answered call that changed nothing (a read, a
//   delete of nothing, a txn whose branch wrote nothing) sits after the write of the revision
//   its header names and before the next one. Nothing about the order of answered calls is left
//   to choose: real time is checked against it once, in O(n log n).
// - A revision no answered call made (a gap) was made by an unanswered write: the only choices
//   are which one made each gap, and only writes called before every call placed after the gap
//   returned qualify. Key-values that answers show with that mod_revision must be what the
//   chosen write wrote, which usually leaves one candidate. Unanswered writes not chosen either
//   never took effect or did after the last revision anyone saw: the same to every answer. One
//   that took effect without making a revision (a txn whose compare failed into a branch with no
//   write, a delete of nothing) changed nothing and answered nobody: the same as never.
// - Every key-value an answer shows bounds its key's history (bounds.ts): created at c, put v
//   times up to m, unchanged until the answer's revision, dead before c. At a gap, a write that
//   leaves a key outside what those bounds allow, or owes more puts and deletes than the gaps
//   before they are due can give, is no choice: the bounds hold in every order that gives the
//   answers, so ruling it out loses no order (and 'ok' still needs every answer confirmed).
// - The choices are a depth-first search on the model's undo trail, memoized on (set of
//   unanswered writes used, hash of the model state). A history with no gaps is checked in one
//   pass.
// Per-key partitioning is unsound here for the verdict (one revision counter for all keys), and
// the revision line makes it unnecessary; core.ts uses a projection that is sound for cores.
//
// The budget counts model applications, so the same history always gets the same answer. When
// it runs out the answer is 'unknown', never 'ok'. 'ok' is given only for an order the search
// built and the model confirmed answer by answer.
import type { Operation } from './history';
import type { ModelSnapshot } from './kv-model';
import { KvModel } from './kv-model';
import { shrinkCore } from './core';
import { prepare, search } from './search';

export type { ModelSnapshot } from './kv-model';

export type CheckResult =
  | {
      verdict: 'ok';
      /** Op ids in linearization order (unanswered writes that did not take effect are absent). */
      linearization: number[];
      steps: number;
    }
  | {
      verdict: 'illegal';
      /** A small set of op ids that cannot be ordered, illegal as a history of its own. */
      core: number[];
      /** The longest linearizable prefix found, op ids in order. */
      partial: number[];
      /** The model state where the search got stuck, and after the stuck call (if it writes). */
      before: ModelSnapshot;
      after?: ModelSnapshot;
      explanation: string;
      steps: number;
    }
  | { verdict: 'unknown'; reason: string; steps: number };

/**
 * Steps (model applications) before 'unknown'. Checking 10,000 calls takes about 10,000 to
 * 40,000 steps; refuting one wrong answer among many unanswered writes to its key can take far
 * more. A step costs a few microseconds, so this bounds a check to seconds.
 */
export const DEFAULT_BUDGET = 500_000;

export function checkHistory(
  history: readonly Operation[],
  opts: { budget?: number } = {},
): CheckResult {
  const budget = opts.budget ?? DEFAULT_BUDGET;
  const p = prepare(history);
  if (p.invalid) {
    return {
      verdict: 'illegal',
      core: [p.invalid.op.id],
      partial: [],
      before: new KvModel().snapshot(),
      explanation: p.invalid.explanation,
      steps: 0,
    };
  }
  const res = search(p, budget);
  if (res.verdict !== 'illegal') return res;
  const f = res.failure;
  const shrunk = shrinkCore(history, f, Math.ceil(budget / 10));
  return {
    verdict: 'illegal',
    core: shrunk.core,
    partial: [...f.partial],
    before: f.before,
    ...(f.after ? { after: f.after } : {}),
    explanation: f.explanation,
    steps: res.steps + shrunk.steps,
  };
}
