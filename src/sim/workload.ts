// Client workloads: open loop (requests arrive at a rate, whether or not earlier ones were
// answered: exponential gaps) or closed loop (a fixed number of clients, each sending its next
// request when the last is answered). Each workload draws from its own PRNG stream, so adding a
// workload never changes what another one does.
import type { ClientRequest } from '../server/requests';
import type { WatchRequest } from '../mvcc/types';
import type { OpKind, Workload } from '../scenario/schema';
import { Prng } from './prng';

const utf8 = new TextEncoder();

export interface PlannedOp {
  kind: OpKind;
  request: ClientRequest;
}

export function keyName(i: number): Uint8Array {
  return utf8.encode(`key/${String(i).padStart(8, '0')}`);
}

/** The range end covering `count` consecutive keys from key index `from`. */
function rangeOf(
  from: number,
  count: number,
  keySpace: number,
): { key: Uint8Array; range_end: Uint8Array } {
  const start = Math.max(0, Math.min(from, keySpace - count));
  return { key: keyName(start), range_end: keyName(start + count) };
}

/** One of a workload's watchers: when it arrives (after the workload starts) and what it watches. */
export interface PlannedWatcher {
  afterUs: number;
  body: WatchRequest;
  /** With a spread: a draw in [0, 1) that picks its member when it arrives (see pickOf). */
  pick?: number;
}

/**
 * The watchers of workload `index`: watcher k on range k mod watchRanges of the keys (one key:
 * that key alone), arriving at a time drawn uniformly over watchSpreadMs from a PRNG stream of
 * their own (their member too), so spreading them never changes the workload's requests.
 */
export function planWatchers(spec: Workload, seed: number, index: number): PlannedWatcher[] {
  const n = spec.watchers ?? 0;
  const ranges = spec.watchRanges;
  const spreadUs = Math.round((spec.watchSpreadMs ?? 0) * 1000);
  const rng = spreadUs > 0 ? Prng.stream(seed, `watchers:${index}`) : undefined;
  const out: PlannedWatcher[] = [];
  for (let k = 0; k < n; k++) {
    let body: WatchRequest = { key: keyName(0), range_end: keyName(spec.keySpace) };
    if (ranges !== undefined) {
      const i = k % ranges;
      const from = Math.floor((i * spec.keySpace) / ranges);
      const to = Math.floor(((i + 1) * spec.keySpace) / ranges);
      body =
        to - from === 1 ? { key: keyName(from) } : { key: keyName(from), range_end: keyName(to) };
    }
    out.push(
      rng ? { afterUs: rng.int(0, spreadUs), body, pick: rng.next() } : { afterUs: 0, body },
    );
  }
  return out;
}

/** The member a draw in [0, 1) picks among `nodes`. */
export function pickOf(u: number, nodes: readonly number[]): number {
  return nodes[Math.min(nodes.length - 1, Math.floor(u * nodes.length))]!;
}

export class WorkloadGenerator {
  private readonly rng: Prng;
  private readonly kinds: OpKind[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(
    readonly spec: Workload,
    seed: number,
    index: number,
    private readonly nodes: () => number[],
  ) {
    this.rng = Prng.stream(seed, `workload:${index}`);
    this.kinds = (Object.keys(spec.mix) as OpKind[]).filter((k) => (spec.mix[k] ?? 0) > 0).sort();
    let sum = 0;
    this.cumulative = this.kinds.map((k) => (sum += spec.mix[k] ?? 0));
    this.total = sum;
  }

  /** Microseconds until the next open-loop arrival. */
  nextGapUs(): number {
    const rate = this.spec.rate;
    if (rate <= 0) return Number.MAX_SAFE_INTEGER;
    const u = 1 - this.rng.next(); // (0, 1]
    return Math.max(1, Math.round((-Math.log(u) / rate) * 1e6));
  }

  pickNode(): number {
    const ns = this.nodes();
    return ns[this.rng.int(0, ns.length)]!;
  }

  nextOp(): PlannedOp {
    const x = this.rng.next() * this.total;
    const kind =
      this.kinds[this.cumulative.findIndex((c) => x < c)] ?? this.kinds[this.kinds.length - 1]!;
    const { keySpace, valueBytes, linearizable } = this.spec;
    const k = this.rng.int(0, keySpace);
    switch (kind) {
      case 'put':
        return {
          kind,
          request: { method: 'put', body: { key: keyName(k), value: this.value(valueBytes) } },
        };
      case 'delete':
        return { kind, request: { method: 'deleteRange', body: { key: keyName(k) } } };
      case 'range-cheap':
        return {
          kind,
          request: {
            method: 'range',
            body: { ...rangeOf(k, Math.min(10, keySpace), keySpace), serializable: !linearizable },
          },
        };
      case 'range-expensive':
        return {
          kind,
          request: {
            method: 'range',
            body: {
              ...rangeOf(k, Math.max(1, Math.floor(keySpace / 5)), keySpace),
              serializable: !linearizable,
            },
          },
        };
      case 'txn':
        return {
          kind,
          request: {
            method: 'txn',
            body: {
              compare: [{ key: keyName(k), target: 'VERSION', result: 'GREATER', version: 0 }],
              success: [{ request_put: { key: keyName(k), value: this.value(valueBytes) } }],
              failure: [{ request_put: { key: keyName(k), value: this.value(valueBytes) } }],
            },
          },
        };
    }
  }

  private value(n: number): Uint8Array {
    const v = new Uint8Array(n);
    for (let i = 0; i < n; i++) v[i] = 97 + this.rng.int(0, 26);
    return v;
  }
}
