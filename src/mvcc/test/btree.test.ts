// The B+tree under the key index, against a sorted array, with structural checks after every
// operation batch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BTree } from '../btree';

type Op =
  | { kind: 'set'; key: string }
  | { kind: 'del'; key: string }
  | { kind: 'scan'; from: string; to: string | undefined };

const keyArb = fc.string({
  unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
  maxLength: 3,
});

function model(ops: readonly Op[]): void {
  const tree = new BTree<string>();
  const ref = new Map<string, string>();
  let n = 0;
  for (const op of ops) {
    if (op.kind === 'set') {
      const v = `v${n++}`;
      tree.set(op.key, v);
      ref.set(op.key, v);
    } else if (op.kind === 'del') {
      expect(tree.delete(op.key)).toBe(ref.delete(op.key));
    } else {
      const got: string[] = [];
      tree.ascend(op.from, op.to, (k) => {
        got.push(k);
      });
      const want = [...ref.keys()]
        .filter((k) => k >= op.from && (op.to === undefined || k < op.to))
        .sort();
      expect(got).toEqual(want);
    }
  }
  tree.checkInvariants();
  expect(tree.size).toBe(ref.size);
  for (const [k, v] of ref) expect(tree.get(k)).toBe(v);
  const all: string[] = [];
  tree.forEach((k) => all.push(k));
  expect(all).toEqual([...ref.keys()].sort());
}

describe('BTree', () => {
  it('matches a sorted map under random inserts, deletes and scans', () => {
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: keyArb.map((key) => ({ kind: 'set' as const, key })) },
      { weight: 3, arbitrary: keyArb.map((key) => ({ kind: 'del' as const, key })) },
      {
        weight: 1,
        arbitrary: fc.tuple(keyArb, fc.option(keyArb, { nil: undefined })).map(([from, to]) => ({
          kind: 'scan' as const,
          from,
          to,
        })),
      },
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 600 }), (ops) => model(ops)),
      { numRuns: 150 },
    );
  });

  it('stays balanced through many inserts and deletes', () => {
    const tree = new BTree<number>();
    const keys = Array.from(
      { length: 20_000 },
      (_, i) => `k${String((i * 7919) % 20_000).padStart(6, '0')}`,
    );
    keys.forEach((k, i) => tree.set(k, i));
    tree.checkInvariants();
    expect(tree.size).toBe(20_000);
    for (let i = 0; i < keys.length; i += 2) tree.delete(keys[i] as string);
    tree.checkInvariants();
    for (let i = 1; i < keys.length; i += 2) tree.delete(keys[i] as string);
    tree.checkInvariants();
    expect(tree.size).toBe(0);
    let seen = 0;
    tree.forEach(() => seen++);
    expect(seen).toBe(0);
  });
});
