// One thing at a time touches the session: the play loop's runs, actions, steps, forks. Each is
// async (workers answer over postMessage), and interleaving two of them would let events run in
// the middle of an action, so the recorded place of the action would not be where it happened.
let chain: Promise<unknown> = Promise.resolve();
let queued = 0;

export function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  queued++;
  const run = chain.then(fn).finally(() => {
    queued--;
  });
  chain = run.catch(() => undefined);
  return run;
}

/** Whether nothing is running or waiting: the play loop only starts a run then. */
export function idle(): boolean {
  return queued === 0;
}
