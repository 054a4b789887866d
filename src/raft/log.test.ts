// The log and its unstable tail (etcd's log_test.go, log_unstable_test.go), and MemoryStorage.
import { describe, expect, it } from 'vitest';
import { CompactedError, SnapshotOutOfDateError, UnavailableError } from './errors';
import { RaftLog, TERM_COMPACTED, TERM_UNAVAILABLE } from './log';
import { Unstable } from './log_unstable';
import { MemoryStorage } from './storage';
import { confStateOf, entsWithTerms } from './testing/helpers';
import type { Entry, Snapshot } from './types';

const idTerm = (es: Entry[] | undefined): Array<[number, number]> | undefined =>
  es?.map((e) => [e.index, e.term]);

function logWith(terms: number[]): RaftLog {
  const log = new RaftLog(new MemoryStorage(), Infinity);
  log.append(entsWithTerms(terms));
  return log;
}

const snap = (index: number, term: number): Snapshot => ({
  data: new Uint8Array(),
  metadata: {
    index,
    term,
    confState: confStateOf([1]),
  },
});

describe('raftLog', () => {
  it.each([
    [[], 0],
    [
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
      0,
    ],
    [
      [
        [2, 2],
        [3, 3],
      ],
      0,
    ],
    [[[3, 3]], 0],
    [
      [
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
        [5, 4],
      ],
      4,
    ],
    [
      [
        [4, 4],
        [5, 4],
      ],
      4,
    ],
    [
      [
        [1, 4],
        [2, 4],
      ],
      1,
    ],
    [
      [
        [2, 1],
        [3, 4],
        [4, 4],
      ],
      2,
    ],
    [
      [
        [3, 1],
        [4, 2],
        [5, 4],
        [6, 4],
      ],
      3,
    ],
  ] as Array<[Array<[number, number]>, number]>)('findConflict %j -> %i', (ents, want) => {
    const log = logWith([1, 2, 3]);
    const es = ents.map(([index, term]): Entry => ({
      index,
      term,
      type: 'EntryNormal',
      data: new Uint8Array(),
    }));
    expect(log.findConflict(es)).toBe(want);
  });

  it('findConflictByTerm returns the last index whose term is <= the given term', () => {
    const log = logWith([2, 2, 5, 5, 5]);
    expect(log.findConflictByTerm(5, 6)).toEqual([5, 5]);
    expect(log.findConflictByTerm(5, 4)).toEqual([2, 2]);
    expect(log.findConflictByTerm(5, 1)).toEqual([0, 0]);
    expect(log.findConflictByTerm(3, 2)).toEqual([2, 2]);
  });

  it('maybeAppend: matches, truncates conflicts, never touches committed entries', () => {
    const log = logWith([1, 2, 3]);
    log.commitTo(1);
    expect(log.maybeAppend(3, 2, 3, [])).toBe(-1); // term mismatch
    expect(log.maybeAppend(4, 3, 3, [])).toBe(-1); // beyond the end
    expect(log.maybeAppend(3, 3, 2, entsWithTerms([4], 4))).toBe(4);
    expect(log.committed).toBe(2);
    expect(log.maybeAppend(2, 2, 4, entsWithTerms([4], 3))).toBe(3); // conflict at 3
    expect(idTerm(log.allEntries())).toEqual([
      [1, 1],
      [2, 2],
      [3, 4],
    ]);
    expect(log.committed).toBe(3);
    expect(() => log.maybeAppend(0, 0, 3, entsWithTerms([9]))).toThrow(/conflicts with committed/);
  });

  it('term lookups distinguish compacted and unavailable indexes', () => {
    const s = new MemoryStorage();
    s.applySnapshot(snap(3, 3));
    s.append(entsWithTerms([3, 4], 4));
    const log = new RaftLog(s, Infinity);
    log.append(entsWithTerms([5], 6));
    expect(log.termOf(3)).toBe(3);
    expect(log.termOf(2)).toBe(TERM_COMPACTED);
    expect(log.termOf(6)).toBe(5);
    expect(log.termOf(7)).toBe(TERM_UNAVAILABLE);
    expect(log.firstIndex()).toBe(4);
    expect(log.lastIndex()).toBe(6);
    expect(log.committed).toBe(3);
  });

  it('slices across stable storage and the unstable tail, within a size limit', () => {
    const s = new MemoryStorage();
    s.append(entsWithTerms([1, 1, 1]));
    const log = new RaftLog(s, Infinity);
    log.append(entsWithTerms([2, 2], 4));
    expect(idTerm(log.slice(2, 6, Infinity))).toEqual([
      [2, 1],
      [3, 1],
      [4, 2],
      [5, 2],
    ]);
    expect(log.slice(2, 6, 0)!.length).toBe(1); // always at least one entry
    expect(log.slice(2, 2, Infinity)).toEqual([]);
    s.compact(2);
    expect(log.slice(2, 4, Infinity)).toBeUndefined();
    expect(() => log.slice(3, 7, Infinity)).toThrow(/out of bound/);
  });

  it('commitTo never goes backwards and refuses an index past the end', () => {
    const log = logWith([1, 1]);
    log.commitTo(2);
    log.commitTo(1);
    expect(log.committed).toBe(2);
    expect(() => log.commitTo(3)).toThrow(/out of range/);
  });

  it('only an entry of the given term commits by counting', () => {
    const log = logWith([1, 2]);
    expect(log.maybeCommit(1, 2)).toBe(false);
    expect(log.maybeCommit(2, 2)).toBe(true);
    expect(log.committed).toBe(2);
  });

  it('isUpToDate compares last term first, then length', () => {
    const log = logWith([1, 2, 3]);
    expect(log.isUpToDate(2, 4)).toBe(true);
    expect(log.isUpToDate(4, 2)).toBe(false);
    expect(log.isUpToDate(3, 3)).toBe(true);
    expect(log.isUpToDate(2, 3)).toBe(false);
  });

  it('hands out committed entries once, and pauses at the apply budget', () => {
    const log = new RaftLog(new MemoryStorage(), 20);
    log.append(entsWithTerms([1, 1, 1, 1]));
    log.commitTo(4);
    const first = log.nextCommittedEnts(true);
    expect(first.length).toBeGreaterThan(0);
    log.acceptApplying(first.at(-1)!.index, 100, true);
    expect(log.nextCommittedEnts(true)).toEqual([]);
    expect(log.hasNextCommittedEnts(true)).toBe(false);
    log.appliedTo(first.at(-1)!.index, 100);
    expect(log.hasNextCommittedEnts(true)).toBe(first.at(-1)!.index < 4);
  });
});

