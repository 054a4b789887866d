// Byte-level reading and writing for everything raftlab puts on disk or in a Raft entry: a
// growable writer and a bounds-checked reader. Numbers are float64 (indexes, terms and revisions
// stay exact up to 2^53); byte arrays and strings are length-prefixed.

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Big-endian float64s go through one shared 8-byte scratch rather than a DataView per writer and
 * reader: a writer is made for every entry, hard state and proposal, and the DataView was a
 * second allocation each time.
 */
const f64View = new DataView(new ArrayBuffer(8));
const f64Bytes = new Uint8Array(f64View.buffer);

export class BinWriter {
  private buf: Uint8Array;
  private len = 0;

  /** `initialSize`: what the caller expects to write; exact, it saves every regrowth and copy. */
  constructor(initialSize = 64) {
    this.buf = new Uint8Array(initialSize);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = Math.max(16, this.buf.length * 2); // (an initial size of 0 must still grow)
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.len++] = v;
    return this;
  }

  u32(v: number): this {
    this.reserve(4);
    const buf = this.buf;
    const at = this.len;
    buf[at] = v >>> 24; // big-endian, as DataView.setUint32 writes it
    buf[at + 1] = v >>> 16;
    buf[at + 2] = v >>> 8;
    buf[at + 3] = v;
    this.len += 4;
    return this;
  }

  f64(v: number): this {
    this.reserve(8);
    f64View.setFloat64(0, v);
    const buf = this.buf;
    const at = this.len;
    for (let i = 0; i < 8; i++) buf[at + i] = f64Bytes[i]!;
    this.len += 8;
    return this;
  }

  bytes(v: Uint8Array): this {
    this.u32(v.length);
    this.reserve(v.length);
    this.buf.set(v, this.len);
    this.len += v.length;
    return this;
  }

  string(v: string): this {
    // ASCII (keys, methods, ids: nearly every string an entry carries) is its own UTF-8: write
    // it in place rather than encoding it to a new array first.
    const n = v.length;
    for (let i = 0; i < n; i++) if (v.charCodeAt(i) >= 0x80) return this.bytes(utf8.encode(v));
    this.u32(n);
    this.reserve(n);
    const buf = this.buf;
    for (let i = 0, at = this.len; i < n; i++) buf[at + i] = v.charCodeAt(i);
    this.len += n;
    return this;
  }

  numbers(v: readonly number[]): this {
    this.u32(v.length);
    for (const n of v) this.f64(n);
    return this;
  }

  /** The bytes written. The writer must not be used after (an exactly full buffer is returned
   *  as it is, not copied). */
  finish(): Uint8Array {
    return this.len === this.buf.length ? this.buf : this.buf.slice(0, this.len);
  }
}

export class BinReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new RangeError(
        `truncated record: needs ${n} more bytes at offset ${this.pos} of ${this.buf.length}`,
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const buf = this.buf;
    const at = this.pos;
    this.pos += 4;
    return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
  }

  f64(): number {
    this.need(8);
    const buf = this.buf;
    const at = this.pos;
    for (let i = 0; i < 8; i++) f64Bytes[i] = buf[at + i]!;
    this.pos += 8;
    return f64View.getFloat64(0);
  }

  bytes(): Uint8Array {
    const n = this.u32();
    this.need(n);
    const v = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  string(): string {
    // Short ASCII strings (object keys, methods, ids) are built directly: TextDecoder's call and
    // the copy bytes() makes cost more than the string. Anything else goes through the fatal
    // decoder, which checks the UTF-8.
    const n = this.u32();
    this.need(n);
    const buf = this.buf;
    const start = this.pos;
    if (n <= 64) {
      let s = '';
      let i = 0;
      for (; i < n; i++) {
        const c = buf[start + i]!;
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i === n) {
        this.pos += n;
        return s;
      }
    }
    this.pos += n;
    return utf8Decoder.decode(buf.subarray(start, start + n));
  }

  numbers(): number[] {
    const n = this.u32();
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.f64());
    return out;
  }

  end(): void {
    if (this.pos !== this.buf.length) {
      throw new RangeError(`record has ${this.buf.length - this.pos} unexpected trailing bytes`);
    }
  }
}
