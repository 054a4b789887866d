// The write-ahead log as records on a node's disk, the way etcd's wal package writes it: an
// append-only sequence of records, each sealed with a CRC, replayed in order at start. One group
// commit is one record (its entries, the compaction floor and the hard state after it), where it
// used to be a record per entry plus a hard state record: IndexedDB's cost is per request and per
// object it clones, and at 64 clients a group carries a dozen entries.
//
// Replay rebuilds the log the way the per-entry layout kept it. Appending entries from index f
// replaces every entry at or after f (a log truncated at a conflict); compacting to c drops every
// entry at or below c. Replay applies the appends in record order and keeps the entries at or
// above the newest record's floor `lo`, which compaction raises to c + 1 and an append below it
// lowers to f. (Appends and compactions in any order leave exactly the entries at or above lo of
// the appends alone: each step keeps that true, so the floor can be stored instead of the steps.)
//
// A record is deleted once none of its entries can survive replay: all truncated by later records,
// or all below the floor. Such records are the oldest ones (below the floor) or the ones just before
// the newest (truncated), so the records kept are those written since the last compaction.
import type { Entry, HardState } from '../raft/types';
import { BinReader, BinWriter } from './bin';
import {
  HARD_STATE_BYTES,
  encodedEntrySize,
  readEntry,
  readHardState,
  writeEntry,
  writeHardState,
} from './codec';
import type { DiskWrite } from './disk';
import { seal, unseal, type SealedRecord } from './record';

/** The entries of one record that replay still takes, and their range. */
interface Span {
  seq: number;
  /** Lowest and highest index this record contributes to the replayed log; empty when first > last. */
  first: number;
  last: number;
}

interface WalRecord {
  /** Appends in order: each replaces the log from its first index on. */
  runs: Entry[][];
  /** Entries below this index are gone (compacted). */
  lo: number;
  hardState: HardState;
}

const RECORD_VERSION = 1;

export function encodeWalRecord(r: WalRecord): Uint8Array {
  // Sized exactly (version, floor, hard state, run count, then each run): one allocation.
  let size = 1 + 8 + HARD_STATE_BYTES + 4;
  for (const run of r.runs) {
    size += 4;
    for (const e of run) size += encodedEntrySize(e);
  }
  const w = new BinWriter(size).u8(RECORD_VERSION).f64(r.lo);
  writeHardState(w, r.hardState);
  w.u32(r.runs.length);
  for (const run of r.runs) {
    w.u32(run.length);
    for (const e of run) writeEntry(w, e);
  }
  return w.finish();
}

export function decodeWalRecord(bytes: Uint8Array): WalRecord {
  const r = new BinReader(bytes);
  const version = r.u8();
  if (version !== RECORD_VERSION) throw new RangeError(`unknown WAL record version ${version}`);
  const lo = r.f64();
  const hardState = readHardState(r);
  const runs: Entry[][] = [];
  for (let n = r.u32(); n > 0; n--) {
    const run: Entry[] = [];
    for (let k = r.u32(); k > 0; k--) run.push(readEntry(r));
    for (let i = 1; i < run.length; i++) {
      if (run[i]!.index !== run[i - 1]!.index + 1) throw new RangeError('entries not contiguous');
    }
    runs.push(run);
  }
  r.end();
  return { runs, lo, hardState };
}

/** What one group commit does to the WAL store: a record to put, and records to delete. */
export interface WalPlan {
  put?: { seq: number; record: SealedRecord };
  /** Inclusive ranges of sequence numbers. */
  deletes: [number, number][];
}

/**
 * The WAL's records as the disk holds them: which entries of each record replay still takes, the
 * floor and the hard state. A disk keeps one and plans each group commit with it.
 */
export class WalLog {
  private readonly spans: Span[] = [];
  private nextSeq = 1;
  private lo = 0;
  private hardState: HardState;
  /** Records replay found with nothing left in them, deleted with the next record. */
  private deadAtLoad: number[] = [];

  constructor(hardState: HardState) {
    this.hardState = hardState;
  }

