// What the inspector shows of one member: its log (with the compacted prefix and snapshot), its
// key-value state at applied, its leases. Read without side effects: looking never changes the
// run (the store is read through peek(), which reports nothing to the backend).
import type { MvccStore } from '../mvcc';
import { PAGE_USES, type Backend, type PageUse } from '../mvcc/backend';
import { decodeConfChange, type Entry, type MemoryStorage } from '../raft';
import type { MetricsView } from './metrics';
import type { ClientRequest } from './requests';
import { decodeValue } from './value-codec';

export interface EntryView {
  index: number;
  term: number;
  type: Entry['type'];
  /** What the entry carries, in a few words. */
  what: string;
}

export interface NodeInspection {
  firstIndex: number;
  lastIndex: number;
  snapshotIndex: number;
  commit: number;
  applied: number;
  entries: EntryView[];
  revision: number;
  kvCount: number;
  kvs: { key: string; value: string; mod_revision: number; version: number; lease: number }[];
  leases: { ID: number; TTL: number; grantedTTL: number }[];
  /** On the leader: what it knows of each follower's log (Raft's progress tracker). */
  progress?: { id: number; match: number; next: number; state: string; inflight: number }[];
  metrics?: MetricsView;
  backend?: BackendView;
}

export interface InspectOptions {
  /** Also read the member's metrics (src/server/metrics.ts). */
  metrics?: boolean;
}

/** The backend's file, its quota and its freelist, and a page map to draw (source article 002). */
export interface BackendView {
  dbSize: number;
  dbSizeInUse: number;
  quotaBytes: number;
  freelistType: string;
  pages: number;
  freePages: number;
  pendingPages: number;
  freeRuns: number;
  /** Allocations asked of the freelist, served from it, and the simulated ns they took. */
  allocations: number;
  hits: number;
  allocateNs: number;
  /** Active alarms, as `alarm list` prints them. */
  alarms: string[];
  /**
   * The page map, one character per cell of `pagesPerCell` pages: m meta, r root or branch,
   * l leaf, f the freelist's own page, c cold data of an aged file's history, . free, p pending
   * (freed, reusable after the next commit). A cell of several pages shows what it holds in this
   * order of precedence: p, l, r, f, m, c; '.' only when every page in it is free.
   */
  cells: string;
  /** Per cell, the share of its pages that are free, in tenths rounded up ('0'-'9'; '.' cells: '9'). */
  cellFree: string;
  pagesPerCell: number;
  /** Pages of an aged file's cold data (0: the file started new). */
  coldPages: number;
  /** Simulated ns the freelist spent releasing pages into itself (part of each commit), all told. */
  releaseNs: number;
  /** Commits of the file (each allocates the pages it writes and releases the last one's). */
  commits: number;
}

const MAX_CELLS = 1024;
const USE_CHAR: Record<PageUse, string> = {
  meta: 'm',
  root: 'r',
  branch: 'r',
  leaf: 'l',
  freelist: 'f',
  free: '.',
  pending: 'p',
  cold: 'c',
};
/** A cell of several pages shows the first of these it holds (see BackendView.cells). */
const PRECEDENCE: readonly PageUse[] = [
  'pending',
  'leaf',
  'branch',
  'root',
  'freelist',
  'meta',
  'cold',
];

/** The page map in at most MAX_CELLS cells (an aged file has a million pages). */
function pageCells(codes: Uint8Array): { cells: string; cellFree: string; per: number } {
  const per = Math.max(1, Math.ceil(codes.length / MAX_CELLS));
  const count = new Uint32Array(PAGE_USES.length);
  let cells = '';
  let cellFree = '';
  for (let i = 0; i < codes.length; i += per) {
    count.fill(0);
    const end = Math.min(codes.length, i + per);
    for (let j = i; j < end; j++) count[codes[j]!]!++;
    const free = count[0]!;
    const use = PRECEDENCE.find((u) => count[PAGE_USES.indexOf(u)]! > 0);
    cells += use === undefined ? '.' : USE_CHAR[use];
    cellFree += String(Math.min(9, Math.ceil((10 * free) / (end - i))));
  }
  return { cells, cellFree, per };
}

