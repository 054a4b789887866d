// Stable storage as raft sees it (etcd's Storage interface) and MemoryStorage, an in-memory
// implementation used by tests, benchmarks and as the server's write-through mirror.
import { CompactedError, SnapshotOutOfDateError, UnavailableError } from './errors';
import type { ConfState, Entry, HardState, Snapshot } from './types';
import { EMPTY_BYTES, limitSize } from './util';

/**
 * What raft reads from stable storage. Calls are synchronous: raft is a pure state machine, so
 * an asynchronous disk keeps a memory mirror of what it has made durable and serves reads from it.
 * `entries` and `term` throw CompactedError / UnavailableError for indexes they do not hold.
 */
export interface Storage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at most `maxSize` bytes but always at least one. */
  entries(lo: number, hi: number, maxSize: number): Entry[];
  /** Term of entry i, for i in [firstIndex - 1, lastIndex]. */
  term(i: number): number;
  lastIndex(): number;
  firstIndex(): number;
  snapshot(): Snapshot;
}

export function emptyConfState(): ConfState {
  return { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

/** Fills in missing ConfState fields and copies the arrays (callers may mutate theirs). */
export function normalizeConfState(cs: Partial<ConfState> | undefined): ConfState {
  return {
    voters: [...(cs?.voters ?? [])],
    learners: [...(cs?.learners ?? [])],
    votersOutgoing: [...(cs?.votersOutgoing ?? [])],
    learnersNext: [...(cs?.learnersNext ?? [])],
    autoLeave: cs?.autoLeave ?? false,
  };
}

export function emptySnapshot(): Snapshot {
  return { data: EMPTY_BYTES, metadata: { index: 0, term: 0, confState: emptyConfState() } };
}

export function isEmptySnap(s: Snapshot | undefined): boolean {
  return s === undefined || s.metadata.index === 0;
}

export function isEmptyHardState(hs: HardState): boolean {
  return hs.term === 0 && hs.vote === 0 && hs.commit === 0;
}

export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snap: Snapshot;
  // ents[i] has raft index snap.metadata.index + i. ents[0] is a dummy holding the snapshot's
  // (index, term), so term(firstIndex - 1) is always answerable.
  private ents: Entry[];

  /** `confState` seeds the initial membership (etcd tests' withPeers) without a snapshot. */
  constructor(init?: { confState?: Partial<ConfState> }) {
    this.snap = emptySnapshot();
    this.snap.metadata.confState = normalizeConfState(init?.confState);
    this.ents = [{ term: 0, index: 0, type: 'EntryNormal', data: EMPTY_BYTES }];
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: { ...this.hardState }, confState: this.snap.metadata.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = { term: hs.term, vote: hs.vote, commit: hs.commit };
  }

  private get offset(): number {
    return (this.ents[0] as Entry).index;
  }

  entries(lo: number, hi: number, maxSize: number): Entry[] {
    const offset = this.offset;
    if (lo <= offset) throw new CompactedError(lo, offset + 1);
    if (hi > this.lastIndex() + 1) {
      throw new RangeError(`entries' hi(${hi}) is out of bound lastindex(${this.lastIndex()})`);
    }
    if (this.ents.length === 1) throw new UnavailableError(lo, this.lastIndex());
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxSize);
  }

  term(i: number): number {
    const offset = this.offset;
    if (i < offset) throw new CompactedError(i, offset + 1);
    const e = this.ents[i - offset];
    if (e === undefined) throw new UnavailableError(i, this.lastIndex());
    return e.term;
  }

  lastIndex(): number {
    return this.offset + this.ents.length - 1;
  }

  firstIndex(): number {
    return this.offset + 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces the contents with the snapshot; throws if it is older than the current one. */
  applySnapshot(snap: Snapshot): void {
    const cur = this.snap.metadata.index;
    if (cur >= snap.metadata.index) throw new SnapshotOutOfDateError(snap.metadata.index, cur);
    this.snap = {
      data: snap.data,
      metadata: { ...snap.metadata, confState: normalizeConfState(snap.metadata.confState) },
    };
    this.ents = [
      {
        term: snap.metadata.term,
        index: snap.metadata.index,
        type: 'EntryNormal',
        data: EMPTY_BYTES,
      },
    ];
  }

  /**
   * Makes a snapshot at `index` (which must be applied) that can be fetched with snapshot();
   * the log is not compacted (call compact for that).
   */
  createSnapshot(index: number, confState: ConfState | undefined, data: Uint8Array): Snapshot {
    if (index <= this.snap.metadata.index) {
      throw new SnapshotOutOfDateError(index, this.snap.metadata.index);
    }
    if (index > this.lastIndex()) {
      throw new RangeError(`snapshot ${index} is out of bound lastindex(${this.lastIndex()})`);
    }
    const term = (this.ents[index - this.offset] as Entry).term;
    this.snap = {
      data,
      metadata: {
        index,
        term,
        confState: confState ? normalizeConfState(confState) : this.snap.metadata.confState,
      },
    };
    return this.snap;
  }

  /** Discards entries before `compactIndex`; the entry at compactIndex becomes the dummy. */
  compact(compactIndex: number): void {
    const offset = this.offset;
    if (compactIndex <= offset) throw new CompactedError(compactIndex, offset + 1);
    if (compactIndex > this.lastIndex()) {
      throw new RangeError(
        `compact ${compactIndex} is out of bound lastindex(${this.lastIndex()})`,
      );
    }
    const i = compactIndex - offset;
    const first = this.ents[i] as Entry;
    const rest = this.ents.slice(i + 1);
    rest.unshift({ term: first.term, index: first.index, type: 'EntryNormal', data: EMPTY_BYTES });
    this.ents = rest;
  }

  /**
   * Appends entries, replacing any existing suffix they overlap (the entries must be contiguous
   * and continue or overwrite the log; entries before firstIndex are ignored).
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const e0 = (entries[0] as Entry).index;
    const last = e0 + entries.length - 1;
    if (last < first) return;
    const from = first > e0 ? first - e0 : 0;
    const start = e0 + from;
    const at = start - this.offset;
    if (at > this.ents.length) {
      throw new RangeError(`missing log entry [last: ${this.lastIndex()}, append at: ${start}]`);
    }
    if (at < this.ents.length) this.ents.length = at;
    for (let k = from; k < entries.length; k++) this.ents.push(entries[k] as Entry);
  }
}
