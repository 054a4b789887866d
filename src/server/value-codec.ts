// A tagged binary encoding for plain data with byte arrays: what goes into a Raft entry's data
// (etcd's InternalRaftRequest) and into snapshots. Deterministic: the same value always encodes to
// the same bytes (object keys sorted), so replicas that encode the same request agree byte for
// byte, and a trace hash over entries is stable. Decoding checks every length and tag: a damaged
// entry is an error, never a wrong value.
import { BinReader, BinWriter } from '../storage/bin';

export type Value =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | readonly Value[]
  | { readonly [key: string]: Value | undefined };

const enum Tag {
  Null = 0,
  False = 1,
  True = 2,
  Number = 3,
  String = 4,
  Bytes = 5,
  Array = 6,
  Object = 7,
}

const MAX_DEPTH = 64;

function write(w: BinWriter, v: Value, depth: number): void {
  if (depth > MAX_DEPTH) throw new RangeError(`value nests deeper than ${MAX_DEPTH} levels`);
  if (v === null) {
    w.u8(Tag.Null);
  } else if (typeof v === 'boolean') {
    w.u8(v ? Tag.True : Tag.False);
  } else if (typeof v === 'number') {
    w.u8(Tag.Number).f64(Object.is(v, -0) ? 0 : v);
  } else if (typeof v === 'string') {
    w.u8(Tag.String).string(v);
  } else if (v instanceof Uint8Array) {
    w.u8(Tag.Bytes).bytes(v);
  } else if (Array.isArray(v)) {
    w.u8(Tag.Array).u32(v.length);
    for (const x of v as readonly Value[]) write(w, x, depth + 1);
  } else if (typeof v === 'object') {
    const obj = v as { readonly [key: string]: Value | undefined };
    // The defined keys in code-unit order (what sort() gives), by insertion sort in place: an
    // entry's objects have a handful of keys, and this runs for every proposal.
    const keys = Object.keys(obj);
    let n = 0;
    for (const k of keys) {
      if (obj[k] === undefined) continue;
      let j = n++;
      for (; j > 0 && keys[j - 1]! > k; j--) keys[j] = keys[j - 1]!;
      keys[j] = k;
    }
    keys.length = n;
    w.u8(Tag.Object).u32(keys.length);
    for (const k of keys) {
      w.string(k);
      write(w, obj[k] as Value, depth + 1);
    }
  } else {
    throw new TypeError(`cannot encode a ${typeof v}`);
  }
}

function read(r: BinReader, depth: number): Value {
  if (depth > MAX_DEPTH) throw new RangeError(`value nests deeper than ${MAX_DEPTH} levels`);
  const tag = r.u8();
  switch (tag) {
    case Tag.Null:
      return null;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.Number:
      return r.f64();
    case Tag.String:
      return r.string();
    case Tag.Bytes:
      return r.bytes();
    case Tag.Array: {
      const n = r.u32();
      const out: Value[] = [];
      for (let i = 0; i < n; i++) out.push(read(r, depth + 1));
      return out;
    }
    case Tag.Object: {
      const n = r.u32();
      const out: Record<string, Value> = {};
      for (let i = 0; i < n; i++) {
        const k = r.string();
        const v = read(r, depth + 1);
        // Assignment keeps the object in fast mode (defineProperty on every key was a tenth of a
        // loaded run's apply time); only a key "__proto__" needs defineProperty, so that it is
        // data rather than the object's prototype.
        if (k === '__proto__')
          Object.defineProperty(out, k, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else out[k] = v;
      }
      return out;
    }
    default:
      throw new RangeError(`unknown value tag ${tag}`);
  }
}

/** UTF-8 length of `s`, as TextEncoder counts it (a lone surrogate becomes U+FFFD, 3 bytes). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // a pair: two units, four bytes
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

/**
 * How many bytes write() will produce, so encodeValue allocates the result once, exactly (no
 * regrowth, no final copy): it runs for every proposal. An estimate that were off would only cost
 * a copy; the bytes come from write() either way.
 */
function sizeOf(v: Value, depth: number): number {
  if (depth > MAX_DEPTH || v === null || typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 9;
  if (typeof v === 'string') return 5 + utf8Length(v);
  if (v instanceof Uint8Array) return 5 + v.length;
  let n = 5;
  if (Array.isArray(v)) {
    for (const x of v as readonly Value[]) n += sizeOf(x, depth + 1);
    return n;
  }
  if (typeof v !== 'object') return 1;
  const obj = v as { readonly [key: string]: Value | undefined };
  for (const k in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
    const x = obj[k];
    if (x !== undefined) n += 4 + utf8Length(k) + sizeOf(x, depth + 1);
  }
  return n;
}

export function encodeValue(v: Value): Uint8Array {
  const w = new BinWriter(sizeOf(v, 0));
  write(w, v, 0);
  return w.finish();
}

export function decodeValue(bytes: Uint8Array): Value {
  const r = new BinReader(bytes);
  const v = read(r, 0);
  r.end();
  return v;
}
