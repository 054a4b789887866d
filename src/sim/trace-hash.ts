// The trace's canonical encoding and hash. Two runs are the same run exactly when their traces
// encode to the same bytes, whichever host ran them; the hash (FNV-1a, 64 bits, over the canonical
// lines) is what the run-info panel shows as "trace hash" and what the browser test compares
// between the in-process and the worker host.
//
// Canonical JSON: object keys sorted, undefined fields left out, -0 written as 0, byte arrays as
// {"$bytes":"<hex>"}; NaN, Infinity, bigint, functions and symbols are refused rather than
// silently mangled, because a value that does not round-trip would make two different runs hash
// alike.

export function canonicalJson(value: unknown): string {
  try {
    return fast(value);
  } catch (err) {
    if (err !== NO_CANONICAL_FORM) throw err;
    return encode(value, '$'); // the slow walk finds the bad value and names its path
  }
}

const NO_CANONICAL_FORM = new TypeError('trace: a value has no canonical form');
const keyCache = new Map<string, string>();

/** The canonical encoding without path bookkeeping: the trace hash's hot path (one per event). */
function fast(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      // For a finite number JSON.stringify is ToString, which writes -0 as "0".
      if (!Number.isFinite(v)) throw NO_CANONICAL_FORM;
      return String(v);
    case 'string':
      return JSON.stringify(v);
    case 'object': {
      if (v instanceof Uint8Array) return `{"$bytes":"${toHex(v)}"}`;
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out += ',';
          const x: unknown = v[i];
          // A hole in a sparse array encodes as nothing, as Array.prototype.join leaves it.
          out += x !== undefined ? fast(x) : i in v ? 'null' : '';
        }
        return out + ']';
      }
      const obj = v as Record<string, unknown>;
      const keys = sortKeys(Object.keys(obj));
      let out = '{';
      for (const k of keys) {
        const x = obj[k];
        if (x === undefined) continue;
        let quoted = keyCache.get(k);
        if (quoted === undefined) {
          quoted = JSON.stringify(k) + ':';
          if (keyCache.size < 4096) keyCache.set(k, quoted);
        }
        out += out.length === 1 ? quoted : ',' + quoted;
        out += fast(x);
      }
      return out + '}';
    }
    default:
      throw NO_CANONICAL_FORM;
  }
}

/** Sorts a few keys by UTF-16 code units, as Array.prototype.sort does, without its overhead. */
function sortKeys(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > k; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = k;
  }
  return keys;
}

