// Test helpers: bytes from text and back, and a store with a settable clock.
import { MvccStore } from '../store';
import type { MvccStoreOptions } from '../store';
import type { KeyValue } from '../types';

/** Latin-1 bytes of a string: one byte per character (use \xNN for raw bytes). */
export function b(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

export function str(u: Uint8Array): string {
  let s = '';
  for (const x of u) s += String.fromCharCode(x);
  return s;
}

/** A KeyValue as in etcd's JSON, with key and value as text. */
export function kv(
  key: string,
  value: string,
  create_revision: number,
  mod_revision: number,
  version: number,
  lease = 0,
): KeyValue {
  return { key: b(key), create_revision, mod_revision, version, value: b(value), lease };
}

export function newStore(opts: MvccStoreOptions = {}): {
  store: MvccStore;
  clock: { now: number };
} {
  const clock = { now: 0 };
  const store = new MvccStore({ clock: () => clock.now, ...opts });
  return { store, clock };
}

/** Runs fn and returns the EtcdError it throws as { message, code }. */
export function errorOf(fn: () => unknown): { message: string; code: number } | undefined {
  try {
    fn();
  } catch (e) {
    const err = e as { message: string; code: number; name: string };
    if (err.name !== 'EtcdError') throw e;
    return { message: err.message, code: err.code };
  }
  return undefined;
}
