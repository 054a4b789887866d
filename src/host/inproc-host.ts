// Runs every node in this thread with a memory disk: the host for Node (tests, fuzzing,
// benchmarks, the CLI) and for a browser tab that wants no workers. A node's disk outlives its
// crashes; a write reaches the disk only when the conductor says it is durable, so a crash loses
// exactly what the disk model says it loses.
import type { PeerMessage } from '../server/peer';
import type { EtcdServer } from '../server/etcd-server';
import type { InspectOptions, NodeInspection } from '../server/inspect';
import { restoredSpec, type NodeSpec, type RestoreFrom } from '../server/node-spec';
import type { ClientRequest, ClientResponse } from '../server/requests';
import type { NodeHost } from '../sim/host-contract';
import { MemoryDisk } from '../storage/memory-disk';
import { NodeRunner, type HostInput, type HostOutput } from './node-runner';

interface Member {
  spec: NodeSpec;
  disk: MemoryDisk;
  lives: number;
  runner?: NodeRunner;
}

export class InProcessHost implements NodeHost<PeerMessage, ClientRequest, ClientResponse> {
  private readonly members = new Map<number, Member>();

  constructor(specs: readonly NodeSpec[]) {
    for (const spec of specs) {
      this.members.set(spec.id, { spec, disk: new MemoryDisk(`inproc/n${spec.id}`), lives: 0 });
    }
  }

  addNode(id: number): void {
    if (this.members.has(id)) throw new Error(`in-process host: node ${id} already exists`);
    const template = this.members.values().next().value;
    if (!template) throw new Error('in-process host: no node to copy settings from');
    this.members.set(id, {
      spec: { ...template.spec, id },
      disk: new MemoryDisk(`inproc/n${id}`),
      lives: 0,
    });
  }

  private member(id: number): Member {
    const m = this.members.get(id);
    if (!m) throw new Error(`in-process host: no node ${id}`);
    return m;
  }

  /** The running server of node `id`, for inspection (tests, the UI's inspector). */
  server(id: number): EtcdServer | undefined {
    return this.members.get(id)?.runner?.server;
  }

  /** Node `id`'s log, key-value state and leases (and metrics if asked), if it is running. */
  async inspect(id: number, opts?: InspectOptions): Promise<NodeInspection | undefined> {
    return this.members.get(id)?.runner?.inspect(opts);
  }

  async backup(id: number): Promise<Uint8Array | undefined> {
    return this.members.get(id)?.runner?.backup();
  }

  /** A fresh memory disk, from which the node starts next as `from` says. */
  async restoreDisk(id: number, from: RestoreFrom): Promise<void> {
    const m = this.member(id);
    if (m.runner) throw new Error(`in-process host: node ${id} is running; stop it first`);
    m.disk = new MemoryDisk(`inproc/n${id}`);
    m.spec = restoredSpec(m.spec, from);
  }

  disk(id: number): MemoryDisk {
    return this.member(id).disk;
  }

  async start(id: number, atUs: number): Promise<HostOutput> {
    const m = this.member(id);
    m.lives++;
    const { runner, out } = await NodeRunner.boot(m.spec, m.disk, atUs, m.lives);
    m.runner = runner;
    return out;
  }

  // Not async: it hands back the runner's own promise rather than wrapping it in another (one
  // promise and its microtask hops fewer per simulation event). Errors still come as rejections.
  step(id: number, atUs: number, input: HostInput): Promise<HostOutput> {
    try {
      const runner = this.member(id).runner;
      if (!runner) throw new Error(`in-process host: node ${id} is not running`);
      return runner.step(atUs, input);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  async crash(id: number): Promise<void> {
    const m = this.member(id);
    await m.runner?.flush(); // what the simulation called durable is on the disk
    m.runner = undefined;
  }

  async close(): Promise<void> {
    for (const m of this.members.values()) m.runner = undefined;
  }
}
