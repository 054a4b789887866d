import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, type Value } from './value-codec';

const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    fc.uint8Array({ maxLength: 20 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** `v` as the codec keeps it: -0 is written as 0 (as JSON does), at any depth. */
function withoutNegativeZero(v: Value): Value {
  if (Object.is(v, -0)) return 0;
  if (Array.isArray(v)) return v.map(withoutNegativeZero);
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array))
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, x === undefined ? x : withoutNegativeZero(x)]),
    );
  return v;
}

describe('value codec', () => {
  it('round-trips plain data with byte arrays', () => {
    fc.assert(
      fc.property(value, (v) => {
        const back = decodeValue(encodeValue(v));
        expect(back).toEqual(withoutNegativeZero(v));
      }),
    );
  });

  it('sizes its output exactly (one allocation, no copy), lone surrogates included', () => {
    const anyUnit = fc.nat(0xffff).map((c) => String.fromCharCode(c));
    const texty = fc.letrec<{ v: Value }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        value,
        fc.string({ unit: anyUnit }),
        fc.string({ unit: 'grapheme' }),
        fc.dictionary(fc.string({ unit: anyUnit }), tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(texty, (v) => {
        const bytes = encodeValue(v);
        expect(bytes.byteLength).toBe(bytes.buffer.byteLength);
      }),
    );
  });

  it('encodes equal objects to equal bytes whatever their key order', () => {
    const a = encodeValue({ put: { key: new Uint8Array([1]), value: new Uint8Array([2]) }, id: 7 });
    const b = encodeValue({ id: 7, put: { value: new Uint8Array([2]), key: new Uint8Array([1]) } });
    expect(a).toEqual(b);
  });

  it('keeps a key named __proto__ as data', () => {
    const v = JSON.parse('{"__proto__": {"a": 1}, "b": 2}') as Value;
    const back = decodeValue(encodeValue(v)) as Record<string, Value>;
    expect(Object.keys(back)).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back).toEqual(v);
  });

  it('leaves out undefined fields', () => {
    expect(decodeValue(encodeValue({ a: 1, b: undefined }))).toEqual({ a: 1 });
  });

  it('refuses damaged bytes with an error, never a wrong value', () => {
    const good = encodeValue({ id: 1, put: { key: new Uint8Array([1, 2, 3]), lease: 0 } });
    expect(() => decodeValue(good.slice(0, good.length - 1))).toThrow(/truncated record/);
    expect(() => decodeValue(new Uint8Array([...good, 0]))).toThrow(/trailing bytes/);
    expect(() => decodeValue(new Uint8Array([99]))).toThrow(/unknown value tag 99/);
  });

  it('refuses values nested absurdly deep', () => {
    let deep: Value = null;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => encodeValue(deep)).toThrow(/deeper than 64/);
  });
});
