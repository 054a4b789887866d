// Byte-level writing and reading for the store's snapshot (snapshot.ts): a growable writer and a
// bounds-checked reader. Integers are unsigned LEB128 varints (exact up to 2^53 - 1), fixed-width
// fields big-endian; byte arrays are length-prefixed with a varint. src/mvcc keeps its own copy
// (src/storage/bin.ts is outside the layer).

/** A snapshot that cannot be read: damaged, truncated, of an unknown version, or inconsistent. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';

  constructor(message: string) {
    super(`mvcc snapshot: ${message}`);
  }
}

const TWO_POW_31 = 0x80000000;

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialSize));
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.len++] = v;
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
  }

  /** Overwrites the u32 at `at` (a length written once what it measures is known). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v);
  }

  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.len, v);
    this.len += 8;
  }

  /** An integer in [0, 2^53) as an unsigned LEB128 varint (at most 8 bytes). */
  uvarint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`uvarint: ${v} out of range`);
    this.reserve(8);
    const buf = this.buf;
    let n = v;
    if (n >= TWO_POW_31) {
      while (n >= TWO_POW_31) {
        buf[this.len++] = (n % 0x80) | 0x80;
        n = Math.floor(n / 0x80);
      }
    }
    while (n >= 0x80) {
      buf[this.len++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[this.len++] = n;
  }

  /** Length-prefixed bytes. */
  bytes(v: Uint8Array): void {
    this.uvarint(v.length);
    this.raw(v);
  }

  /** Bytes as they are, no length. */
  raw(v: Uint8Array): void {
    this.reserve(v.length);
    this.buf.set(v, this.len);
    this.len += v.length;
  }

  /** The bytes written so far (a view: valid until the next write). */
  written(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** A copy of the bytes written, sized exactly. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class ByteReader {
  private pos: number;
  private readonly view: DataView;

  /**
   * Reads buf[start, end); every read past `end` throws SnapshotError ("truncated"). Messages
   * give offsets plus `base` (where buf starts in the snapshot).
   */
  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
    private readonly base = 0,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) {
      throw new SnapshotError(
        `truncated: needs ${n} more bytes at offset ${this.base + this.pos}, only ${this.end - this.pos} left`,
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  uvarint(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8();
      v += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(v)) break;
        return v;
      }
      scale *= 0x80;
    }
    throw new SnapshotError(`bad varint ending at offset ${this.base + this.pos}`);
  }

  /** Length-prefixed bytes: a view into the buffer read (copy the buffer first to keep them). */
  bytes(): Uint8Array {
    const n = this.uvarint();
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}
