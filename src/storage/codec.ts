// The binary pieces of what a node writes to disk: hard state and entries (inside WAL records,
// wal.ts), snapshots. Binary rather than
// JSON because entries carry Uint8Array payloads and a WAL is written on every Ready: no base64,
// no string building.
import type { ConfState, Entry, EntryType, HardState, Snapshot } from '../raft/types';
import { BinReader, BinWriter } from './bin';

const ENTRY_TYPES: readonly EntryType[] = ['EntryNormal', 'EntryConfChange', 'EntryConfChangeV2'];

/** A hard state's encoded size: three f64. */
export const HARD_STATE_BYTES = 24;

export function writeHardState(w: BinWriter, hs: HardState): void {
  w.f64(hs.term).f64(hs.vote).f64(hs.commit);
}

export function readHardState(r: BinReader): HardState {
  return { term: r.f64(), vote: r.f64(), commit: r.f64() };
}

/** An entry's encoded size: two f64, a tag, a length and the data (raft's entrySize is another). */
export function encodedEntrySize(e: Entry): number {
  return 8 + 8 + 1 + 4 + e.data.length;
}

export function writeEntry(w: BinWriter, e: Entry): void {
  const type = ENTRY_TYPES.indexOf(e.type);
  if (type < 0) throw new TypeError(`unknown entry type ${String(e.type)}`);
  w.f64(e.term).f64(e.index).u8(type).bytes(e.data);
}

export function readEntry(r: BinReader): Entry {
  const term = r.f64();
  const index = r.f64();
  const type = ENTRY_TYPES[r.u8()];
  if (type === undefined) throw new RangeError('unknown entry type tag');
  const data = r.bytes();
  return { term, index, type, data };
}

function writeConfState(w: BinWriter, cs: ConfState): void {
  w.numbers(cs.voters).numbers(cs.learners).numbers(cs.votersOutgoing).numbers(cs.learnersNext);
  w.u8(cs.autoLeave ? 1 : 0);
}

function readConfState(r: BinReader): ConfState {
  return {
    voters: r.numbers(),
    learners: r.numbers(),
    votersOutgoing: r.numbers(),
    learnersNext: r.numbers(),
    autoLeave: r.u8() === 1,
  };
}

export function encodeSnapshot(s: Snapshot): Uint8Array {
  const w = new BinWriter().f64(s.metadata.index).f64(s.metadata.term);
  writeConfState(w, s.metadata.confState);
  return w.bytes(s.data).finish();
}

export function decodeSnapshot(bytes: Uint8Array): Snapshot {
  const r = new BinReader(bytes);
  const index = r.f64();
  const term = r.f64();
  const confState = readConfState(r);
  const data = r.bytes();
  r.end();
  return { data, metadata: { index, term, confState } };
}
