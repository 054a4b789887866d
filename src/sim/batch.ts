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
// - a client response: the client may send its next request at once, to any node (now);
// - a tick input: the conductor schedules the node's next tick one tick later (`tickUs`).
//
// An event scheduled at the very time of a later input still comes after it (the queue breaks ties
// by scheduling order, and the offered inputs were scheduled first), so an input runs when every
// consequence so far is at or after its time.
import type { Envelope, NodeInput, NodeOutput } from './host-contract';

/** The least delays, in microseconds, before what a node's output asks for can happen. */
export interface BatchBounds {
  messageUs: number;
  durableUs: number;
  tickUs: number;
}

export interface TimedInput<M extends Envelope, Req> {
  atUs: number;
  input: NodeInput<M, Req>;
}

export interface BatchResult<M extends Envelope, Res> {
  /** The outputs of the inputs that ran: a prefix of those offered, never empty unless failed. */
  outputs: NodeOutput<M, Res>[];
  /** The input after the outputs threw this (its message); nothing after it ran. */
  failed?: { name: string; message: string };
}

/** The earliest time anything `out` (the output of `input`, at `atUs`) schedules can happen. */
export function earliestConsequence<M extends Envelope, Req, Res>(
  atUs: number,
  input: NodeInput<M, Req>,
  out: NodeOutput<M, Res>,
  bounds: BatchBounds,
): number {
  let t = Infinity;
  if (out.responses.length > 0) return atUs;
  if (out.wakeAtUs !== undefined) t = Math.max(out.wakeAtUs, atUs);
  if (out.messages.length > 0) t = Math.min(t, atUs + bounds.messageUs);
  if (out.writes.length > 0) t = Math.min(t, atUs + bounds.durableUs);
  if (input.kind === 'tick') t = Math.min(t, atUs + bounds.tickUs);
  return t;
}

/**
 * Runs `inputs` through `step` in order, stopping before the first one that a consequence of an
 * earlier one could precede. A throw ends the batch: what ran before it is returned with it.
 */
export async function runBatch<M extends Envelope, Req, Res>(
  inputs: readonly TimedInput<M, Req>[],
  bounds: BatchBounds,
  step: (atUs: number, input: NodeInput<M, Req>) => Promise<NodeOutput<M, Res>>,
): Promise<BatchResult<M, Res>> {
  const outputs: NodeOutput<M, Res>[] = [];
  let horizon = Infinity;
  for (const { atUs, input } of inputs) {
    if (atUs > horizon) break;
    let out: NodeOutput<M, Res>;
    try {
      out = await step(atUs, input);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      return { outputs, failed: { name: e.name, message: e.message } };
    }
    outputs.push(out);
    horizon = Math.min(horizon, earliestConsequence(atUs, input, out, bounds));
  }
  return { outputs };
}
