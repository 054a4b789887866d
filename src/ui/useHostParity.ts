import { useEffect, useState } from 'react';
import { runParityScenario, type ParityRun } from './hostParity';

export type ParityState =
  | { status: 'running' }
  | { status: 'done'; inProcess: ParityRun; worker: ParityRun }
  | { status: 'failed'; message: string };

export function useHostParity(): ParityState {
  const [state, setState] = useState<ParityState>({ status: 'running' });
  useEffect(() => {
    let live = true;
    // A namespace of its own per run, so a reload never finds an old run's databases.
    const namespace = `parity-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
    (async () => {
      const inProcess = await runParityScenario('in-process', namespace);
      if (!live) return;
      const worker = await runParityScenario('worker', namespace);
      if (live) setState({ status: 'done', inProcess, worker });
    })().catch((err: unknown) => {
      if (live)
        setState({ status: 'failed', message: err instanceof Error ? err.message : String(err) });
    });
    return () => {
      live = false;
    };
  }, []);
  return state;
}
