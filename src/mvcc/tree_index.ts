// The ordered key index (etcd's treeIndex): a B+tree from key to its keyIndex. Lookups are
// O(log n) and a range walks only the keys inside it.
import { BTree } from './btree';
import type { KeyRange } from './bytes';
import { KeyIndex } from './key_index';
import type { Revision } from './revision';

export class TreeIndex<R extends Revision> {
  private readonly tree = new BTree<KeyIndex<R>>();

  /** Keys with a keyIndex (alive, or with history not yet compacted away). */
  get size(): number {
    return this.tree.size;
  }

  keyIndex(skey: string): KeyIndex<R> | undefined {
    return this.tree.get(skey);
  }

  /** The keyIndex of a key, created (empty) when missing; `fresh` tells which. */
  ensure(key: () => Uint8Array, skey: string): { ki: KeyIndex<R>; fresh: boolean } {
    const ki = this.tree.get(skey);
    if (ki) return { ki, fresh: false };
    const created = new KeyIndex<R>(key(), skey);
    this.tree.set(skey, created);
    return { ki: created, fresh: true };
  }

  /** Adds built keyIndexes (restore from a snapshot), each for a key not yet in the tree. */
  load(kis: readonly KeyIndex<R>[]): void {
    for (const ki of kis) this.tree.set(ki.skey, ki);
  }

  /** Every keyIndex, in key order. */
  all(): KeyIndex<R>[] {
    const out: KeyIndex<R>[] = [];
    this.tree.forEach((_skey, ki) => out.push(ki));
    return out;
  }

  remove(skey: string): void {
    this.tree.delete(skey);
  }

  /**
   * Visits, in key order, every keyIndex in range `r` (alive at some revision or not). Returns the
   * number visited. fn returning false stops.
   */
  visit(r: KeyRange, fn: (ki: KeyIndex<R>) => boolean | void): number {
    let n = 0;
    if (r.end === undefined) {
      const ki = this.tree.get(r.key);
      if (ki) {
        n++;
        fn(ki);
      }
      return n;
    }
    if (r.end !== '' && r.end <= r.key) return 0;
    this.tree.ascend(r.key, r.end === '' ? undefined : r.end, (_k, ki) => {
      n++;
      return fn(ki);
    });
    return n;
  }

  /** Compacts every key at rev; returns the revisions kept (treeIndex.Compact). */
  compact(rev: number): Set<R> {
    const available = new Set<R>();
    const empty: string[] = [];
    this.tree.forEach((skey, ki) => {
      ki.compact(rev, available);
      if (ki.isEmpty()) empty.push(skey);
    });
    for (const skey of empty) this.tree.delete(skey);
    return available;
  }

  /** The revisions compact(rev) would keep (treeIndex.Keep). */
  keep(rev: number): Set<R> {
    const available = new Set<R>();
    this.tree.forEach((_skey, ki) => ki.keep(rev, available));
    return available;
  }

  /** For tests: the B+tree's structural invariants. */
  checkInvariants(): void {
    this.tree.checkInvariants();
  }
}