/** The reference encoding, tracking where it is so an error can name the bad value. */
function encode(v: unknown, path: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v))
        throw new TypeError(`trace: ${path} is ${v}, which has no canonical form`);
      return Object.is(v, -0) ? '0' : JSON.stringify(v);
    case 'string':
      return JSON.stringify(v);
    case 'object': {
      if (v instanceof Uint8Array) return `{"$bytes":"${toHex(v)}"}`;
      if (Array.isArray(v)) {
        return `[${v.map((x, i) => (x === undefined ? 'null' : encode(x, `${path}[${i}]`))).join(',')}]`;
      }
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(obj[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`trace: ${path} is a ${typeof v}, which has no canonical form`);
  }
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

const utf8 = new TextEncoder();
let scratch = new Uint8Array(256);

/** FNV-1a, 64 bits, kept as two 32-bit halves so it runs on plain numbers (no BigInt). */
export class Fnv1a64 {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  update(bytes: Uint8Array, length = bytes.length): this {
    let { hi, lo } = this;
    for (let i = 0; i < length; i++) {
      lo = (lo ^ bytes[i]!) >>> 0;
      // (hi:lo) *= 0x100000001b3, i.e. x * 0x1b3 + (x << 40), modulo 2^64. The carry out of
      // lo * 0x1b3 comes from its 16-bit halves in integer arithmetic: three times faster than
      // a float multiply and divide per byte, and this loop runs over every byte of the trace.
      const carry = ((lo >>> 16) * 0x1b3 + (((lo & 0xffff) * 0x1b3) >>> 16)) >>> 16;
      hi = (Math.imul(hi, 0x1b3) + carry + (lo << 8)) | 0;
      lo = Math.imul(lo, 0x1b3);
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }

  /** Hashes `text` as UTF-8. ASCII, nearly all of a trace, is copied byte for byte into a reused
   *  buffer rather than encoded into a new array. */
  updateText(text: string): this {
    const n = text.length;
    if (scratch.length < n) scratch = new Uint8Array(Math.max(n, 2 * scratch.length));
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return this.update(utf8.encode(text));
      scratch[i] = c;
    }
    return this.update(scratch, n);
  }

  hex(): string {
    return (
      (this.hi >>> 0).toString(16).padStart(8, '0') + (this.lo >>> 0).toString(16).padStart(8, '0')
    );
  }
}

/**
 * Writes an event's canonical line as UTF-8 straight into a reused byte buffer: the same bytes as
 * `canonicalJson(event) + "\n"`, without building the string (one per event, and the trace has
 * tens of thousands of events per simulated second under load). Throws NO_CANONICAL_FORM where
 * `fast` does; the caller then falls back to canonicalJson, which names the bad value.
 */
class CanonicalBytes {
  buf = new Uint8Array(1024);
  len = 0;
  /** The own keys of the object being written at each nesting depth (reused, never shrunk). */
  private readonly keyStack: string[][] = [];
  depth = 0;

  /** Object shapes seen, by first key: their keys in insertion order, sorted, and encoded. */
  private readonly shapes = new Map<string, Shape[]>();
  private shapeCount = 0;

  /** The shape of an object whose own keys, in insertion order, are raw[0..n). */
  private shapeOf(raw: readonly string[], n: number): Shape {
    const candidates = this.shapes.get(n > 0 ? raw[0]! : '');
    if (candidates) {
      for (const c of candidates) {
        if (c.order.length !== n) continue;
        let same = true;
        for (let i = 1; i < n && same; i++) same = c.order[i] === raw[i];
        if (same) return c;
      }
    }
    const order = raw.slice(0, n);
    const sorted = sortKeys(order.slice());
    const shape: Shape = {
      order,
      sorted,
      keyBytes: sorted.map((k) => utf8.encode(JSON.stringify(k) + ':')),
      commaKeyBytes: sorted.map((k) => utf8.encode(',' + JSON.stringify(k) + ':')),
    };
    // Bounded: objects keyed by data rather than by field names would otherwise grow it forever.
    if (this.shapeCount < 4096) {
      this.shapeCount++;
      if (candidates) candidates.push(shape);
      else this.shapes.set(n > 0 ? raw[0]! : '', [shape]);
    }
    return shape;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.len + n, 2 * this.buf.length));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** ASCII byte by byte; the rest of a string with any other character through TextEncoder. */
  private text(s: string): void {
    const n = s.length;
    this.reserve(n);
    const buf = this.buf;
    let len = this.len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.len = len;
        this.reserve(3 * (n - i)); // UTF-8 takes at most 3 bytes per UTF-16 unit
        this.len += utf8.encodeInto(s.slice(i), this.buf.subarray(this.len)).written;
        return;
      }
      buf[len++] = c;
    }
    this.len = len;
  }

  /** JSON.stringify(s): printable ASCII without quote or backslash needs no escaping. */
  private string(s: string): void {
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return this.text(JSON.stringify(s));
    }
    this.reserve(n + 2);
    const buf = this.buf;
    let len = this.len;
    buf[len++] = 0x22;
    for (let i = 0; i < n; i++) buf[len++] = s.charCodeAt(i);
    buf[len++] = 0x22;
    this.len = len;
  }

  byte(c: number): void {
    this.reserve(1);
    this.buf[this.len++] = c;
  }

  value(v: unknown): void {
    if (v === null) return this.text('null');
    switch (typeof v) {
      case 'boolean':
        return this.text(v ? 'true' : 'false');
      case 'number':
        if (!Number.isFinite(v)) throw NO_CANONICAL_FORM;
        return this.text(String(v)); // -0 writes as "0", as in fast()
      case 'string':
        return this.string(v);
      case 'object': {
        if (v instanceof Uint8Array) {
          this.text('{"$bytes":"');
          this.reserve(2 * v.length);
          for (let i = 0; i < v.length; i++) {
            const b = v[i]!;
            this.buf[this.len++] = HEX[b >> 4]!;
            this.buf[this.len++] = HEX[b & 15]!;
          }
          return this.text('"}');
        }
        if (Array.isArray(v)) {
          this.byte(0x5b); // [
          for (let i = 0; i < v.length; i++) {
            if (i > 0) this.byte(0x2c); // ,
            const x: unknown = v[i];
            if (x !== undefined) this.value(x);
            else if (i in v) this.text('null'); // a hole writes nothing, as in fast()
          }
          return this.byte(0x5d); // ]
        }
        const obj = v as Record<string, unknown>;
        // The own keys in insertion order, gathered with for-in into a scratch array kept per
        // depth (no Object.keys array per object), then their sorted order and encoded bytes
        // from the shape cache: trace records come in a few dozen shapes, so the sorting and
        // key encoding are done once per shape rather than once per event.
        const depth = this.depth++;
        const raw = (this.keyStack[depth] ??= []);
        let n = 0;
        for (const k in obj) if (Object.prototype.hasOwnProperty.call(obj, k)) raw[n++] = k;
        const shape = this.shapeOf(raw, n);
        this.byte(0x7b); // {
        let first = true;
        for (let i = 0; i < n; i++) {
          const x = obj[shape.sorted[i]!];
          if (x === undefined) continue;
          const kb = first ? shape.keyBytes[i]! : shape.commaKeyBytes[i]!;
          first = false;
          this.reserve(kb.length);
          const buf = this.buf;
          let len = this.len;
          for (let j = 0; j < kb.length; j++) buf[len++] = kb[j]!;
          this.len = len;
          this.value(x);
        }
        this.depth--;
        return this.byte(0x7d); // }
      }
      default:
        throw NO_CANONICAL_FORM;
    }
  }
}

interface Shape {
  /** The own keys in insertion order (what identifies the shape). */
  order: string[];
  /** The same keys sorted as canonical JSON sorts them. */
  sorted: string[];
  /** Each sorted key as `"key":` in UTF-8, and as `,"key":`. */
  keyBytes: Uint8Array[];
  commaKeyBytes: Uint8Array[];
}

const HEX = new TextEncoder().encode('0123456789abcdef');

/** Hashes trace events one by one, each as its canonical line ending in "\n". */
export class TraceHasher {
  private readonly fnv = new Fnv1a64();
  private readonly line = new CanonicalBytes();
  private count = 0;

  add(event: unknown): void {
    const line = this.line;
    line.len = 0;
    line.depth = 0;
    try {
      line.value(event);
    } catch (err) {
      if (err !== NO_CANONICAL_FORM) throw err;
      // The slow path: canonicalJson throws the error that names the bad value.
      this.fnv.updateText(canonicalJson(event) + '\n');
      this.count++;
      return;
    }
    line.byte(0x0a); // \n
    this.fnv.update(line.buf, line.len);
    this.count++;
  }

  get events(): number {
    return this.count;
  }

  /** 16 lowercase hex digits. */
  digest(): string {
    return this.fnv.hex();
  }
}
