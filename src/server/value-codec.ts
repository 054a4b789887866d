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
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
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
        out[k] = read(r, depth + 1);
      }
      return out;
    }
    default:
      throw new RangeError(`unknown value tag ${tag}`);
  }
}

export function encodeValue(v: Value): Uint8Array {
  const w = new BinWriter();
  write(w, v, 0);
  return w.finish();
}

export function decodeValue(bytes: Uint8Array): Value {
  const r = new BinReader(bytes);
  const v = read(r, 0);
  r.end();
  return v;
}
