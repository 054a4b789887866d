// Two read paths side by side (issue 7): the same workload, scenario and seed run twice, once
// under each read path. Pure: which paths a URL asks for, and the scenario each side runs.
// ComparePaths.tsx runs and draws them.
import { READ_PATHS, readScenario } from '../../stories';
import type { Action, ReadPath, Scenario, Workload } from '../../scenario/schema';

/** The URL flag: `?compare=read-index,log` (with the scenario in the fragment, or story 5's). */
export const COMPARE_FLAG = 'compare';

export const PATH_TITLES: Record<ReadPath, string> = {
  'read-index': 'ReadIndex (etcd 3.1+): one heartbeat round confirms the leader for a batch',
  log: 'Through the log (etcd 3.0): every read is a proposal, replicated and fsynced',
  lease: 'Lease: the leader answers on its lease, without a round',
  serializable: 'Serializable: the member asked answers from its own store (may be stale)',
};

export type ComparePaths = [ReadPath, ReadPath];

/**
 * The two read paths `?compare=a,b` names; `?compare` alone compares ReadIndex with the log. A
 * bad value throws an Error that says what is wrong.
 */
export function parseCompareFlag(value: string): ComparePaths {
  if (value.trim() === '') return ['read-index', 'log'];
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length !== 2)
    throw new Error(`compare= needs two read paths separated by a comma, got "${value}"`);
  for (const p of parts) {
    if (!(READ_PATHS as readonly string[]).includes(p))
      throw new Error(`"${p}" is not a read path; one of ${READ_PATHS.join(', ')}`);
  }
  return parts as ComparePaths;
}

export function compareUrl(paths: ComparePaths, fragment: string): string {
  return `?${COMPARE_FLAG}=${paths.join(',')}${fragment}`;
}

/** The read path to compare `current` with by default: ReadIndex against the log. */
export function otherPath(current: ReadPath): ReadPath {
  return current === 'read-index' ? 'log' : 'read-index';
}

/**
 * Story 5's 16 readers, the default when no run is given: links slow enough to watch (5 ms) and a
 * disk whose fsync costs something (10 ms), as the reads through the log pay it (article 001).
 */
export function defaultCompareBase(): Scenario {
  const s = readScenario('read-index', 16);
  return {
    ...s,
    title: 'Read paths: 16 clients reading (5 ms links, 10 ms fsync)',
    settings: { ...s.settings, networkLatencyMs: 5, networkJitterMs: 1, fsyncMs: 10 },
    cursorUs: 0,
  };
}

const READ_KINDS = ['range-cheap', 'range-expensive'] as const;

function readsSomething(w: Workload): boolean {
  return READ_KINDS.some((k) => (w.mix[k] ?? 0) > 0) && w.linearizable;
}

/** The workload added when the run compared has no linearizable reads of its own. */
export function addedReadWorkload(startMs: number): Workload {
  return {
    mode: 'closed',
    rate: 100,
    concurrency: 16,
    mix: { 'range-cheap': 1 },
    linearizable: true,
    keySpace: 1000,
    valueBytes: 16,
    startMs,
  };
}

/**
 * The scenario one side runs: `base` under read path `path`, from time 0. Read path changes the
 * run recorded are left out (the side keeps its path), and actions keep their times but not their
 * event counts (a different read path is a different stream of events). Without a linearizable
 * read workload, 16 closed-loop readers are added from 1.5 s (`added` says so).
 */
export function compareScenario(
  base: Scenario,
  path: ReadPath,
): { scenario: Scenario; added: boolean } {
  const actions: Action[] = base.actions
    .filter((a) => a.kind !== 'set-read-path')
    .map((a) => {
      const { afterEvents: _events, ...rest } = a;
      return rest as Action;
    });
  const added = !base.workloads.some(readsSomething);
  const workloads = added ? [...base.workloads, addedReadWorkload(1500)] : base.workloads;
  const scenario: Scenario = {
    ...base,
    settings: { ...base.settings, readPath: path },
    workloads,
    actions,
    cursorUs: 0,
  };
  delete scenario.cursorEvents;
  return { scenario, added };
}

/** When the compared reads start: the first workload's start (µs). */
export function readsStartUs(s: Scenario): number {
  const starts = s.workloads.map((w) => Math.round(w.startMs * 1000));
  return starts.length === 0 ? 0 : Math.min(...starts);
}
