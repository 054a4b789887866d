// The Storage panel's workload control: source article 004's three kinds of load (cheap reads of
// 10 keys, expensive ranges over a fifth of the keys, single-key writes), each a named open-loop
// workload started and stopped by recorded actions (start-workload / stop-workload), so a share
// link replays them. Every call goes to the panel's node; reads are serializable, so that node's
// own backend answers them and the lock mode is what they measure.
import type { OpKind } from '../../scenario/schema';

export type StorageLoad = 'cheap-reads' | 'expensive-reads' | 'writes';

export interface StorageLoadDef {
  name: StorageLoad;
  label: string;
  op: OpKind;
  /** Calls per simulated second offered at first. */
  defaultRate: number;
}

export const STORAGE_LOADS: readonly StorageLoadDef[] = [
  { name: 'cheap-reads', label: 'Cheap reads (10 keys)', op: 'range-cheap', defaultRate: 200 },
  {
    name: 'expensive-reads',
    label: 'Expensive reads (⅕ of the keys)',
    op: 'range-expensive',
    defaultRate: 50,
  },
  { name: 'writes', label: 'Writes (1 key)', op: 'put', defaultRate: 200 },
];

/** The keys the loads share and the size of each value written. */
export interface StorageShape {
  keySpace: number;
  valueBytes: number;
}

/**
 * 1,000 keys of 16 KB: an expensive range then reads 200 keys (about 3.5 ms of backend time once
 * the writes have filled the key space), a cheap one 10. The article's store (100,000 keys of
 * 1-32 KB) would not fit in a tab three times over.
 */
export const DEFAULT_SHAPE: StorageShape = { keySpace: 1000, valueBytes: 16_384 };

export const MAX_RATE = 10_000;

/** A rate from a form field: a number of calls per simulated second, or a message why not. */
export function parseRate(text: string): number | string {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0 || v > MAX_RATE)
    return `a rate is a number of calls per simulated second above 0, up to ${MAX_RATE.toLocaleString('en-US')}`;
  return v;
}

/** The action that starts `load` at `rate` calls per simulated second against `node`. */
export function startLoadAction(
  load: StorageLoadDef,
  rate: number,
  node: number,
  shape: StorageShape,
): { kind: string; [arg: string]: unknown } {
  return {
    kind: 'start-workload',
    name: load.name,
    node,
    workload: {
      mode: 'open',
      rate,
      mix: { [load.op]: 1 },
      linearizable: false,
      keySpace: shape.keySpace,
      valueBytes: shape.valueBytes,
    },
  };
}

export function stopLoadAction(load: StorageLoad): { kind: string; [arg: string]: unknown } {
  return { kind: 'stop-workload', name: load };
}