  /**
   * Replays stored records (in sequence order) into the log they describe; names the first bad
   * record. Returns the entries at or above the floor, which must be contiguous.
   */
  static replay(
    database: string,
    records: readonly (readonly [number, unknown])[],
    emptyHardState: HardState,
  ): { log: WalLog; entries: Entry[]; hardState: HardState } {
    const log = new WalLog(emptyHardState);
    // The appends without the compactions, each entry with the record it came from.
    const all: Entry[] = [];
    const from: number[] = [];
    for (const [seq, raw] of records) {
      const rec = unseal(raw, database, `wal/${seq}`, decodeWalRecord);
      for (const run of rec.runs) {
        const f = run[0]?.index;
        if (f === undefined) continue;
        while (all.length > 0 && all[all.length - 1]!.index >= f) {
          all.pop();
          from.pop();
        }
        for (const e of run) {
          all.push(e);
          from.push(seq);
        }
      }
      log.lo = rec.lo;
      log.hardState = rec.hardState;
      log.nextSeq = seq + 1;
    }
    const entries: Entry[] = [];
    const spans = new Map<number, Span>();
    for (const [seq] of records) spans.set(seq, { seq, first: 1, last: 0 });
    for (let i = 0; i < all.length; i++) {
      const e = all[i]!;
      if (e.index < log.lo) continue;
      const prev = entries[entries.length - 1];
      if (prev && e.index !== prev.index + 1) {
        throw new Error(
          `database ${database}: WAL has a gap between entries ${prev.index} and ${e.index}`,
        );
      }
      entries.push(e);
      const span = spans.get(from[i]!)!;
      if (span.first > span.last) span.first = e.index;
      span.last = e.index;
    }
    const newest = records[records.length - 1]?.[0];
    for (const span of spans.values()) {
      if (span.first <= span.last || span.seq === newest) log.spans.push(span);
      else log.deadAtLoad.push(span.seq);
    }
    return { log, entries, hardState: log.hardState };
  }

  /**
   * Plans one group commit's WAL record and deletions, and takes them as done: the caller must
   * then write exactly this, or stop using the disk. Throws (changing nothing) if an entry cannot
   * be encoded.
   */
  plan(ws: readonly DiskWrite[]): WalPlan {
    let lo = this.lo;
    let hardState = this.hardState;
    const runs: Entry[][] = [];
    // The group's effect on older records: the lowest index it appends from.
    let truncateFrom = Infinity;
    let touched = false;
    for (const w of ws) {
      if (w.snapshot) {
        lo = Math.max(lo, w.snapshot.metadata.index + 1);
        touched = true;
      }
      const es = w.entries;
      if (es && es.length > 0) {
        const f = es[0]!.index;
        runs.push(es as Entry[]);
        truncateFrom = Math.min(truncateFrom, f);
        lo = Math.min(lo, f);
        touched = true;
      }
      if (w.compactTo !== undefined) {
        lo = Math.max(lo, w.compactTo + 1);
        touched = true;
      }
      if (w.hardState) {
        hardState = w.hardState;
        touched = true;
      }
    }
    if (!touched) return { deletes: [] };
    const seq = this.nextSeq;
    const record = seal(encodeWalRecord({ runs, lo, hardState })); // throws before any change

    const dead: number[] = this.deadAtLoad;
    this.deadAtLoad = [];
    const spans = this.spans;
    // Truncation reaches back from the newest record; the previous newest, if it holds no
    // entries, only carried a floor and hard state that this record replaces.
    for (let i = spans.length - 1; i >= 0; i--) {
      const s = spans[i]!;
      if (s.last >= truncateFrom) s.last = truncateFrom - 1;
      if (s.first <= s.last) break;
      dead.push(s.seq);
      spans.pop();
    }
    // The new record's own entries, as replay will take them.
    const own: Span = { seq, first: 1, last: 0 };
    for (const run of runs) {
      const f = run[0]!.index;
      if (own.last >= f) own.last = f - 1;
      if (own.first > own.last) own.first = f;
      own.last = run[run.length - 1]!.index;
    }
    const deletes = toRanges(dead);
    // Below the floor, from the oldest record on: every record before the first one kept is gone
    // or going, so one range delete covers them however many there are.
    let drop = 0;
    while (drop < spans.length && spans[drop]!.last < lo) drop++;
    if (drop > 0) {
      deletes.push([1, spans[drop - 1]!.seq]);
      spans.splice(0, drop);
    }
    if (own.first < lo) own.first = lo;
    spans.push(own);

    this.nextSeq = seq + 1;
    this.lo = lo;
    this.hardState = hardState;
    return { put: { seq, record }, deletes };
  }
}

/** Sequence numbers as inclusive ranges, so a compaction of many records is one range delete. */
function toRanges(seqs: number[]): [number, number][] {
  const sorted = [...seqs].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}
