import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fnv1a64, TraceHasher, canonicalJson } from './trace-hash';

/** Any value a trace record might hold, and the awkward ones: undefined, -0, holes, lone
 *  surrogates, keys outside ASCII. */
const anyValue = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.constant(undefined),
    fc.constant(-0),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.uint8Array({ maxLength: 8 }),
    fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)) }),
    fc.array(tie('v')),
    fc.sparseArray(tie('v')),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('v')),
  ),
})).v;

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined, w: 3 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"w":3,"y":2}]},"b":1}',
    );
  });

  it('writes bytes as hex and -0 as 0', () => {
    expect(canonicalJson({ data: new Uint8Array([0, 15, 255]), z: -0 })).toBe(
      '{"data":{"$bytes":"000fff"},"z":0}',
    );
  });

  it('gives equal objects one encoding whatever their key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
    );
  });

  it('encodes exactly as the straightforward reference encoder does', () => {
    // The reference: the first, obviously correct version, kept here as the oracle for the fast
    // one the trace hash uses.
    const reference = (v: unknown): string => {
      if (v === null) return 'null';
      if (typeof v === 'number') return Object.is(v, -0) ? '0' : JSON.stringify(v);
      if (typeof v !== 'object') return JSON.stringify(v);
      if (v instanceof Uint8Array)
        return `{"$bytes":"${[...v].map((b) => b.toString(16).padStart(2, '0')).join('')}"}`;
      if (Array.isArray(v))
        return `[${v.map((x) => (x === undefined ? 'null' : reference(x))).join(',')}]`;
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(',')}}`;
    };
    fc.assert(
      fc.property(fc.dictionary(fc.string(), anyValue), (obj) => {
        expect(canonicalJson(obj)).toBe(reference(obj));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses values with no canonical form, naming where they are', () => {
    expect(() => canonicalJson({ a: [1, NaN] })).toThrow(/\$\.a\[1\] is NaN/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/\$\.f is a function/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
  });
});

describe('Fnv1a64', () => {
  it('matches the published FNV-1a 64 test vectors', () => {
    expect(new Fnv1a64().hex()).toBe('cbf29ce484222325');
    expect(new Fnv1a64().updateText('a').hex()).toBe('af63dc4c8601ec8c');
    expect(new Fnv1a64().updateText('foobar').hex()).toBe('85944171f73967e8');
  });

  it('hashes text as its UTF-8 bytes, lone surrogates included', () => {
    const anyUnit = fc.nat(0xffff).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ unit: anyUnit }),
        fc.string({ unit: 'binary' }),
        (a, b, c) => {
          for (const s of [a, b, c, a + b + c]) {
            expect(new Fnv1a64().updateText(s).hex()).toBe(
              new Fnv1a64().update(new TextEncoder().encode(s)).hex(),
            );
          }
        },
      ),
    );
  });

  it('hashes in chunks exactly as in one piece', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.uint8Array(), (a, b) => {
        expect(new Fnv1a64().update(a).update(b).hex()).toBe(
          new Fnv1a64().update(new Uint8Array([...a, ...b])).hex(),
        );
      }),
    );
  });
});

describe('TraceHasher', () => {
  it('hashes exactly the canonical line of each event, written straight to bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.string(), anyValue)), (events) => {
        const t = new TraceHasher();
        const reference = new Fnv1a64();
        for (const e of events) {
          t.add(e);
          reference.updateText(canonicalJson(e) + '\n');
        }
        expect(t.digest()).toBe(reference.hex());
        expect(t.events).toBe(events.length);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a value with no canonical form as canonicalJson does', () => {
    expect(() => new TraceHasher().add({ a: [1, NaN] })).toThrow(/\$\.a\[1\] is NaN/);
  });

  it('depends on every event and on their order', () => {
    const h = (events: unknown[]) => {
      const t = new TraceHasher();
      events.forEach((e) => t.add(e));
      return t.digest();
    };
    const a = { atUs: 1, kind: 'tick', node: 1 };
    const b = { atUs: 2, kind: 'tick', node: 2 };
    expect(h([a, b])).toBe(h([{ node: 1, kind: 'tick', atUs: 1 }, b]));
    expect(h([a, b])).not.toBe(h([b, a]));
    expect(h([a, b])).not.toBe(h([a]));
    expect(h([a, b])).toMatch(/^[0-9a-f]{16}$/);
  });
});