/** The backend's state for the inspector (read only: nothing placed on the backend). */
export function inspectBackend(
  backend: Backend,
  quotaBytes: number,
  alarms: string[],
): BackendView {
  const pages = backend.pages;
  const { cells, cellFree, per } = pageCells(pages.pageCodes());
  const s = pages.stats;
  const f = pages.freelistStats;
  return {
    dbSize: pages.dbSize,
    dbSizeInUse: pages.dbSizeInUse,
    quotaBytes,
    freelistType: pages.freelistType,
    pages: s.pages,
    freePages: s.freePages,
    pendingPages: s.pendingPages,
    freeRuns: s.freeRuns,
    allocations: f.allocations,
    hits: f.hits,
    allocateNs: Math.round(f.allocateNs),
    releaseNs: Math.round(f.releaseNs),
    commits: s.commits,
    alarms,
    cells,
    cellFree,
    pagesPerCell: per,
    coldPages: s.coldPages,
  };
}

const text = new TextDecoder();
const MAX_TEXT = 48;

function short(bytes: Uint8Array | undefined): string {
  if (!bytes) return '';
  const s = text.decode(bytes.length > MAX_TEXT * 4 ? bytes.subarray(0, MAX_TEXT * 4) : bytes);
  return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT - 1) + '…' : s;
}

export function describeEntry(e: Entry): string {
  if (e.type !== 'EntryNormal') {
    try {
      const cc = decodeConfChange(e) as {
        type?: string;
        nodeId?: number;
        changes?: { type: string; nodeId: number }[];
      };
      if (cc.changes)
        return (
          cc.changes.map((c) => `${c.type} n${c.nodeId}`).join(', ') || 'leave joint configuration'
        );
      return `${cc.type} n${cc.nodeId}`;
    } catch {
      return 'a configuration change';
    }
  }
  if (e.data.length === 0) return "empty (a new leader's first entry)";
  try {
    const { request } = decodeValue(e.data) as unknown as { request: ClientRequest };
    switch (request.method) {
      case 'put':
        return `put ${short(request.body.key)} = ${short(request.body.value)}`;
      case 'deleteRange':
        return `delete ${short(request.body.key)}`;
      case 'range':
        return `range ${short(request.body.key)} (a read through the log)`;
      case 'leaseRevoke':
        return `lease revoke ${request.body.ID.toString(16)}`;
      case 'leaseGrant':
        return `lease grant, TTL ${request.body.TTL} s`;
      default:
        return request.method;
    }
  } catch {
    return 'an entry that does not decode';
  }
}

export function inspectNode(
  storage: MemoryStorage,
  store: MvccStore,
  marks: {
    commit: number;
    applied: number;
    snapshotIndex: number;
    progress?: Record<number, { match: number; next: number; state: string; inflight: number }>;
  },
  limits = { entries: 40, kvs: 50 },
): NodeInspection {
  const first = storage.firstIndex();
  const last = storage.lastIndex();
  const lo = Math.max(first, last - limits.entries + 1);
  const entries = last >= lo ? storage.entries(lo, last + 1, Number.MAX_SAFE_INTEGER) : [];
  const all = store.peek((s) =>
    s.range({ key: new Uint8Array([0]), range_end: new Uint8Array([0]), limit: limits.kvs }),
  );
  const leases = store.peek((s) =>
    s.leaseLeases().leases.map((l) => {
      const t = s.leaseTimeToLive({ ID: l.ID });
      return { ID: l.ID, TTL: t.TTL, grantedTTL: t.grantedTTL };
    }),
  );
  return {
    firstIndex: first,
    lastIndex: last,
    snapshotIndex: marks.snapshotIndex,
    commit: marks.commit,
    applied: marks.applied,
    entries: entries.map((e) => ({
      index: e.index,
      term: e.term,
      type: e.type,
      what: describeEntry(e),
    })),
    revision: all.header.revision,
    kvCount: all.count,
    kvs: all.kvs.map((kv) => ({
      key: short(kv.key),
      value: short(kv.value),
      mod_revision: kv.mod_revision,
      version: kv.version,
      lease: kv.lease,
    })),
    leases,
    ...(marks.progress
      ? {
          progress: Object.entries(marks.progress)
            .map(([id, p]) => ({ id: Number(id), ...p }))
            .sort((a, b) => a.id - b.id),
        }
      : {}),
  };
}
