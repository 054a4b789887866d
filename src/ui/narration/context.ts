// What narration needs besides the record itself: who is in the cluster, and a few facts earlier
// records established (each node's term, the voters, a leadership transfer in progress). Small,
// plain and JSON-serializable, so the feed can keep one per checkpoint and rewind with the run.
//
// `advanceContext` folds one record into a context. It returns the same object when the record
// changes nothing (almost every record), so following a long trace allocates almost nothing.
import type { TraceRecord } from '../../sim/conductor';
import type { ReadPath } from '../../scenario/schema';

export interface NarrationContext {
  /** Every node the conductor knows (members and nodes added during the run), ascending. */
  readonly nodes: readonly number[];
  /** The voters of the latest applied configuration, once one is known; else `nodes` vote. */
  readonly voters?: readonly number[];
  /** Each node's Raft term as last seen in a 'state' or 'persist' record. */
  readonly terms?: Readonly<Record<number, number>>;
  /** The cluster's PreVote setting, if known: a follower campaigning without it timed out. */
  readonly preVote?: boolean;
  /** The cluster's read path, if known (how a read-index round confirms the leader). */
  readonly readPath?: ReadPath;
  /** The latest MsgTimeoutNow received: a campaign by that node at that time is a transfer. */
  readonly timeoutNow?: { readonly node: number; readonly atUs: number };
}

export function createNarrationContext(
  nodes: readonly number[],
  settings: { preVote?: boolean; readPath?: ReadPath } = {},
): NarrationContext {
  const ctx: { -readonly [K in keyof NarrationContext]: NarrationContext[K] } = {
    nodes: [...nodes].sort((a, b) => a - b),
  };
  if (settings.preVote !== undefined) ctx.preVote = settings.preVote;
  if (settings.readPath !== undefined) ctx.readPath = settings.readPath;
  return ctx;
}

function withTerm(ctx: NarrationContext, node: unknown, term: unknown): NarrationContext {
  if (typeof node !== 'number' || typeof term !== 'number') return ctx;
  if (ctx.terms?.[node] === term) return ctx;
  return { ...ctx, terms: { ...ctx.terms, [node]: term } };
}

function isIdList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

function sameList(a: readonly number[] | undefined, b: readonly number[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The context after `r`: the same object unless `r` changed something narration uses. */
export function advanceContext(ctx: NarrationContext, r: TraceRecord): NarrationContext {
  switch (r.kind) {
    case 'state':
      return withTerm(ctx, r.node, r.term);
    case 'persist': {
      const hs = r.hardState as { term?: unknown } | undefined;
      return hs ? withTerm(ctx, r.node, hs.term) : ctx;
    }
    case 'node-added': {
      const id = r.node;
      if (typeof id !== 'number' || ctx.nodes.includes(id)) return ctx;
      return { ...ctx, nodes: [...ctx.nodes, id].sort((a, b) => a - b) };
    }
    case 'apply-conf': {
      const voters = r.voters;
      if (!isIdList(voters) || sameList(ctx.voters, voters)) return ctx;
      return { ...ctx, voters: [...voters].sort((a, b) => a - b) };
    }
    case 'settings': {
      // A change of PreVote or of the read path changes how later records read.
      let next = ctx;
      if (typeof r.preVote === 'boolean' && r.preVote !== ctx.preVote)
        next = { ...next, preVote: r.preVote };
      if (typeof r.readPath === 'string' && r.readPath !== ctx.readPath)
        next = { ...next, readPath: r.readPath as ReadPath };
      return next;
    }
    case 'recv':
      if (r.type !== 'MsgTimeoutNow' || typeof r.node !== 'number') return ctx;
      return { ...ctx, timeoutNow: { node: r.node, atUs: r.atUs } };
    default:
      return ctx;
  }
}
