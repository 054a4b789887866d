// The node worker: one per cluster member. It will host a node's server and its IndexedDB disk
// (issue 5); today it answers a handshake and runs the disk check, the proof that a module worker
// reached through comlink can use IndexedDB for real.
import { expose } from 'comlink';
import { runDiskCheck, type DiskCheckResult } from '../src/storage/disk-check';

export interface NodeWorkerApi {
  /** Handshake: proves the worker module loaded and comlink is wired. */
  hello(nodeId: number): { nodeId: number; isolated: boolean };
  /** Writes and reads back a record in this node's IndexedDB database. */
  diskCheck(database: string): Promise<DiskCheckResult>;
}

let probes = 0;

const api: NodeWorkerApi = {
  hello(nodeId) {
    return { nodeId, isolated: self.crossOriginIsolated };
  },
  diskCheck(database) {
    probes += 1;
    return runDiskCheck(database, `probe-${probes}`);
  },
};

expose(api);
