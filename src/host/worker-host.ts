// Starts node workers and wraps them with comlink. Only src/host and workers/ touch Worker and
// comlink (design.md, Layers). Vite finds the worker only in exactly this `new Worker(new URL())`
// form, so keep it literal.
import { wrap, releaseProxy, type Remote } from 'comlink';
import type { PeerMessage } from '../server/peer';
import type { InspectOptions, NodeInspection } from '../server/inspect';
import { restoredSpec, type NodeSpec, type RestoreFrom } from '../server/node-spec';
import type { ClientRequest, ClientResponse } from '../server/requests';
import type { BatchBounds, TimedInput } from '../sim/batch';
import type { NodeHost } from '../sim/host-contract';
import { nodeDatabaseName } from '../storage/idb-disk';
import type { NodeWorkerApi } from '../../workers/node.worker';
import type { HostInput, HostOutput } from './node-runner';
import { StepChannel } from './step-channel';

export interface NodeWorkerHandle {
  api: Remote<NodeWorkerApi>;
  /** The node's step and stepMany calls (step-channel.ts: not through comlink). */
  steps: StepChannel;
  /** Ends the worker for real: pending calls never resolve, memory is freed. */
  terminate(): void;
}

export function spawnNodeWorker(name: string): NodeWorkerHandle {
  const worker = new Worker(new URL('../../workers/node.worker.ts', import.meta.url), {
    type: 'module',
    name,
  });
  const api = wrap<NodeWorkerApi>(worker);
  return {
    api,
    steps: new StepChannel(worker),
    terminate() {
      api[releaseProxy]();
      worker.terminate();
    },
  };
}

interface Member {
  spec: NodeSpec;
  lives: number;
  worker?: NodeWorkerHandle;
}

/**
 * One Web Worker per node, each with its own IndexedDB database named after the cluster
 * namespace and the node. A crash terminates the worker; a restart starts a new one that recovers
 * from IndexedDB.
 */
export class WorkerHost implements NodeHost<PeerMessage, ClientRequest, ClientResponse> {
  private readonly members = new Map<number, Member>();

  constructor(
    specs: readonly NodeSpec[],
    readonly namespace: string,
  ) {
    for (const spec of specs) this.members.set(spec.id, { spec, lives: 0 });
    nodeDatabaseName(namespace, 1); // validates the namespace up front
  }

  addNode(id: number): void {
    if (this.members.has(id)) throw new Error(`worker host: node ${id} already exists`);
    const template = this.members.values().next().value;
    if (!template) throw new Error('worker host: no node to copy settings from');
    this.members.set(id, { spec: { ...template.spec, id }, lives: 0 });
  }

  private member(id: number): Member {
    const m = this.members.get(id);
    if (!m) throw new Error(`worker host: no node ${id}`);
    return m;
  }

  database(id: number): string {
    return nodeDatabaseName(this.namespace, id);
  }

  async start(id: number, atUs: number): Promise<HostOutput> {
    const m = this.member(id);
    if (m.worker) throw new Error(`worker host: node ${id} is already running`);
    m.lives++;
    const worker = spawnNodeWorker(`n${id} (${this.namespace})`);
    m.worker = worker;
    try {
      return await worker.api.startNode(m.spec, this.database(id), atUs, m.lives);
    } catch (err) {
      // A member that cannot start (a corrupt disk) leaves no worker behind.
      worker.terminate();
      m.worker = undefined;
      throw err;
    }
  }

  /** Calls made to the nodes' workers to step them (step and stepMany): the benchmark's count. */
  roundTrips = 0;

  async step(id: number, atUs: number, input: HostInput): Promise<HostOutput> {
    return this.steps(id).step(atUs, input);
  }

  /** Several inputs in one round trip to the worker (the conductor runs ahead with these). */
  async stepMany(
    id: number,
    inputs: TimedInput<PeerMessage, ClientRequest>[],
    bounds: BatchBounds,
  ) {
    return this.steps(id).stepMany(inputs, bounds);
  }

  /** Node `id`'s step channel, for one more round trip (counted). */
  private steps(id: number): StepChannel {
    const w = this.member(id).worker;
    if (!w) throw new Error(`worker host: node ${id} is not running`);
    this.roundTrips++;
    return w.steps;
  }

  /**
   * Terminates the node's worker for real. Writes the simulation already declared durable are
   * flushed to IndexedDB first; writes it had not are lost with the worker, as a crash loses them.
   */
  async crash(id: number): Promise<void> {
    const m = this.member(id);
    const worker = m.worker;
    m.worker = undefined;
    if (!worker) return;
    try {
      await worker.api.flush();
    } finally {
      worker.terminate();
    }
  }

  /** Node `id`'s log, key-value state and leases (and metrics if asked), if it is running. */
  async inspect(id: number, opts?: InspectOptions): Promise<NodeInspection | undefined> {
    const w = this.members.get(id)?.worker;
    return w ? w.api.inspect(opts) : undefined;
  }

  async backup(id: number): Promise<Uint8Array | undefined> {
    const w = this.members.get(id)?.worker;
    return w ? w.api.backup() : undefined;
  }

  /** Deletes the node's database (its worker is gone); it starts next as `from` says. */
  async restoreDisk(id: number, from: RestoreFrom): Promise<void> {
    if (this.member(id).worker)
      throw new Error(`worker host: node ${id} is running; stop it first`);
    await deleteDatabase(this.database(id));
    const m = this.member(id);
    m.spec = restoredSpec(m.spec, from);
  }

  async close(): Promise<void> {
    for (const id of this.members.keys()) await this.crash(id);
  }

  /** Closes every worker and deletes the cluster's databases. */
  async destroy(): Promise<void> {
    await this.close();
    await Promise.all([...this.members.keys()].map((id) => deleteDatabase(this.database(id))));
  }
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    req.onblocked = () => resolve(); // a connection is still closing; it goes when it closes
  });
}
