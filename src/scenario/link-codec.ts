// Share links: a scenario document, compressed with deflate-raw and written as base64url, in the
// URL fragment (never sent to a server). Input from a link is untrusted, so every way it can be
// bad — not base64url, truncated, a zip bomb, not JSON, too long — ends in a LinkError whose
// message a person can act on, and never in a hang or an out-of-memory tab.

/** Largest fragment accepted (characters); Chromium refuses URLs over 2 MiB anyway. */
export const MAX_FRAGMENT_CHARS = 1_500_000;
/** Largest scenario JSON accepted after decompression (bytes): a cap against deflate bombs. */
export const MAX_SCENARIO_BYTES = 4 * 1024 * 1024;

export type LinkErrorKind =
  'empty' | 'too-long' | 'not-base64url' | 'corrupt' | 'too-large' | 'not-json';

export class LinkError extends Error {
  constructor(
    readonly kind: LinkErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!B64URL.test(text) || text.length % 4 === 1) {
    throw new LinkError(
      'not-base64url',
      'The link is damaged: its scenario is not valid base64url text.',
    );
  }
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    acc = (acc << 6) | LOOKUP[text.charCodeAt(i)]!;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

async function pump(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new LinkError(
        'too-large',
        `The link's scenario is larger than ${Math.round(limit / 1024 / 1024)} MiB once unpacked; raftlab does not open it.`,
      );
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function streamOf(bytes: Uint8Array<ArrayBuffer>): ReadableStream<BufferSource> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

export async function deflateRaw(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return pump(
    streamOf(bytes).pipeThrough(new CompressionStream('deflate-raw')),
    Number.MAX_SAFE_INTEGER,
  );
}

export async function inflateRaw(
  bytes: Uint8Array<ArrayBuffer>,
  limit = MAX_SCENARIO_BYTES,
): Promise<Uint8Array> {
  try {
    return await pump(streamOf(bytes).pipeThrough(new DecompressionStream('deflate-raw')), limit);
  } catch (err) {
    if (err instanceof LinkError) throw err;
    throw new LinkError(
      'corrupt',
      'The link is damaged or cut short: its scenario does not unpack.',
    );
  }
}

/** JSON value -> fragment text (without the leading '#'). */
export async function encodeFragment(value: unknown): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(value));
  return toBase64Url(await deflateRaw(json));
}

/** Fragment text (with or without '#') -> parsed JSON. Throws LinkError. */
export async function decodeFragment(fragment: string): Promise<unknown> {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (text.length === 0) throw new LinkError('empty', 'The link carries no scenario.');
  if (text.length > MAX_FRAGMENT_CHARS) {
    throw new LinkError(
      'too-long',
      `The link is ${text.length.toLocaleString('en-US')} characters long; raftlab opens links of up to ${MAX_FRAGMENT_CHARS.toLocaleString('en-US')}.`,
    );
  }
  const json = await inflateRaw(fromBase64Url(text));
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw new LinkError(
      'not-json',
      'The link unpacks, but not to a scenario (it is not JSON text).',
    );
  }
}
