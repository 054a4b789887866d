// Linearizable histories to check, made by running the simulator's workload against a real
// MvccStore: closed-loop clients (each calls again once answered), each call taking effect at
// one instant inside its interval, intervals of different clients overlapping. Some writes get
// no answer: they took effect at some instant after their call (possibly after the client gave
// up) or never, alone or in outages (runs of calls none of which is answered). For the checker's
// tests and benchmark; deterministic from the seed.
import { MvccStore } from '../mvcc/index';
import type { OpKind } from '../scenario/schema';
import { Prng } from '../sim/prng';
import { WorkloadGenerator } from '../sim/workload';
import type { KvRequest, KvResponse, Operation } from './history';

export interface GenerateOptions {
  seed: number;
  clients: number;
  ops: number;
  keySpace: number;
  valueBytes?: number;
  /** Fraction of writes that get no answer (half of them still take effect). Default 0.01. */
  unanswered?: number;
  /** The longest time from a call to its effect and from its effect to its answer, µs. */
  latencyUs?: number;
  mix?: Partial<Record<OpKind, number>>;
  /**
   * Outages, as when a leader is lost: of every `every` calls the last `length` writes get no
   * answer (half of them still take effect), so many revisions in a row are nobody's answer.
   */
  outages?: { every: number; length: number } | undefined;
}

/** The simulator's default-ish mix: mostly puts and cheap ranges, some txns and deletes. */
export const DEFAULT_MIX: Partial<Record<OpKind, number>> = {
  put: 40,
  'range-cheap': 25,
  'range-expensive': 5,
  txn: 20,
  delete: 10,
};

/** One call on a real store: its answer, or undefined when etcd answers an error. */
export function runOnStore(store: MvccStore, req: KvRequest): KvResponse | undefined {
  try {
    switch (req.method) {
      case 'range':
        return store.range(req.body);
      case 'put':
        return store.put(req.body);
      case 'deleteRange':
        return store.deleteRange(req.body);
      case 'txn':
        return store.txn(req.body);
    }
  } catch {
    return undefined;
  }
}

export function generateHistory(o: GenerateOptions): Operation[] {
  const latency = o.latencyUs ?? 2000;
  const unanswered = o.unanswered ?? 0.01;
  const rng = Prng.stream(o.seed, 'check:timing');
  const spec = {
    mode: 'closed' as const,
    rate: 0,
    concurrency: o.clients,
    mix: o.mix ?? DEFAULT_MIX,
    linearizable: true,
    keySpace: o.keySpace,
    valueBytes: o.valueBytes ?? 8,
    startMs: 0,
  };
  const gens = Array.from(
    { length: o.clients },
    (_, c) => new WorkloadGenerator(spec, o.seed, c, () => [1]),
  );
  const free = new Array<number>(o.clients).fill(0);
  const ops: Operation[] = [];
  const effects: { at: number; op: Operation }[] = [];
  const silent = new Set<Operation>();
  for (let id = 0; id < o.ops; id++) {
    let c = 0;
    for (let k = 1; k < o.clients; k++) if ((free[k] as number) < (free[c] as number)) c = k;
    const request = (gens[c] as WorkloadGenerator).nextOp().request as KvRequest;
    const callUs = (free[c] as number) + rng.int(0, latency);
    const op: Operation = { id, clientId: c, callUs, request };
    ops.push(op);
    const write = request.method !== 'range';
    const out = o.outages && id % o.outages.every >= o.outages.every - o.outages.length;
    if (write && (out || rng.next() < unanswered)) {
      // no answer: a timeout (returnUs set, no response) or nothing at all
      const timeout = callUs + 3 * latency;
      silent.add(op);
      if (rng.next() < 0.5) effects.push({ at: callUs + rng.int(0, 6 * latency), op });
      if (rng.next() < 0.5) op.returnUs = timeout;
      free[c] = timeout;
      continue;
    }
    const at = callUs + rng.int(0, latency);
    op.returnUs = at + rng.int(0, latency);
    effects.push({ at, op });
    free[c] = op.returnUs;
  }
  effects.sort((a, b) => a.at - b.at || a.op.id - b.op.id);
  const store = new MvccStore();
  for (const { op } of effects) {
    const response = runOnStore(store, op.request);
    if (response && !silent.has(op)) op.response = response;
  }
  return ops;
}
