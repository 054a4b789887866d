// The backup file `etcdctl snapshot save` writes and `snapshot restore` reads (source article 002).
// etcd streams its bbolt file from one member (the maintenance Snapshot RPC) and appends the
// SHA-256 of everything before it; restore refuses a file whose hash does not match, unless told
// --skip-hash-check. raftlab's file is the same shape around the store's own snapshot:
//
//   magic "rlbk" (4 bytes), format version (u8),
//   member ID, consistent index (the member's applied index), its term   (unsigned varints)
//   store snapshot length (varint), store snapshot (snapshot.ts: "mvcc", v1, with its CRC-32C)
//   SHA-256 of all the bytes above (32 bytes)
//
// The consistent index is what etcd keeps in the backend's meta bucket; restore does not need it
// to rebuild the keyspace (a restored member starts a fresh log whose snapshot sits at the index
// of its members' conf changes, as etcd's restore does), but `status` and the trace report it.
//
// Checks, in order: the file is long enough to hold a hash; the hash matches (skippable); the
// magic and version; then the store snapshot is decoded in full (its CRC-32C, every count and
// reference), so a file that passes is one a member can start from. Every refusal is a
// BackupError whose message names what failed.
import { ByteReader, ByteWriter, SnapshotError } from './bin';
import { Crc32c } from './hash';
import { sha256 } from './sha256';
import { decodeSnapshot } from './snapshot';

export const BACKUP_VERSION = 1;
const MAGIC = [0x72, 0x6c, 0x62, 0x6b]; // "rlbk"
const HASH_BYTES = 32;
/** The smallest file that can hold a header and a hash. */
const MIN_BYTES = MAGIC.length + 1 + 4 + HASH_BYTES;

/** A snapshot file that cannot be used: damaged, truncated, or not a raftlab snapshot. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** What a member's backup holds besides the store. */
export interface BackupMeta {
  memberId: number;
  consistentIndex: number;
  term: number;
}

export interface Backup extends BackupMeta {
  /** The store's snapshot (snapshot.ts), checked: MvccStore.restore takes it. */
  snapshot: Uint8Array;
  /** What `etcdctl snapshot status` prints. */
  status: BackupStatus;
  /** Whether the hash was checked and matched (false only with skipHashCheck). */
  hashChecked: boolean;
}

/** etcdctl's snapshot.Status: hash, revision, total keys, total size. */
export interface BackupStatus {
  /** CRC-32C of the store snapshot (etcd: CRC-32C over every bucket's keys and values). */
  hash: number;
  revision: number;
  /**
   * Every key the backend would hold: stored revisions (etcd's "key" bucket), leases (the
   * "lease" bucket) and the consistent index (the "meta" bucket).
   */
  totalKey: number;
  /** The file's size without its hash (etcd: the bbolt file's size). */
  totalSize: number;
}

/** The file `snapshot save` writes: the header, the store snapshot, its SHA-256. */
export function encodeBackup(meta: BackupMeta, snapshot: Uint8Array): Uint8Array {
  const w = new ByteWriter(snapshot.length + 64);
  for (const m of MAGIC) w.u8(m);
  w.u8(BACKUP_VERSION);
  w.uvarint(meta.memberId);
  w.uvarint(meta.consistentIndex);
  w.uvarint(meta.term);
  w.bytes(snapshot);
  w.raw(sha256(w.written()));
  return w.finish();
}

/** Go's %v of a byte slice, as etcd prints the hashes it compares. */
function goBytes(b: Uint8Array): string {
  return `[${Array.from(b).join(' ')}]`;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Reads and checks a snapshot file. `skipHashCheck` is etcdctl's --skip-hash-check: the hash is
 * not compared (the store snapshot's own CRC-32C still is).
 */
export function decodeBackup(file: Uint8Array, opts: { skipHashCheck?: boolean } = {}): Backup {
  if (file.length < MIN_BYTES) {
    throw new BackupError(
      `snapshot file is truncated: ${file.length} bytes, too short to hold a snapshot and its sha256`,
    );
  }
  const end = file.length - HASH_BYTES;
  const content = file.subarray(0, end);
  if (!opts.skipHashCheck) {
    const stored = file.subarray(end);
    const computed = sha256(content);
    if (!equal(stored, computed)) {
      // etcd's words, then what they mean
      throw new BackupError(
        `expected sha256 ${goBytes(stored)}, got ${goBytes(computed)}: the snapshot file is damaged, truncated or was changed after it was saved (--skip-hash-check restores it anyway)`,
      );
    }
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (file[i] !== MAGIC[i])
      throw new BackupError('not a raftlab snapshot file (bad magic bytes)');
  }
  const version = file[MAGIC.length] as number;
  if (version !== BACKUP_VERSION) {
    throw new BackupError(
      `snapshot file format version ${version} is unknown (this build reads version ${BACKUP_VERSION})`,
    );
  }
  try {
    const r = new ByteReader(content, MAGIC.length + 1);
    const memberId = r.uvarint();
    const consistentIndex = r.uvarint();
    const term = r.uvarint();
    const snapshot = r.bytes();
    if (r.remaining !== 0) {
      throw new BackupError(`${r.remaining} unexpected bytes between the store and the sha256`);
    }
    const state = decodeSnapshot(snapshot);
    const crc = new Crc32c();
    crc.write(snapshot);
    return {
      memberId,
      consistentIndex,
      term,
      snapshot,
      hashChecked: !opts.skipHashCheck,
      status: {
        hash: crc.sum32(),
        revision: state.currentRev,
        totalKey: state.records.length + state.leases.length + 1,
        totalSize: end,
      },
    };
  } catch (e) {
    if (e instanceof SnapshotError) throw new BackupError(`snapshot file: ${e.message}`);
    throw e;
  }
}
