// Keys inside the store are "binary strings": one UTF-16 code unit per byte (0..255). JS string
// comparison on such strings is exactly Go's bytes.Compare (unsigned lexicographic), they hash
// well as Map keys and V8 stores them one byte per character. The Uint8Array form is kept
// alongside (in the key index) for responses.

const CHUNK = 8192;

/** The binary string of `bytes` (never TextDecoder: its 'latin1' is windows-1252). */
export function bytesToBinary(bytes: Uint8Array): string {
  if (bytes.length <= CHUNK) {
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  let out = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return out;
}

/** The bytes of a binary string. */
export function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Go's bytes.Compare: unsigned lexicographic order, -1 / 0 / 1. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/**
 * A key range as the store walks it: the single key `key` when `end` is undefined; otherwise
 * [key, end) with `end === ''` meaning "to the end of the keyspace" (etcd's range_end "\0").
 */
export interface KeyRange {
  readonly key: string;
  readonly end: string | undefined;
}

/**
 * etcd's reading of (key, range_end): empty range_end = the single key; "\0" = every key >= key
 * (mkGteRange); anything else = [key, range_end), empty when range_end <= key.
 */
export function toKeyRange(key: Uint8Array, rangeEnd: Uint8Array | undefined): KeyRange {
  const k = bytesToBinary(key);
  if (rangeEnd === undefined || rangeEnd.length === 0) return { key: k, end: undefined };
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { key: k, end: '' };
  return { key: k, end: bytesToBinary(rangeEnd) };
}

/** Whether binary key `k` lies in `r`. */
export function inKeyRange(r: KeyRange, k: string): boolean {
  if (r.end === undefined) return k === r.key;
  return k >= r.key && (r.end === '' || k < r.end);
}

/** The range_end of the prefix `prefix` (clientv3.GetPrefixRangeEnd): last byte < 0xff plus one. */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = new Uint8Array(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.slice(0, i + 1);
    }
  }
  // every byte is 0xff (or no bytes): the prefix covers the rest of the keyspace.
  return new Uint8Array([0]);
}
