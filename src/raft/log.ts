// The raft log: stable storage plus the unstable tail, with the commit and apply cursors.
//
//   storage: [firstIndex ............ storage.lastIndex]
//   unstable:                    [offset ........................ lastIndex]
//   (the unstable tail may overlap storage's end; where it does, it wins)
//
// Invariants: applied <= applying <= committed <= lastIndex; committed entries never change.
import { CompactedError, UnavailableError } from './errors';
import { Unstable } from './log_unstable';
import type { Storage } from './storage';
import type { Entry, Snapshot } from './types';
import { entriesSize, limitSize } from './util';

/** Sentinels returned by `termOf` instead of throwing on the hot path. */
export const TERM_COMPACTED = -1;
export const TERM_UNAVAILABLE = -2;

export class RaftLog {
  readonly storage: Storage;
  readonly unstable: Unstable;
  /** Highest index known to be stored on a quorum. */
  committed: number;
  /** Highest index handed to the application to apply (in a Ready), maybe not yet applied. */
  applying: number;
  /** Highest index the application has confirmed applied. */
  applied: number;
  /** Byte budget for committed entries handed out per Ready and not yet applied. */
  private readonly maxApplyingEntsSize: number;
  private applyingEntsSize = 0;
  private applyingEntsPaused = false;

  constructor(storage: Storage, maxApplyingEntsSize: number) {
    this.storage = storage;
    this.maxApplyingEntsSize = maxApplyingEntsSize;
    const firstIndex = storage.firstIndex();
    const lastIndex = storage.lastIndex();
    this.unstable = new Unstable(lastIndex + 1);
    // Everything up to the last compaction is committed and applied by definition.
    this.committed = firstIndex - 1;
    this.applying = firstIndex - 1;
    this.applied = firstIndex - 1;
  }

