// Starts node workers and wraps them with comlink. Only src/host and workers/ touch Worker and
// comlink (design.md, Layers). Vite finds the worker only in exactly this `new Worker(new URL())`
// form, so keep it literal.
import { wrap, releaseProxy, type Remote } from 'comlink';
import type { NodeWorkerApi } from '../../workers/node.worker';

export interface NodeWorkerHandle {
  api: Remote<NodeWorkerApi>;
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
    terminate() {
      api[releaseProxy]();
      worker.terminate();
    },
  };
}
