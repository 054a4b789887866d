// Handing a node several inputs in one call (a Web Worker's round trip per event is what limits
// the worker host), with the result identical to one input at a time.
//
// The conductor offers a node the events at the head of its queue that are all for that node, in
// order. Processing them one at a time, the conductor would absorb each output before popping the
// next event, and an output can schedule new events: if one of those came before a later input,
// that input would not be next. So the node runs its inputs in order and stops before the first
// input that something it already answered could precede. What an output can schedule, and how
// soon (the conservative lookahead of a parallel discrete-event simulation):
//
// - a message: no sooner than the least link latency (`messageUs`);
// - a disk write: durable no sooner than the least fsync latency (`durableUs`);
// - a wake-up: at the time asked for (never before now);
// - a client response: the client's next request, to any node, no sooner than the client's trip
//   (`clientUs`; 0: at once);
// - a tick input: the conductor schedules the node's next tick one tick later (`tickUs`).
//
// An event scheduled at the very time of a later input still comes after it (the queue breaks ties
// by scheduling order, and the offered inputs were scheduled first), so an input runs when every
// consequence so far is at or after its time.
//
// A wake-up the node asks for is the one consequence the batch can deliver itself, as the
// conductor would: the conductor keeps one wake-up per node (a request for a later one is ignored,
// an earlier one replaces it), and delivers it at its time after every input already queued for
// that time. Given the node's pending wake-up and a time before which nothing outside the batch
// can reach the node (`wakesBeforeUs`), the batch runs its own wake-ups in their place and says
// so; the conductor matches each to the wake event it schedules. Storage and CPU models wake a
// node every few microseconds, so without this a batch rarely got past its first input.
import type { Envelope, NodeInput, NodeOutput } from './host-contract';

/** The least delays, in microseconds, before what a node's output asks for can happen. */
export interface BatchBounds {
  messageUs: number;
  durableUs: number;
  tickUs: number;
  /** A client's trip to a member: after a response, its next call comes no sooner. */
  clientUs: number;
  /** The node's pending wake-up as the conductor has it, if any. */
  wakeAtUs?: number;
  /**
   * The batch may deliver the node's own wake-ups due strictly before this time (nothing outside
   * the batch reaches the node sooner). Absent: it never does, and a wake-up ends the batch.
   */
  wakesBeforeUs?: number;
}

export interface TimedInput<M extends Envelope, Req> {
  atUs: number;
  input: NodeInput<M, Req>;
}

/** What an output answers: an offered input (its index), or a wake-up the batch delivered. */
export type BatchStep = { input: number } | { wakeUs: number };

export interface BatchResult<M extends Envelope, Res> {
  /** The outputs of what ran, in order; never empty unless failed. */
  outputs: NodeOutput<M, Res>[];
  /**
   * What each output answers. Offered inputs run in order; one is left out only when it was a
   * wake-up that a sooner one replaced (the conductor will not deliver it either).
   */
  steps: BatchStep[];
  /** What ran after the outputs and threw this (its message); nothing after it ran. */
  failed?: WireError & { step: BatchStep };
}

/** A thrown error as it crosses a worker's port (an Error does not clone whole): name, message. */
export interface WireError {
  name: string;
  message: string;
}

export function toWireError(err: unknown): WireError {
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: e.message };
}

export function fromWireError(w: WireError): Error {
  return Object.assign(new Error(w.message), { name: w.name });
}

/** The earliest time anything `out` (the output of `input`, at `atUs`) schedules can happen. */
export function earliestConsequence<M extends Envelope, Req, Res>(
  atUs: number,
  input: NodeInput<M, Req>,
  out: NodeOutput<M, Res>,
  bounds: BatchBounds,
): number {
  const t = consequenceBesidesWake(atUs, input, out, bounds);
  return out.wakeAtUs === undefined ? t : Math.min(t, Math.max(out.wakeAtUs, atUs));
}

/** earliestConsequence without the wake-up, which runBatch may deliver itself. */
function consequenceBesidesWake<M extends Envelope, Req, Res>(
  atUs: number,
  input: NodeInput<M, Req>,
  out: NodeOutput<M, Res>,
  bounds: BatchBounds,
): number {
  let t = Infinity;
  if (out.responses.length > 0) t = atUs + bounds.clientUs;
  if (out.messages.length > 0) t = Math.min(t, atUs + bounds.messageUs);
  if (out.writes.length > 0) t = Math.min(t, atUs + bounds.durableUs);
  if (input.kind === 'tick') t = Math.min(t, atUs + bounds.tickUs);
  return t;
}

/**
 * Runs `inputs` through `step` in order, with the node's own wake-ups where the conductor would
 * deliver them (see above), stopping before the first input that a consequence of an earlier one
 * could precede. A throw ends the batch: what ran before it is returned with it.
 */
export async function runBatch<M extends Envelope, Req, Res>(
  inputs: readonly TimedInput<M, Req>[],
  bounds: BatchBounds,
  step: (atUs: number, input: NodeInput<M, Req>) => Promise<NodeOutput<M, Res>>,
): Promise<BatchResult<M, Res>> {
  const outputs: NodeOutput<M, Res>[] = [];
  const steps: BatchStep[] = [];
  let horizon = Infinity;
  /** The node's pending wake-up, as the conductor would have it. */
  let wake = bounds.wakeAtUs;
  /** Whether `wake` was asked for in this batch (so its event is not among those offered). */
  let own = false;
  /** Whether an offered wake-up is still the pending one (no output has replaced it). */
  let queuedValid = true;
  const ownBefore = bounds.wakesBeforeUs ?? -Infinity;
  let i = 0;
  for (;;) {
    const next = inputs[i];
    // The node's own wake-up, if it is the next thing to happen (an offered input at the same
    // time was queued first) and nothing outside the batch can come before it.
    const deliverable = own && wake! < ownBefore && wake! < horizon;
    let atUs: number;
    let input: NodeInput<M, Req>;
    let what: BatchStep;
    if (deliverable && (next === undefined || wake! < next.atUs)) {
      atUs = wake!;
      input = { kind: 'wake' };
      what = { wakeUs: atUs };
      wake = undefined;
      own = false;
    } else {
      if (next === undefined || next.atUs > horizon) break;
      // A wake-up the conductor will deliver itself comes before any later input.
      if (wake !== undefined && !deliverable && next.atUs > wake) break;
      i++;
      if (next.input.kind === 'wake') {
        if (!queuedValid) continue; // replaced by a sooner one: the conductor drops it as stale
        wake = undefined;
        queuedValid = false;
      }
      ({ atUs, input } = next);
      what = { input: i - 1 };
    }
    let out: NodeOutput<M, Res>;
    try {
      out = await step(atUs, input);
    } catch (err) {
      return { outputs, steps, failed: { ...toWireError(err), step: what } };
    }
    outputs.push(out);
    steps.push(what);
    horizon = Math.min(horizon, consequenceBesidesWake(atUs, input, out, bounds));
    // The conductor keeps the sooner of the pending wake-up and the one asked for.
    if (out.wakeAtUs !== undefined && (wake === undefined || out.wakeAtUs < wake)) {
      wake = Math.max(out.wakeAtUs, atUs);
      own = true;
      queuedValid = false;
    }
  }
  return { outputs, steps };
}
