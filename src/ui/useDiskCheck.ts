// Starts one node worker, shakes hands, and runs its IndexedDB disk check. The worker is
// terminated in the effect's cleanup, so StrictMode's double effect never leaks a worker.
import { useEffect, useState } from 'react';
import { spawnNodeWorker } from '../host/worker-host';
import type { DiskCheckResult } from '../storage/disk-check';

export type DiskCheckState =
  | { status: 'running' }
  | { status: 'ok'; result: DiskCheckResult; workerIsolated: boolean; elapsedMs: number }
  | { status: 'failed'; message: string };

export function useDiskCheck(database: string): DiskCheckState {
  const [state, setState] = useState<DiskCheckState>({ status: 'running' });
  useEffect(() => {
    let live = true;
    const handle = spawnNodeWorker(`node-1 (${database})`);
    const started = performance.now();
    (async () => {
      const hello = await handle.api.hello(1);
      const result = await handle.api.diskCheck(database);
      if (!live) return;
      if (result.readBack !== result.wrote) {
        throw new Error(`read back "${result.readBack}" after writing "${result.wrote}"`);
      }
      setState({
        status: 'ok',
        result,
        workerIsolated: hello.isolated,
        elapsedMs: performance.now() - started,
      });
    })().catch((err: unknown) => {
      if (live)
        setState({ status: 'failed', message: err instanceof Error ? err.message : String(err) });
    });
    return () => {
      live = false;
      handle.terminate();
    };
  }, [database]);
  return state;
}
