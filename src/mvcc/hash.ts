// What etcd's HashByRev hashes, byte for byte: CRC-32C (Castagnoli) over the bucket name "key"
// and then, in revision order, every stored revision's bbolt key (8-byte big-endian main, '_',
// 8-byte big-endian sub, plus 't' for a tombstone) and value (the protobuf mvccpb.KeyValue).

const CASTAGNOLI = 0x82f63b78;
/** Slicing-by-8 tables: table k (at k * 256) is the CRC of a byte followed by k zero bytes. */
const table = (() => {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CASTAGNOLI : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + i] as number;
      t[k * 256 + i] = (prev >>> 8) ^ (t[prev & 0xff] as number);
    }
  }
  return t;
})();

/** A running CRC-32C (Go's crc32.New(crc32.MakeTable(crc32.Castagnoli))). */
export class Crc32c {
  private crc = 0xffffffff;

  write(bytes: Uint8Array): void {
    const t = table;
    let c = this.crc;
    let i = 0;
    // eight bytes per step (slicing-by-8), then byte by byte
    for (const end8 = bytes.length - 7; i < end8; i += 8) {
      c ^=
        (bytes[i] as number) |
        ((bytes[i + 1] as number) << 8) |
        ((bytes[i + 2] as number) << 16) |
        ((bytes[i + 3] as number) << 24);
      c =
        (t[0x700 + (c & 0xff)] as number) ^
        (t[0x600 + ((c >>> 8) & 0xff)] as number) ^
        (t[0x500 + ((c >>> 16) & 0xff)] as number) ^
        (t[0x400 + (c >>> 24)] as number) ^
        (t[0x300 + (bytes[i + 4] as number)] as number) ^
        (t[0x200 + (bytes[i + 5] as number)] as number) ^
        (t[0x100 + (bytes[i + 6] as number)] as number) ^
        (t[bytes[i + 7] as number] as number);
    }
    for (; i < bytes.length; i++) {
      c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
    }
    this.crc = c;
  }

  sum32(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}

function putUint64BE(out: Uint8Array, at: number, v: number): void {
  const hi = Math.floor(v / 0x100000000);
  const lo = v >>> 0;
  out[at] = hi >>> 24;
  out[at + 1] = (hi >>> 16) & 0xff;
  out[at + 2] = (hi >>> 8) & 0xff;
  out[at + 3] = hi & 0xff;
  out[at + 4] = lo >>> 24;
  out[at + 5] = (lo >>> 16) & 0xff;
  out[at + 6] = (lo >>> 8) & 0xff;
  out[at + 7] = lo & 0xff;
}

/** The bbolt key of a revision (revToBytes, plus the tombstone mark). */
export function revisionBytes(main: number, sub: number, tombstone: boolean): Uint8Array {
  const out = new Uint8Array(tombstone ? 18 : 17);
  putUint64BE(out, 0, main);
  out[8] = 0x5f; // '_'
  putUint64BE(out, 9, sub);
  if (tombstone) out[17] = 0x74; // 't'
  return out;
}

/** Protobuf varint of an int64 (negative numbers as their two's-complement uint64). */
function varint(v: number, out: number[]): void {
  if (v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    return;
  }
  let b = BigInt.asUintN(64, BigInt(Math.trunc(v)));
  while (b >= 0x80n) {
    out.push(Number(b & 0x7fn) | 0x80);
    b >>= 7n;
  }
  out.push(Number(b));
}

export interface KeyValueFields {
  readonly key: Uint8Array;
  readonly create_revision: number;
  readonly mod_revision: number;
  readonly version: number;
  readonly value: Uint8Array;
  readonly lease: number;
}

/** mvccpb.KeyValue.Marshal(): fields 1..6 in order, zero values omitted (proto3). */
export function marshalKeyValue(kv: KeyValueFields): Uint8Array {
  const out: number[] = [];
  const bytesField = (tag: number, b: Uint8Array): void => {
    if (b.length === 0) return;
    out.push(tag);
    varint(b.length, out);
    for (let i = 0; i < b.length; i++) out.push(b[i] as number);
  };
  const intField = (tag: number, v: number): void => {
    if (v === 0) return;
    out.push(tag);
    varint(v, out);
  };
  bytesField(0x0a, kv.key);
  intField(0x10, kv.create_revision);
  intField(0x18, kv.mod_revision);
  intField(0x20, kv.version);
  bytesField(0x2a, kv.value);
  intField(0x30, kv.lease);
  return Uint8Array.from(out);
}
