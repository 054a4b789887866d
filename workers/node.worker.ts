// The node worker: one per cluster member. It runs the member (Raft + MVCC, through the same
// NodeRunner as the in-process host) on an IndexedDB disk, and answers the conductor's inputs
// over src/host/step-channel.ts and everything else over comlink. A crash is the host
// terminating this worker; a restart is a new worker that rebuilds the member from IndexedDB
// alone.
import { expose } from 'comlink';
import { NodeRunner, type HostOutput } from '../src/host/node-runner';
import { serveSteps } from '../src/host/step-channel';
import type { InspectOptions, NodeInspection } from '../src/server/inspect';
import type { NodeSpec } from '../src/server/node-spec';
import { runBatch } from '../src/sim/batch';
import { runDiskCheck, type DiskCheckResult } from '../src/storage/disk-check';
import { IdbDisk } from '../src/storage/idb-disk';

export interface NodeWorkerApi {
  /** Handshake: proves the worker module loaded and comlink is wired. */
  hello(nodeId: number): { nodeId: number; isolated: boolean };
  /** Writes and reads back a record in this node's IndexedDB database. */
  diskCheck(database: string): Promise<DiskCheckResult>;
  /** Starts the member from database `database` (its disk) at simulated time `atUs`. */
  startNode(spec: NodeSpec, database: string, atUs: number, life: number): Promise<HostOutput>;
  /** Resolves once every write the simulation declared durable is in IndexedDB. */
  flush(): Promise<void>;
  /** The member's log, key-value state and leases, metrics if asked (undefined when none is running). */
  inspect(opts?: InspectOptions): NodeInspection | undefined;
  /** etcdctl snapshot save: the member's snapshot file (undefined when none is running). */
  backup(): Uint8Array | undefined;
}

/**
 * How long a group commit to IndexedDB waits for more writes (wall milliseconds). Writes are
 * already durable in the simulation; this only batches the real ones, and a crash flushes first.
 * Measured with `npm run bench -- browser` (src/host/README.md): about a third more puts/s at
 * 1, 16 and 64 clients than with no window.
 */
const GROUP_WINDOW_MS = 20;

let probes = 0;
let runner: NodeRunner | undefined;

const api: NodeWorkerApi = {
  hello(nodeId) {
    return { nodeId, isolated: self.crossOriginIsolated };
  },
  diskCheck(database) {
    probes += 1;
    return runDiskCheck(database, `probe-${probes}`);
  },
  async startNode(spec, database, atUs, life) {
    if (runner) throw new Error(`node worker for n${spec.id} is already running a member`);
    const disk = await IdbDisk.open(database);
    const booted = await NodeRunner.boot(spec, disk, atUs, life, GROUP_WINDOW_MS);
    runner = booted.runner;
    return booted.out;
  },
  async flush() {
    await runner?.flush();
  },
  inspect(opts) {
    return runner?.inspect(opts);
  },
  backup() {
    return runner?.backup();
  },
};

// A member's inputs, one or several at a time, come over their own channel (its hot path).
serveSteps(self, {
  step(atUs, input) {
    if (!runner) throw new Error('node worker: no member started');
    return runner.step(atUs, input);
  },
  stepMany(inputs, bounds) {
    const member = runner;
    if (!member) throw new Error('node worker: no member started');
    return runBatch(inputs, bounds, (atUs, input) => member.step(atUs, input));
  },
});
expose(api);
