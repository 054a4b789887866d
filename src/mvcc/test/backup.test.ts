// The snapshot file (backup.ts) and its SHA-256 (sha256.ts): the hash is node:crypto's for any
// input, a file round-trips to a store that answers as the original, and a flipped byte anywhere,
// a truncated file, a foreign file or a bad inner snapshot are refused by name.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BackupError, decodeBackup, encodeBackup } from '../backup';
import { MvccStore } from '../store';
import { sha256, toHex } from '../sha256';
import { b, newStore } from './util';

const nodeSha = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');

describe('sha256', () => {
  it('gives the FIPS 180-4 test vectors', () => {
    expect(toHex(sha256(b('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(toHex(sha256(new Uint8Array(0)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('agrees with node:crypto on every length around the block edges and at random', () => {
    for (let n = 0; n < 200; n++) {
      const d = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(toHex(sha256(d))).toBe(nodeSha(d));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (d) => toHex(sha256(d)) === nodeSha(d)),
      { numRuns: 200 },
    );
  });
});

function sampleStore(): MvccStore {
  const { store } = newStore();
  store.put({ key: b('a'), value: b('1') });
  store.put({ key: b('b'), value: b('2') });
  const { ID } = store.leaseGrant({ ID: 7, TTL: 60 });
  store.put({ key: b('c'), value: b('leased'), lease: ID });
  store.deleteRange({ key: b('a') });
  store.put({ key: b('a'), value: b('again') });
  return store;
}

function sampleFile(): Uint8Array {
  return encodeBackup({ memberId: 2, consistentIndex: 42, term: 3 }, sampleStore().snapshot());
}

function refusal(file: Uint8Array, opts?: { skipHashCheck?: boolean }): string {
  try {
    decodeBackup(file, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(BackupError);
    return (e as Error).message;
  }
  throw new Error('the file was accepted');
}

describe('the snapshot file', () => {
  it('ends with the sha256 of everything before it, as etcdctl snapshot save writes', () => {
    const file = sampleFile();
    const body = file.subarray(0, file.length - 32);
    expect(toHex(file.subarray(file.length - 32))).toBe(nodeSha(body));
    expect(new TextDecoder().decode(file.subarray(0, 4))).toBe('rlbk');
  });

  it('round-trips: the restored store answers as the original, and status reads it', () => {
    const original = sampleStore();
    const file = encodeBackup({ memberId: 2, consistentIndex: 42, term: 3 }, original.snapshot());
    const got = decodeBackup(file);
    expect(got).toMatchObject({ memberId: 2, consistentIndex: 42, term: 3, hashChecked: true });
    const restored = MvccStore.restore(got.snapshot);
    const all = { key: new Uint8Array([0]), range_end: new Uint8Array([0]) };
    expect(restored.range(all)).toEqual(original.range(all));
    expect(restored.hashKV(0)).toEqual(original.hashKV(0));
    expect(restored.leaseLeases()).toEqual(original.leaseLeases());
    // revision 6; 5 stored revisions (a, b, c, a deleted, a again), 1 lease, the meta key
    expect(got.status).toMatchObject({
      revision: 6,
      totalKey: 5 + 1 + 1,
      totalSize: file.length - 32,
    });
  });

  it('refuses a file with any byte flipped, naming the sha256 check', () => {
    const file = sampleFile();
    for (let i = 0; i < file.length; i++) {
      const bad = file.slice();
      bad[i] = (bad[i] as number) ^ 0x40;
      expect(refusal(bad)).toMatch(
        /^expected sha256 \[[\d ]+\], got \[[\d ]+\]: the snapshot file is damaged/,
      );
    }
  });

  it('with --skip-hash-check, still refuses a damaged store (its CRC-32C) and accepts a damaged hash', () => {
    const file = sampleFile();
    const inStore = file.slice();
    inStore[20] = (inStore[20] as number) ^ 1;
    expect(refusal(inStore, { skipHashCheck: true })).toMatch(/^snapshot file: mvcc snapshot: /);
    const inHash = file.slice();
    inHash[file.length - 1] = (inHash[file.length - 1] as number) ^ 1;
    const got = decodeBackup(inHash, { skipHashCheck: true });
    expect(got.hashChecked).toBe(false);
    expect(got.status.revision).toBe(6);
    const notOurs = file.slice();
    notOurs[0] = 0x7b;
    expect(refusal(notOurs, { skipHashCheck: true })).toBe(
      'not a raftlab snapshot file (bad magic bytes)',
    );
  });

  it('refuses a truncated file, however short', () => {
    const file = sampleFile();
    for (const n of [0, 1, 10, 40, file.length - 33, file.length - 1]) {
      const msg = refusal(file.subarray(0, n));
      expect(msg).toMatch(n < 41 ? /^snapshot file is truncated: \d+ bytes/ : /^expected sha256/);
    }
    // a whole file without its hash (etcd: "snapshot missing hash"), read with the check off
    expect(refusal(file.subarray(0, file.length - 32), { skipHashCheck: true })).toMatch(
      /^snapshot file: mvcc snapshot: truncated/,
    );
  });

  it('refuses a file whose hash matches but whose version is unknown', () => {
    const file = sampleFile();
    const content = file.slice(0, file.length - 32);
    content[4] = 9;
    const resealed = new Uint8Array(file.length);
    resealed.set(content);
    resealed.set(sha256(content), content.length);
    expect(refusal(resealed)).toBe(
      'snapshot file format version 9 is unknown (this build reads version 1)',
    );
  });
});
