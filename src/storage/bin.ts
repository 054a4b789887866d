// Byte-level reading and writing for everything raftlab puts on disk or in a Raft entry: a
// growable writer and a bounds-checked reader. Numbers are float64 (indexes, terms and revisions
// stay exact up to 2^53); byte arrays and strings are length-prefixed.

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export class BinWriter {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.len++] = v;
    return this;
  }

  u32(v: number): this {
    this.reserve(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
    return this;
  }

  f64(v: number): this {
    this.reserve(8);
    this.view.setFloat64(this.len, v);
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
    return this.bytes(utf8.encode(v));
  }

  numbers(v: readonly number[]): this {
    this.u32(v.length);
    for (const n of v) this.f64(n);
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class BinReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

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

  bytes(): Uint8Array {
    const n = this.u32();
    this.need(n);
    const v = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  string(): string {
    return utf8Decoder.decode(this.bytes());
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
