// The store's snapshot: a deterministic binary encoding of everything the store needs to go on
// exactly as before (what a Raft snapshot carries as its data). Watchers are not in it: they
// belong to connections.
//
// Format, version 1. Integers are unsigned LEB128 varints unless marked; u32 and f64 big-endian.
//
//   magic "mvcc" (4 bytes), version (u8), body length (u32), body, CRC-32C of all before (u32)
//
//   body:
//     current revision; compacted revision + 1 (0: never compacted)
//     key count, then per key in byte order:
//       key (length, bytes); sub of the revision that created its oldest generation
//     record count, then per stored revision in (main, sub) order (etcd's "key" bucket):
//       key ordinal; main minus the previous record's main; sub;
//       flags (u8: 1 tombstone, 2 has a lease); for a put: create_revision, version,
//       [lease (f64)], value (length, bytes)
//     lease allocator's next ID (f64); lease count, then per lease in grant order:
//       ID (f64), granted TTL in s (f64), expiry in simulated ms (f64),
//       attached key count, key ordinals ascending (the first, then differences)
//
// The key index is rebuilt from the records: a key's revisions, in order, split into generations
// after each tombstone. What compaction leaves that the records cannot tell (the creating
// revision of a generation whose first revisions were compacted away: only its sub is lost,
// create_revision gives its main) is the per-key sub. Each generation's version count is the
// version of its last put, plus one for a tombstone.
//
// Leases: etcd persists ID and TTL and, on restart, gives every lease a fresh TTL when its lessor
// is promoted. This store always plays the primary lessor, so the snapshot keeps each lease's
// expiry as is, in the clock's simulated milliseconds (the conductor's, shared by every node and
// surviving restarts): a restored store answers TimeToLive, Leases and expireLeases exactly as
// the original would at the same time, and the bytes do not depend on when snapshot() ran. A
// node that becomes leader still calls promoteLeases, which refreshes them as etcd does. Grant
// order (the tie-break between equal expiries) is kept as the order of the list; the allocator's
// next ID is kept verbatim (advancing it past used IDs would differ once such a lease is revoked).
//
// Restore reads the whole snapshot and checks it (length, checksum, then every count, order and
// reference) before anything is built into a store, so damaged bytes raise SnapshotError and
// never give a half-built store. It copies the body once and the restored keys and values are
// views into that copy (as etcd's are into bbolt's mmap): one allocation instead of two per key;
// the copy is freed once no restored key or value is left (compaction, revoked leases).
import { bytesToBinary, EMPTY_BYTES } from './bytes';
import { ByteReader, ByteWriter, SnapshotError } from './bin';
import { Crc32c } from './hash';
import type { Generation } from './key_index';
import { KeyIndex } from './key_index';
import type { Lease } from './lessor';
import type { RevRecord } from './rev_store';
import { tombstoneRecord } from './rev_store';

export const SNAPSHOT_VERSION = 1;
const MAGIC = [0x6d, 0x76, 0x63, 0x63]; // "mvcc"
const HEADER_BYTES = MAGIC.length + 1 + 4;
const TRAILER_BYTES = 4;
const FLAG_TOMBSTONE = 1;
const FLAG_LEASE = 2;

/** What a snapshot holds, as the store has it. */
export interface SnapshotState {
  readonly currentRev: number;
  readonly compactRev: number;
  /** Every keyIndex, in key order. */
  readonly keys: readonly KeyIndex<RevRecord>[];
  /** Calls fn for every stored revision in (main, sub) order. */
  readonly forEachRecord: (fn: (r: RevRecord) => void) => void;
  readonly recordCount: number;
  /** Every lease, in grant order. */
  readonly leases: readonly Lease[];
  readonly nextLeaseId: number;
}

/** What restore builds the store from. */
export interface RestoredState {
  readonly currentRev: number;
  readonly compactRev: number;
  readonly keys: KeyIndex<RevRecord>[];
  readonly records: RevRecord[];
  readonly leases: { id: number; ttl: number; expiryMs: number; keys: string[] }[];
  readonly nextLeaseId: number;
}

function crcOf(bytes: Uint8Array): number {
  const h = new Crc32c();
  h.write(bytes);
  return h.sum32();
}

