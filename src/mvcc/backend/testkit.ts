// Helpers shared by the backend's tests: rebuilding lock holds from events and checking them.
// Not used by the backend itself.
import type { BackendEvent, HoldMode, LockName, TxnKind } from './types';

export interface Hold {
  readonly txnId: number;
  readonly kind: TxnKind;
  readonly lock: LockName;
  readonly mode: HoldMode;
  readonly requestedUs: number;
  readonly grantedUs: number;
  readonly releasedUs: number;
}

/** Rebuilds each (txn, lock) hold from its three events; throws if they are not exactly that. */
export function holdsOf(events: readonly BackendEvent[]): Hold[] {
  const open = new Map<string, Partial<Record<BackendEvent['phase'], BackendEvent>>>();
  const order: string[] = [];
  for (const e of events) {
    const key = `${e.txnId}/${e.lock}`;
    let phases = open.get(key);
    if (phases === undefined) {
      phases = {};
      open.set(key, phases);
      order.push(key);
    }
    if (phases[e.phase] !== undefined) throw new Error(`${key}: second '${e.phase}' event`);
    const expectedBefore = {
      requested: [],
      granted: ['requested'],
      released: ['granted'],
    } as const;
    for (const p of expectedBefore[e.phase]) {
      if (phases[p] === undefined) throw new Error(`${key}: '${e.phase}' before '${p}'`);
    }
    phases[e.phase] = e;
  }
  return order.map((key) => {
    const { requested, granted, released } = open.get(key)!;
    if (requested === undefined || granted === undefined || released === undefined) {
      throw new Error(`${key}: hold never completed`);
    }
    return {
      txnId: requested.txnId,
      kind: requested.kind,
      lock: requested.lock,
      mode: requested.mode,
      requestedUs: requested.atUs,
      grantedUs: granted.atUs,
      releasedUs: released.atUs,
    };
  });
}

/** Pairs of holds of the same lock that overlap in time although one of them is exclusive. */
export function conflictingOverlaps(holds: readonly Hold[]): [Hold, Hold][] {
  const bad: [Hold, Hold][] = [];
  for (let i = 0; i < holds.length; i++) {
    for (let j = i + 1; j < holds.length; j++) {
      const a = holds[i]!;
      const b = holds[j]!;
      if (a.lock !== b.lock || a.mode === 'none' || b.mode === 'none') continue;
      if (a.mode === 'shared' && b.mode === 'shared') continue;
      if (a.grantedUs < b.releasedUs && b.grantedUs < a.releasedUs) bad.push([a, b]);
    }
  }
  return bad;
}
