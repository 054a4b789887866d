// What the conductor and a node host say to each other. The conductor owns time; a node only
// reacts to inputs and answers with outputs (design.md, Determinism). The contract is generic in
// the message, request and response types so that the conductor knows nothing of Raft or MVCC:
// it routes messages by `from`/`to`, schedules disk completions by write id, and hands responses
// to whoever asked.
import type { BatchBounds, BatchResult, TimedInput } from './batch';

/** The least a message must carry for the conductor to route it. */
export interface Envelope {
  from: number;
  to: number;
  type: string;
}

export type NodeInput<M extends Envelope, Req> =
  /** The node's logical clock advances one tick (Raft's heartbeat interval). */
  | { kind: 'tick' }
  | { kind: 'message'; message: M }
  | { kind: 'request'; clientId: number; requestId: number; request: Req }
  /** The disk says write `writeId` is durable: the host has made it so for real. */
  | { kind: 'durable'; writeId: number }
  /** A wake-up the node asked for (a backend commit, a request deadline). */
  | { kind: 'wake' };

export interface NodeResponse<Res> {
  clientId: number;
  requestId: number;
  response: Res;
}

export interface NodeOutput<M extends Envelope, Res> {
  /** Messages to put on the network now. */
  messages: M[];
  /** Disk writes issued now (ids); the host keeps their contents until they become durable. */
  writes: number[];
  responses: NodeResponse<Res>[];
  /** The earliest time the node wants a 'wake' input, if any. */
  wakeAtUs?: number;
  /** What happened inside the node, for the trace and the narration. */
  trace: Record<string, unknown>[];
}

export interface NodeHost<M extends Envelope, Req, Res> {
  /** (Re)starts `node` from its disk alone. */
  start(node: number, atUs: number): Promise<NodeOutput<M, Res>>;
  /** Hands `node` one input at simulated time `atUs`. */
  step(node: number, atUs: number, input: NodeInput<M, Req>): Promise<NodeOutput<M, Res>>;
  /**
   * Optional: hands `node` several inputs in one call, run as runBatch (src/sim/batch.ts) runs
   * them: in order, stopping where one-at-a-time delivery could have differed. For a host whose
   * every call is a round trip (a worker); the conductor then uses the outputs one by one.
   */
  stepMany?(
    node: number,
    inputs: TimedInput<M, Req>[],
    bounds: BatchBounds,
  ): Promise<BatchResult<M, Res>>;
  /** Makes room for a member added to the cluster while it runs (it starts with an empty disk). */
  addNode(node: number): void;
  /** Stops `node` at once; writes that were not durable are lost. */
  crash(node: number): Promise<void>;
  /** Releases everything (workers, databases). */
  close(): Promise<void>;
  /**
   * etcdctl snapshot save: the running node's backend as a snapshot file, read without side
   * effects (undefined when the node is not running). Optional: a host may not offer backups.
   */
  backup?(node: number): Promise<Uint8Array | undefined>;
  /**
   * etcdctl snapshot restore into a new data dir: replaces the disk of `node` (which is down)
   * with an empty one, from which its next start makes it a member of a new cluster of
   * `from.initialCluster` holding the store snapshot `from.snapshot`.
   */
  restoreDisk?(
    node: number,
    from: { initialCluster: readonly number[]; snapshot: Uint8Array },
  ): Promise<void>;
}

export function emptyOutput<M extends Envelope, Res>(): NodeOutput<M, Res> {
  return { messages: [], writes: [], responses: [], trace: [] };
}
