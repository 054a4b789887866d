// The worker host's hot path: a node's step and stepMany calls over plain postMessage, beside
// comlink, which carries the rest (start, inspect, backup, flush). At one client a put is a chain
// of about eight worker round trips, each waiting for the last; comlink spends a proxy, a random id
// and several promise hops on every call (see src/host/README.md for what the channel measured).
import type { ClientRequest, ClientResponse } from '../server/requests';
import type { PeerMessage } from '../server/peer';
import {
  fromWireError,
  toWireError,
  type BatchBounds,
  type BatchResult,
  type TimedInput,
  type WireError,
} from '../sim/batch';
import type { HostInput, HostOutput } from './node-runner';

type Inputs = TimedInput<PeerMessage, ClientRequest>[];
type Result = BatchResult<PeerMessage, ClientResponse>;

/** What a call hands the node: one input, or several run as src/sim/batch.ts says. */
type StepWhat =
  { one: { atUs: number; input: HostInput } } | { many: { inputs: Inputs; bounds: BatchBounds } };

/** A call, numbered so its answer finds it. */
type StepCall = { stepCall: number } & StepWhat;

/** Its answer: what the node returned, or what it threw. */
interface StepReply {
  stepCall: number;
  result?: HostOutput | Result;
  error?: WireError;
}

/** Both ends of a worker's message port, as far as this channel needs them. */
interface Port {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
}

/** A call or an answer of this channel's (anything else on the port is comlink's). */
const ofChannel = (d: unknown): d is { stepCall: number } =>
  typeof d === 'object' && d !== null && typeof (d as StepCall).stepCall === 'number';

/** The main thread's end: one per worker. Calls pending when the worker is terminated never end. */
export class StepChannel {
  private readonly pending = new Map<number, (reply: StepReply) => void>();
  private nextCall = 1;

  constructor(private readonly port: Port) {
    port.addEventListener('message', (ev) => {
      const reply = ev.data as unknown;
      if (!ofChannel(reply)) return;
      const done = this.pending.get(reply.stepCall);
      this.pending.delete(reply.stepCall);
      done?.(reply as StepReply);
    });
  }

  step(atUs: number, input: HostInput): Promise<HostOutput> {
    return this.call({ one: { atUs, input } }) as Promise<HostOutput>;
  }

  stepMany(inputs: Inputs, bounds: BatchBounds): Promise<Result> {
    return this.call({ many: { inputs, bounds } }) as Promise<Result>;
  }

  private call(what: StepWhat): Promise<HostOutput | Result> {
    const stepCall = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.pending.set(stepCall, (reply) => {
        if (reply.error) reject(fromWireError(reply.error));
        else resolve(reply.result!);
      });
      this.port.postMessage({ stepCall, ...what });
    });
  }
}

/** The worker's end: answers each call with what `node` returns or throws. */
export function serveSteps(
  port: Port,
  node: {
    step(atUs: number, input: HostInput): Promise<HostOutput>;
    stepMany(inputs: Inputs, bounds: BatchBounds): Promise<Result>;
  },
): void {
  port.addEventListener('message', (ev) => {
    const data = ev.data as unknown;
    if (!ofChannel(data)) return;
    const call = data as StepCall;
    const run = async () =>
      'one' in call
        ? node.step(call.one.atUs, call.one.input)
        : node.stepMany(call.many.inputs, call.many.bounds);
    run().then(
      (result) => port.postMessage({ stepCall: call.stepCall, result } satisfies StepReply),
      (err: unknown) =>
        port.postMessage({ stepCall: call.stepCall, error: toWireError(err) } satisfies StepReply),
    );
  });
}
