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
      lo ^= bytes[i]!;
      // (hi:lo) *= 0x100000001b3, i.e. x * 0x1b3 + (x << 40), modulo 2^64.
      const loProd = (lo >>> 0) * 0x1b3; // < 2^41: exact in a double
      const carry = Math.floor(loProd / 0x1_0000_0000);
      hi = (Math.imul(hi, 0x1b3) + carry + (lo << 8)) >>> 0;
      lo = loProd >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
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

/** Hashes trace events one by one, each as its canonical line ending in "\n". */
export class TraceHasher {
  private readonly fnv = new Fnv1a64();
  private count = 0;

  add(event: unknown): void {
    this.fnv.updateText(canonicalJson(event) + '\n');
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