export function encodeSnapshot(s: SnapshotState): Uint8Array {
  // most of a snapshot is values and keys: start at about its size, sparing regrowth copies
  let size = 64 + s.recordCount * 8 + s.leases.length * 32;
  s.forEachRecord((r) => (size += r.value.length));
  for (const ki of s.keys) size += ki.key.length + 4;
  const w = new ByteWriter(size + (size >> 3));
  for (const m of MAGIC) w.u8(m);
  w.u8(SNAPSHOT_VERSION);
  w.u32(0); // body length, patched below
  w.uvarint(s.currentRev);
  w.uvarint(s.compactRev + 1);
  const ordinal = new Map<string, number>();
  w.uvarint(s.keys.length);
  for (const ki of s.keys) {
    ordinal.set(ki.skey, ordinal.size);
    w.bytes(ki.key);
    w.uvarint((ki.generations[0]?.created as RevRecord).sub);
  }
  w.uvarint(s.recordCount);
  let prevMain = 0;
  s.forEachRecord((r) => {
    w.uvarint(ordinal.get(r.skey) as number);
    w.uvarint(r.main - prevMain);
    prevMain = r.main;
    w.uvarint(r.sub);
    if (r.tombstone) {
      w.u8(FLAG_TOMBSTONE);
      return;
    }
    w.u8(r.lease !== 0 ? FLAG_LEASE : 0);
    w.uvarint(r.create);
    w.uvarint(r.version);
    if (r.lease !== 0) w.f64(r.lease);
    w.bytes(r.value);
  });
  w.f64(s.nextLeaseId);
  w.uvarint(s.leases.length);
  for (const l of s.leases) {
    w.f64(l.id);
    w.f64(l.ttl);
    w.f64(l.expiryMs);
    const ords = [...l.keys].map((k) => ordinal.get(k) as number).sort((a, b) => a - b);
    w.uvarint(ords.length);
    let prev = 0;
    for (const o of ords) {
      w.uvarint(o - prev);
      prev = o;
    }
  }
  const bodyLen = w.length - HEADER_BYTES;
  if (bodyLen > 0xffffffff) throw new RangeError(`snapshot body of ${bodyLen} bytes exceeds 4 GiB`);
  w.patchU32(MAGIC.length + 1, bodyLen);
  w.u32(crcOf(w.written()));
  return w.finish();
}

/** Checks the frame (magic, version, length, checksum) and returns a reader over the body. */
function openFrame(bytes: Uint8Array): ByteReader {
  if (bytes.length < HEADER_BYTES + TRAILER_BYTES) {
    throw new SnapshotError(
      `truncated: ${bytes.length} bytes, shorter than the ${HEADER_BYTES + TRAILER_BYTES}-byte frame`,
    );
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new SnapshotError('not an mvcc snapshot (bad magic bytes)');
  }
  const version = bytes[MAGIC.length] as number;
  if (version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(
      `unknown format version ${version} (this build reads version ${SNAPSHOT_VERSION})`,
    );
  }
  const header = new ByteReader(bytes, MAGIC.length + 1);
  const bodyLen = header.u32();
  const total = HEADER_BYTES + bodyLen + TRAILER_BYTES;
  if (bytes.length < total) {
    throw new SnapshotError(`truncated: ${bytes.length} bytes, the header says ${total}`);
  }
  if (bytes.length > total) {
    throw new SnapshotError(`${bytes.length - total} unexpected bytes after the snapshot's end`);
  }
  const end = HEADER_BYTES + bodyLen;
  const stored = new ByteReader(bytes, end).u32();
  const computed = crcOf(bytes.subarray(0, end));
  if (stored !== computed) {
    throw new SnapshotError(
      `checksum mismatch (stored ${hex(stored)}, computed ${hex(computed)}): the bytes are damaged`,
    );
  }
  // one copy of the body: restored keys and values are views into it, so the caller may reuse
  // its buffer, and restoring allocates one buffer rather than two per key
  const body = bytes.slice(HEADER_BYTES, end);
  return new ByteReader(body, 0, body.length, HEADER_BYTES);
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}

