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
  return encode(value, '$');
}

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

/** FNV-1a, 64 bits, kept as two 32-bit halves so it runs on plain numbers (no BigInt). */
export class Fnv1a64 {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  update(bytes: Uint8Array): this {
    let { hi, lo } = this;
    for (let i = 0; i < bytes.length; i++) {
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

  updateText(text: string): this {
    return this.update(utf8.encode(text));
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
