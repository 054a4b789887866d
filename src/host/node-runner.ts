// One running member and its disk: builds the EtcdServer from what the disk holds, turns the
// conductor's inputs into server calls, and performs each disk write when — and only when — the
// conductor says it is durable. Both hosts run nodes through this, so a node behaves the same
// in this thread and in a worker; only the disk (memory or IndexedDB) differs.
import type { PeerMessage } from '../server/peer';
import { EtcdServer, type ServerOutput } from '../server/etcd-server';
import type { InspectOptions, NodeInspection } from '../server/inspect';
import type { NodeSpec } from '../server/node-spec';
import type { ClientRequest, ClientResponse } from '../server/requests';
import type { NodeInput, NodeOutput } from '../sim/host-contract';
import { Prng } from '../sim/prng';
import type { DiskWrite, NodeDisk } from '../storage/disk';

export type HostOutput = NodeOutput<PeerMessage, ClientResponse>;
export type HostInput = NodeInput<PeerMessage, ClientRequest>;

export class NodeRunner {
  /** Writes issued and not yet durable, by id: lost if the node crashes first. */
  private readonly pending = new Map<number, DiskWrite>();
  /**
   * Writes the simulation has declared durable, waiting to be written for real, in order. The
   * node goes on at once (the simulated fsync already happened). One group commit is under way at
   * a time and takes every write queued meanwhile (IndexedDB: one transaction and one flush for
   * all of them, where a transaction each cost the browser more than the simulation itself).
   * flush() waits for them all, and a host calls it before it stops the node, so nothing the
   * simulation acknowledged is ever missing.
   */
  private queued: DiskWrite[] = [];
  private writing: Promise<void> | undefined;
  private writeError: unknown;
  /** Ends the current group window early (flush: everything now). */
  private closeWindow: (() => void) | undefined;
  /** Flushes waiting: while any is, groups start at once. */
  private flushing = 0;

  private constructor(
    readonly server: EtcdServer,
    private readonly disk: NodeDisk,
    private readonly groupWindowMs: number,
  ) {}

  /**
   * Starts a member from its disk alone. `life` numbers the member's boots (1, 2, ...): each life
   * draws its Raft randomness from its own stream of the scenario seed. With `groupWindowMs`, a
   * group commit waits that long (wall time) for more writes before it starts: see commitQueued.
   */
  static async boot(
    spec: NodeSpec,
    disk: NodeDisk,
    atUs: number,
    life: number,
    groupWindowMs = 0,
  ): Promise<{ runner: NodeRunner; out: HostOutput }> {
    const state = await disk.load();
    const rng = Prng.stream(spec.seed, `node:${spec.id}:${life}`);
    const server = new EtcdServer({ ...spec, rand: () => rng.next() }, state, atUs);
    const runner = new NodeRunner(server, disk, groupWindowMs);
    return { runner, out: runner.absorb(server.boot()) };
  }

  async step(atUs: number, input: HostInput): Promise<HostOutput> {
    const s = this.server;
    switch (input.kind) {
      case 'tick':
        return this.absorb(s.tick(atUs));
      case 'message':
        return this.absorb(s.receive(atUs, input.message));
      case 'request':
        return this.absorb(s.request(atUs, input.clientId, input.requestId, input.request));
      case 'durable': {
        const write = this.pending.get(input.writeId);
        if (write) {
          this.pending.delete(input.writeId);
          this.queued.push(write);
          this.writing ??= this.commitQueued();
        }
        this.throwWriteError();
        return this.absorb(s.durable(atUs, input.writeId));
      }
      case 'wake':
        return this.absorb(s.wake(atUs));
    }
  }

  inspect(opts?: InspectOptions): NodeInspection {
    return this.server.inspect(opts);
  }

  /** etcdctl snapshot save: the member's snapshot file, read without side effects. */
  backup(): Uint8Array {
    return this.server.backup();
  }

  /**
   * Writes what is queued, group by group, until nothing is. Each group first waits out its window
   * (if any) so that it takes every write declared durable meanwhile: IndexedDB's cost is per
   * transaction as much as per byte, and the browser's work for each one competes with the
   * simulation for the same cores. Nothing the simulation does waits for this; flush() closes the
   * window at once.
   */
  private async commitQueued(): Promise<void> {
    while (this.queued.length > 0 && this.writeError === undefined) {
      if (this.groupWindowMs > 0 && this.flushing === 0) {
        await new Promise<void>((resolve) => {
          const close = () => {
            clearTimeout(timer);
            this.closeWindow = undefined;
            resolve();
          };
          const timer = setTimeout(close, this.groupWindowMs);
          this.closeWindow = close;
        });
      }
      const group = this.queued;
      this.queued = [];
      try {
        await this.disk.writeAll(group);
      } catch (err) {
        this.writeError ??= err;
      }
    }
    this.writing = undefined;
  }

  /** Waits until every write declared durable is on the disk; rethrows a write that failed. */
  async flush(): Promise<void> {
    this.flushing++;
    try {
      this.closeWindow?.();
      await this.writing;
    } finally {
      this.flushing--;
    }
    this.throwWriteError();
  }

  /** A real write failed (a full disk, say): the node cannot go on pretending it is durable. */
  private throwWriteError(): void {
    if (this.writeError !== undefined) {
      const err = this.writeError;
      throw new Error(`disk write failed: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  }

  private absorb(out: ServerOutput): HostOutput {
    for (const w of out.writes) this.pending.set(w.writeId, w.write);
    const result: HostOutput = {
      messages: out.messages,
      writes: out.writes.map((w) => w.writeId),
      responses: out.responses,
      trace: out.trace,
    };
    if (out.wakeAtUs !== undefined) result.wakeAtUs = out.wakeAtUs;
    return result;
  }
}