/** A count read from the snapshot, no larger than what the bytes left could hold. */
function count(r: ByteReader, what: string, minBytesEach: number): number {
  const n = r.uvarint();
  if (n * minBytesEach > r.remaining) {
    throw new SnapshotError(`${what} count ${n} does not fit in the ${r.remaining} bytes left`);
  }
  return n;
}

/** The key for messages: printable ASCII as is, anything else as \xNN. */
function show(skey: string): string {
  return JSON.stringify(skey.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`));
}

export function decodeSnapshot(bytes: Uint8Array): RestoredState {
  const r = openFrame(bytes);
  const currentRev = r.uvarint();
  const compactRev = r.uvarint() - 1;
  if (currentRev < 1) throw new SnapshotError(`current revision ${currentRev} is below 1`);
  if (compactRev > currentRev) {
    throw new SnapshotError(`compacted revision ${compactRev} is after the current ${currentRev}`);
  }

  const keyCount = count(r, 'key', 2);
  const keys: KeyIndex<RevRecord>[] = new Array<KeyIndex<RevRecord>>(keyCount);
  const createdSubs: number[] = new Array<number>(keyCount);
  let prevKey: string | undefined;
  for (let i = 0; i < keyCount; i++) {
    const key = r.bytes();
    const skey = bytesToBinary(key);
    if (key.length === 0) throw new SnapshotError(`key ${i} is empty`);
    if (prevKey !== undefined && skey <= prevKey) {
      throw new SnapshotError(`key ${i} ${show(skey)} is not after ${show(prevKey)}`);
    }
    prevKey = skey;
    keys[i] = new KeyIndex<RevRecord>(key, skey);
    createdSubs[i] = r.uvarint();
  }

  const recCount = count(r, 'record', 4);
  const records: RevRecord[] = []; // pushed, not preallocated: the store keeps it packed
  const perKey: (RevRecord[] | undefined)[] = new Array<RevRecord[] | undefined>(keyCount);
  let main = 0;
  let sub = -1;
  for (let i = 0; i < recCount; i++) {
    const ord = r.uvarint();
    const ki = keys[ord];
    if (!ki) throw new SnapshotError(`record ${i}: key ordinal ${ord} of ${keyCount} keys`);
    const delta = r.uvarint();
    const recSub = r.uvarint();
    if (delta === 0 && recSub <= sub) {
      throw new SnapshotError(
        `record ${i}: revision ${main}.${recSub} is not after ${main}.${sub}`,
      );
    }
    main += delta;
    sub = recSub;
    if (main < 1 || main > currentRev) {
      throw new SnapshotError(`record ${i}: revision ${main} is not in 1..${currentRev}`);
    }
    const flags = r.u8();
    let rec: RevRecord;
    if (flags === FLAG_TOMBSTONE) {
      rec = tombstoneRecord(main, sub, ki);
    } else if (flags === 0 || flags === FLAG_LEASE) {
      const create = r.uvarint();
      const version = r.uvarint();
      const lease = flags === FLAG_LEASE ? r.f64() : 0;
      if (flags === FLAG_LEASE && lease === 0) throw new SnapshotError(`record ${i}: lease 0`);
      const value = r.bytes();
      rec = {
        main,
        sub,
        key: ki.key,
        skey: ki.skey,
        value: value.length === 0 ? EMPTY_BYTES : value,
        create,
        version,
        lease,
        tombstone: false,
      };
    } else {
      throw new SnapshotError(`record ${i}: unknown flags ${flags}`);
    }
    records.push(rec);
    const list = perKey[ord];
    if (list) list.push(rec);
    else perKey[ord] = [rec];
  }
  for (let i = 0; i < keyCount; i++) {
    buildGenerations(keys[i] as KeyIndex<RevRecord>, perKey[i], createdSubs[i] as number);
  }

  const nextLeaseId = r.f64();
  const leaseCount = count(r, 'lease', 25);
  const leases: RestoredState['leases'] = [];
  const seen = new Set<number>();
  const attachedTo = new Map<string, number>();
  for (let i = 0; i < leaseCount; i++) {
    const id = r.f64();
    const ttl = r.f64();
    const expiryMs = r.f64();
    if (id === 0 || seen.has(id)) throw new SnapshotError(`lease ${i}: ID ${id} is 0 or repeated`);
    seen.add(id);
    const n = count(r, `lease ${id} key`, 1);
    const lkeys: string[] = [];
    let ord = 0;
    for (let j = 0; j < n; j++) {
      const delta = r.uvarint();
      if (j > 0 && delta === 0) throw new SnapshotError(`lease ${id}: key ${ord} listed twice`);
      ord += delta;
      const ki = keys[ord];
      if (!ki) throw new SnapshotError(`lease ${id}: key ordinal ${ord} of ${keyCount} keys`);
      const cur = ki.isAlive() ? (ki.modified as RevRecord) : undefined;
      if (!cur || cur.lease !== id) {
        throw new SnapshotError(`lease ${id}: key ${show(ki.skey)} is not alive on this lease`);
      }
      attachedTo.set(ki.skey, id);
      lkeys.push(ki.skey);
    }
    leases.push({ id, ttl, expiryMs, keys: lkeys });
  }
  for (const ki of keys) {
    const cur = ki.modified as RevRecord;
    if (ki.isAlive() && cur.lease !== 0 && attachedTo.get(ki.skey) !== cur.lease) {
      throw new SnapshotError(`key ${show(ki.skey)} holds lease ${cur.lease}, which lacks it`);
    }
  }
  if (r.remaining !== 0) {
    throw new SnapshotError(`${r.remaining} unexpected bytes after the leases`);
  }
  return { currentRev, compactRev, keys, records, leases, nextLeaseId };
}

function badRevision(ki: KeyIndex<RevRecord>, rec: RevRecord, why: string): SnapshotError {
  return new SnapshotError(`key ${show(ki.skey)}, revision ${rec.main}.${rec.sub}: ${why}`);
}

/**
 * Splits a key's revisions into generations (one ends with each tombstone; an empty one follows
 * the last tombstone) and checks what each put says of its generation: one create_revision, and
 * versions counting up from 1 (the oldest generation may have lost its first puts to compaction).
 */
function buildGenerations(
  ki: KeyIndex<RevRecord>,
  recs: RevRecord[] | undefined,
  createdSub: number,
): void {
  if (!recs) throw new SnapshotError(`key ${show(ki.skey)} has no stored revision`);
  const gens: Generation<RevRecord>[] = [];
  let start = 0;
  let lastVersion = 0;
  for (let i = 0; i < recs.length; i++) {
    const rec = recs[i] as RevRecord;
    const head = recs[start] as RevRecord;
    if (rec.tombstone) {
      if (i === start) throw badRevision(ki, rec, 'a generation starts with a tombstone');
    } else if (i !== start) {
      if (rec.create !== head.create || rec.version !== lastVersion + 1) {
        throw badRevision(ki, rec, `create ${rec.create}, version ${rec.version} out of sequence`);
      }
    } else {
      const ok =
        rec.main === rec.create
          ? rec.version === 1
          : gens.length === 0 && rec.version >= 2 && rec.create >= 1 && rec.create < rec.main;
      if (!ok) {
        throw badRevision(ki, rec, `create ${rec.create}, version ${rec.version} cannot start it`);
      }
    }
    if (!rec.tombstone) lastVersion = rec.version;
    if (!rec.tombstone && i !== recs.length - 1) continue;
    let created = head;
    if (gens.length === 0 && (head.main !== head.create || head.sub !== createdSub)) {
      if (head.main === head.create) {
        throw badRevision(ki, head, `the key was created at sub ${createdSub}`);
      }
      // compacted away: only its revision is known, and nothing reads more of it
      created = { ...head, main: head.create, sub: createdSub, value: EMPTY_BYTES, version: 1 };
    }
    const whole = start === 0 && i === recs.length - 1;
    const revs = whole ? recs : recs.slice(start, i + 1);
    gens.push({ ver: lastVersion + (rec.tombstone ? 1 : 0), created, revs });
    start = i + 1;
  }
  const last = recs[recs.length - 1] as RevRecord;
  if (last.tombstone) gens.push({ ver: 0, created: undefined, revs: [] });
  ki.generations = gens;
  ki.modified = last;
}
