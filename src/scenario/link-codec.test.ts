import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LinkError,
  MAX_FRAGMENT_CHARS,
  decodeFragment,
  deflateRaw,
  encodeFragment,
  fromBase64Url,
  toBase64Url,
} from './link-codec';

async function kindOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(LinkError);
    return (err as LinkError).kind;
  }
}

describe('base64url', () => {
  it('round-trips any bytes and matches the standard alphabet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(text)).toEqual(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      }),
    );
  });

  it('refuses characters outside the alphabet', () => {
    expect(() => fromBase64Url('ab+/')).toThrow(LinkError);
    expect(() => fromBase64Url('abcde')).toThrow(/not valid base64url/);
  });
});

describe('share-link fragments', () => {
  it('round-trips JSON documents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const fragment = await encodeFragment(value);
        expect(await decodeFragment('#' + fragment)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 60 },
    );
  });

  it('compresses a repetitive scenario well', async () => {
    const actions = Array.from({ length: 500 }, (_, i) => ({
      atUs: i * 1000,
      kind: 'put',
      key: `k${i % 10}`,
    }));
    const fragment = await encodeFragment({ version: 1, actions });
    expect(fragment.length).toBeLessThan(JSON.stringify(actions).length / 5);
  });

  it('names each way a link can be bad', async () => {
    const good = await encodeFragment({ version: 1, seed: 7 });
    expect(await kindOf(decodeFragment(''))).toBe('empty');
    expect(await kindOf(decodeFragment('#'))).toBe('empty');
    expect(await kindOf(decodeFragment('#%%%not-base64%%%'))).toBe('not-base64url');
    expect(await kindOf(decodeFragment(good.slice(0, Math.floor(good.length / 2))))).toMatch(
      /corrupt|not-base64url/,
    );
    expect(await kindOf(decodeFragment('A'.repeat(MAX_FRAGMENT_CHARS + 4)))).toBe('too-long');
    const notJson = toBase64Url(await deflateRaw(new TextEncoder().encode('{nope')));
    expect(await kindOf(decodeFragment(notJson))).toBe('not-json');
  });

  it('refuses a deflate bomb without unpacking all of it', async () => {
    const bomb = toBase64Url(await deflateRaw(new Uint8Array(32 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(100_000);
    expect(await kindOf(decodeFragment(bomb))).toBe('too-large');
  });

  it('survives random damage with a LinkError or a value, never anything else', async () => {
    const good = await encodeFragment({
      version: 1,
      seed: 7,
      actions: [{ kind: 'crash', node: 2 }],
    });
    await fc.assert(
      fc.asyncProperty(fc.nat(good.length - 1), fc.constantFrom(...'AZaz09-_'), async (at, ch) => {
        const damaged = good.slice(0, at) + ch + good.slice(at + 1);
        await decodeFragment(damaged).catch((err: unknown) => {
          expect(err).toBeInstanceOf(LinkError);
        });
      }),
      { numRuns: 50 },
    );
  });
});