describe('unstable', () => {
  it('tracks what is in progress and what is stable', () => {
    const u = new Unstable(5);
    u.truncateAndAppend(entsWithTerms([1, 1], 5));
    expect(idTerm(u.nextEntries())).toEqual([
      [5, 1],
      [6, 1],
    ]);
    u.acceptInProgress();
    expect(u.nextEntries()).toEqual([]);
    u.truncateAndAppend(entsWithTerms([1], 7));
    expect(idTerm(u.nextEntries())).toEqual([[7, 1]]);
    // overwriting from 6 moves the in-progress mark back
    u.truncateAndAppend(entsWithTerms([2], 6));
    expect(idTerm(u.nextEntries())).toEqual([[6, 2]]);
    // a stale stableTo (term changed) is ignored
    u.stableTo(6, 1);
    expect(u.offset).toBe(5);
    u.stableTo(5, 1);
    expect(u.offset).toBe(6);
    expect(u.maybeTerm(5)).toBeUndefined();
    expect(u.maybeTerm(6)).toBe(2);
  });

  it('a snapshot replaces everything', () => {
    const u = new Unstable(5);
    u.truncateAndAppend(entsWithTerms([1], 5));
    u.restore(snap(10, 3));
    expect(u.entries).toEqual([]);
    expect(u.maybeFirstIndex()).toBe(11);
    expect(u.maybeLastIndex()).toBe(10);
    expect(u.maybeTerm(10)).toBe(3);
    expect(u.nextSnapshot()).toBeDefined();
    u.acceptInProgress();
    expect(u.nextSnapshot()).toBeUndefined();
    u.stableSnapTo(10);
    expect(u.snapshot).toBeUndefined();
  });
});

describe('MemoryStorage', () => {
  function storage(): MemoryStorage {
    const s = new MemoryStorage();
    s.applySnapshot(snap(3, 3));
    s.append(entsWithTerms([4, 5], 4));
    return s;
  }

  it('answers terms and entries within [firstIndex - 1, lastIndex]', () => {
    const s = storage();
    expect(s.firstIndex()).toBe(4);
    expect(s.lastIndex()).toBe(5);
    expect(s.term(3)).toBe(3);
    expect(() => s.term(2)).toThrow(CompactedError);
    expect(() => s.term(6)).toThrow(UnavailableError);
    expect(idTerm(s.entries(4, 6, Infinity))).toEqual([
      [4, 4],
      [5, 5],
    ]);
    expect(() => s.entries(3, 5, Infinity)).toThrow(CompactedError);
    expect(() => s.entries(4, 7, Infinity)).toThrow(/out of bound/);
  });

  it('append overwrites a suffix and ignores entries before firstIndex', () => {
    const s = storage();
    s.append(entsWithTerms([9, 9, 9], 3));
    expect(idTerm(s.entries(4, 6, Infinity))).toEqual([
      [4, 9],
      [5, 9],
    ]);
    s.append(entsWithTerms([6], 5));
    expect(s.lastIndex()).toBe(5);
    expect(s.term(5)).toBe(6);
    expect(() => s.append(entsWithTerms([7], 9))).toThrow(/missing log entry/);
  });

  it('compact, createSnapshot and applySnapshot', () => {
    const s = storage();
    s.compact(4);
    expect(s.firstIndex()).toBe(5);
    expect(s.term(4)).toBe(4);
    expect(() => s.compact(4)).toThrow(CompactedError);
    const sn = s.createSnapshot(5, undefined, new Uint8Array([7]));
    expect(sn.metadata).toMatchObject({ index: 5, term: 5 });
    expect(() => s.createSnapshot(5, undefined, new Uint8Array())).toThrow(SnapshotOutOfDateError);
    expect(() => s.applySnapshot(snap(4, 4))).toThrow(SnapshotOutOfDateError);
    s.applySnapshot(snap(20, 7));
    expect([s.firstIndex(), s.lastIndex(), s.term(20)]).toEqual([21, 20, 7]);
  });
});