  /**
   * Appends the leader's entries after (prevIndex, prevTerm) if our log matches there.
   * Returns the index of the last new entry, or -1 if the logs do not match.
   */
  maybeAppend(prevIndex: number, prevTerm: number, committed: number, ents: Entry[]): number {
    if (!this.matchTerm(prevIndex, prevTerm)) return -1;
    const lastNew = prevIndex + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      if (ci <= this.committed) {
        throw new Error(
          `entry ${ci} conflicts with committed entry [committed(${this.committed})]`,
        );
      }
      const offset = prevIndex + 1;
      this.append(ci === offset ? ents : ents.slice(ci - offset));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  append(ents: Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = (ents[0] as Entry).index - 1;
    if (after < this.committed) {
      throw new Error(`after(${after}) is out of range [committed(${this.committed})]`);
    }
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /**
   * The first index of `ents` that is new or conflicts (same index, different term) with our
   * log; 0 if all of them are already here.
   */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term` (or unknown), with that term (0 if
   * unknown). Used on both sides of a rejected append to skip a whole divergent term at once.
   */
  findConflictByTerm(index: number, term: number): [number, number] {
    for (; index > 0; index--) {
      const t = this.termOf(index);
      if (t < 0) return [index, 0];
      if (t <= term) return [index, t];
    }
    return [0, 0];
  }

  nextUnstableEnts(): Entry[] {
    return this.unstable.nextEntries();
  }

  hasNextUnstableEnts(): boolean {
    return this.unstable.hasNextEntries();
  }

  hasNextOrInProgressUnstableEnts(): boolean {
    return this.unstable.entries.length > 0;
  }

  /**
   * Committed entries ready to apply. With `allowUnstable`, entries not yet durable locally may
   * be applied (a quorum has them; they are written in the same Ready).
   */
  nextCommittedEnts(allowUnstable: boolean): Entry[] {
    if (this.applyingEntsPaused || this.hasNextOrInProgressSnapshot()) return [];
    const lo = this.applying + 1;
    const hi = this.maxAppliableIndex(allowUnstable) + 1;
    if (lo >= hi) return [];
    const ents = this.slice(lo, hi, this.maxApplyingEntsSize - this.applyingEntsSize);
    if (ents === undefined) throw new Error(`unapplied entries [${lo}, ${hi}) were compacted`);
    return ents;
  }

  hasNextCommittedEnts(allowUnstable: boolean): boolean {
    if (this.applyingEntsPaused || this.hasNextOrInProgressSnapshot()) return false;
    return this.applying + 1 < this.maxAppliableIndex(allowUnstable) + 1;
  }

  private maxAppliableIndex(allowUnstable: boolean): number {
    return allowUnstable ? this.committed : Math.min(this.committed, this.unstable.offset - 1);
  }

  nextUnstableSnapshot(): Snapshot | undefined {
    return this.unstable.nextSnapshot();
  }

  hasNextOrInProgressSnapshot(): boolean {
    return this.unstable.snapshot !== undefined;
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  commitTo(toCommit: number): void {
    // Never decrease the commit index.
    if (this.committed < toCommit) {
      if (this.lastIndex() < toCommit) {
        throw new Error(
          `tocommit(${toCommit}) is out of range [lastIndex(${this.lastIndex()})]. Was the raft log corrupted, truncated, or lost?`,
        );
      }
      this.committed = toCommit;
    }
  }

  appliedTo(i: number, size: number): void {
    if (this.committed < i || i < this.applied) {
      throw new Error(
        `applied(${i}) is out of range [prevApplied(${this.applied}), committed(${this.committed})]`,
      );
    }
    this.applied = i;
    this.applying = Math.max(this.applying, i);
    this.applyingEntsSize = this.applyingEntsSize > size ? this.applyingEntsSize - size : 0;
    this.applyingEntsPaused = this.applyingEntsSize >= this.maxApplyingEntsSize;
  }

  acceptApplying(i: number, size: number, allowUnstable: boolean): void {
    if (this.committed < i) {
      throw new Error(`applying(${i}) is out of range [committed(${this.committed})]`);
    }
    this.applying = i;
    this.applyingEntsSize += size;
    // Pause when over budget, or when the budget cut the last batch short of what was
    // appliable (the next entry would push us over).
    this.applyingEntsPaused =
      this.applyingEntsSize >= this.maxApplyingEntsSize ||
      i < this.maxAppliableIndex(allowUnstable);
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: number): void {
    this.unstable.stableSnapTo(index);
  }

  acceptUnstable(): void {
    this.unstable.acceptInProgress();
  }

  lastTerm(): number {
    const t = this.termOf(this.lastIndex());
    if (t < 0) throw new Error(`unexpected error when getting the last term`);
    return t;
  }

  /**
   * Term of entry i, or TERM_COMPACTED / TERM_UNAVAILABLE. The valid range is
   * [firstIndex - 1, lastIndex]: the term just before the first entry is kept for matching.
   */
  termOf(i: number): number {
    const t = this.unstable.maybeTerm(i);
    if (t !== undefined) return t;
    if (i + 1 < this.firstIndex()) return TERM_COMPACTED;
    if (i > this.lastIndex()) return TERM_UNAVAILABLE;
    try {
      return this.storage.term(i);
    } catch (err) {
      if (err instanceof CompactedError) return TERM_COMPACTED;
      if (err instanceof UnavailableError) return TERM_UNAVAILABLE;
      throw err;
    }
  }

  /** The term of entry i, or 0 when it is out of bounds (etcd's zeroTermOnOutOfBounds). */
  termOrZero(i: number): number {
    const t = this.termOf(i);
    return t < 0 ? 0 : t;
  }

  /** Entries from i to the end, at most maxSize bytes; undefined if i was compacted. */
  entries(i: number, maxSize: number): Entry[] | undefined {
    const last = this.lastIndex();
    if (i > last) return [];
    return this.slice(i, last + 1, maxSize);
  }

  allEntries(): Entry[] {
    return this.entries(this.firstIndex(), Infinity) ?? [];
  }

  /** Whether a log ending at (lastIndex, term) is at least as up to date as ours. */
  isUpToDate(lastIndex: number, term: number): boolean {
    const ourTerm = this.lastTerm();
    return term > ourTerm || (term === ourTerm && lastIndex >= this.lastIndex());
  }

  matchTerm(i: number, term: number): boolean {
    const t = this.termOf(i);
    return t >= 0 && t === term;
  }

  /** Commits up to maxIndex if that entry is from `term` (only current-term entries commit). */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && term !== 0 && this.termOrZero(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  restore(s: Snapshot): void {
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }

  /**
   * Entries [lo, hi) within maxSize bytes (at least one). Undefined if lo was compacted.
   * Reads storage for the stable part and the unstable tail for the rest.
   */
  slice(lo: number, hi: number, maxSize: number): Entry[] | undefined {
    const fi = this.firstIndex();
    if (lo < fi) return undefined;
    const li = this.lastIndex();
    if (hi > li + 1) throw new RangeError(`slice[${lo},${hi}) out of bound [${fi},${li}]`);
    if (lo === hi) return [];
    const off = this.unstable.offset;
    if (lo >= off) return limitSize(this.unstable.slice(lo, hi), maxSize);
    const cut = Math.min(hi, off);
    let stable: Entry[];
    try {
      stable = this.storage.entries(lo, cut, maxSize);
    } catch (err) {
      if (err instanceof CompactedError) return undefined;
      if (err instanceof UnavailableError) {
        throw new Error(`entries[${lo}:${cut}) is unavailable from storage`, { cause: err });
      }
      throw err;
    }
    if (hi <= off || stable.length < cut - lo) return stable;
    const size = entriesSize(stable);
    if (size >= maxSize) return stable;
    const tail = limitSize(this.unstable.slice(off, hi), maxSize - size);
    if (tail.length === 1 && size + entriesSize(tail) > maxSize) return stable;
    return stable.concat(tail);
  }
}
