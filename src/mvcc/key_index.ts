// The key index, after etcd's server/mvcc/key_index.go. A keyIndex holds every revision of one
// key still in the store, grouped in generations: a generation runs from the put that creates
// the key to the delete (tombstone) that ends it, after which an empty generation starts.
//
//   put(1.0); put(2.0); tombstone(3.0); put(4.0); tombstone(5.0) on "foo" gives
//   generations: {1.0, 2.0, 3.0(t)}, {4.0, 5.0(t)}, {empty}
//
// Compaction at rev keeps, per key, the latest revision <= rev (unless it is a tombstone, which
// goes with its whole generation) and drops everything older.
//
// The index is generic over the revision objects it holds: the store keeps its stored
// revision records (which carry main/sub) in it directly, so a lookup needs no second search.
import type { Revision } from './revision';
import { revGreater, ZERO_REV } from './revision';

export interface Generation<R extends Revision> {
  /** Versions this generation has seen (puts, plus its tombstone); survives compaction. */
  ver: number;
  /** The revision that created the key in this generation. */
  created: R | undefined;
  revs: R[];
}

/** What keyIndex.get answers: the revision alive at atRev, its generation's creation, its version. */
export interface KeyRevision<R extends Revision> {
  readonly modified: R;
  readonly created: R;
  readonly ver: number;
}

function emptyGeneration<R extends Revision>(): Generation<R> {
  return { ver: 0, created: undefined, revs: [] };
}

export class KeyIndex<R extends Revision> {
  /** The key's bytes (shared by every response that carries this key). */
  readonly key: Uint8Array;
  /** The key as a binary string (see bytes.ts). */
  readonly skey: string;
  modified: Revision = ZERO_REV;
  generations: Generation<R>[] = [emptyGeneration()];

  constructor(key: Uint8Array, skey: string) {
    this.key = key;
    this.skey = skey;
  }

  /** Records a put at `rev` (starting a generation if the current one is empty). */
  put(rev: R): void {
    if (!revGreater(rev, this.modified)) {
      throw new Error(
        `keyIndex.put: revision ${rev.main}.${rev.sub} not after ${this.modified.main}`,
      );
    }
    const g = this.generations[this.generations.length - 1] as Generation<R>;
    if (g.revs.length === 0) {
      g.created = rev;
      g.revs = [rev]; // a literal, not push(): V8 would reserve 17 slots for one revision
    } else {
      g.revs.push(rev);
    }
    g.ver++;
    this.modified = rev;
  }

  /** Ends the current generation with a tombstone at `rev`. False if the key is not alive. */
  tombstone(rev: R): boolean {
    const g = this.generations[this.generations.length - 1] as Generation<R>;
    if (g.revs.length === 0) return false;
    this.put(rev);
    this.generations.push(emptyGeneration());
    return true;
  }

  /** Undoes the latest put (a rolled-back write transaction); `prev` is the old `modified`. */
  unput(prev: Revision): void {
    const g = this.generations[this.generations.length - 1] as Generation<R>;
    g.revs.pop();
    g.ver--;
    if (g.revs.length === 0) g.created = undefined;
    this.modified = prev;
  }

  /** Undoes the latest tombstone. */
  untombstone(prev: Revision): void {
    this.generations.pop();
    this.unput(prev);
  }

  /** The revision of the key alive at atRev, or undefined if the key did not exist then. */
  get(atRev: number): KeyRevision<R> | undefined {
    const g = this.findGeneration(atRev);
    if (!g) return undefined;
    const revs = g.revs;
    for (let n = revs.length - 1; n >= 0; n--) {
      const r = revs[n] as R;
      if (r.main <= atRev) {
        return { modified: r, created: g.created as R, ver: g.ver - (revs.length - n - 1) };
      }
    }
    return undefined;
  }

  /** The revision alive at atRev (get() without the allocation), or undefined. */
  getRev(atRev: number): R | undefined {
    const g = this.findGeneration(atRev);
    if (!g) return undefined;
    const revs = g.revs;
    for (let n = revs.length - 1; n >= 0; n--) {
      const r = revs[n] as R;
      if (r.main <= atRev) return r;
    }
    return undefined;
  }

  /**
   * The generation the key is alive in at rev; undefined when rev falls in the gap after a
   * tombstone or before the first generation (findGeneration).
   */
  private findGeneration(rev: number): Generation<R> | undefined {
    const gens = this.generations;
    const lastg = gens.length - 1;
    for (let cg = lastg; cg >= 0; cg--) {
      const g = gens[cg] as Generation<R>;
      if (g.revs.length === 0) continue;
      if (cg !== lastg) {
        const tomb = (g.revs[g.revs.length - 1] as R).main;
        if (tomb <= rev) return undefined;
      }
      if ((g.revs[0] as R).main <= rev) return g;
    }
    return undefined;
  }

  /** Whether the key index holds nothing (one empty generation): the tree drops it. */
  isEmpty(): boolean {
    return (
      this.generations.length === 1 && (this.generations[0] as Generation<R>).revs.length === 0
    );
  }

  /** Whether the key is alive now (its last generation is not empty). */
  isAlive(): boolean {
    return (this.generations[this.generations.length - 1] as Generation<R>).revs.length > 0;
  }

  /**
   * Compacts at atRev: adds the revision it keeps to `available` and removes what it drops
   * (keyIndex.compact). The caller removes the key from the tree when it becomes empty.
   */
  compact(atRev: number, available: Set<R>): void {
    const [genIdx, revIndex] = this.doCompact(atRev, available);
    let gi = genIdx;
    const g = this.generations[gi] as Generation<R>;
    if (g.revs.length > 0) {
      if (revIndex !== -1) g.revs = g.revs.slice(revIndex);
      // A generation left holding only its tombstone goes too (etcd keeps this check although
      // doCompact already skips every generation whose tombstone is <= atRev).
      if (g.revs.length === 1 && gi !== this.generations.length - 1) {
        available.delete(g.revs[0] as R);
        gi++;
      }
    }
    if (gi > 0) this.generations = this.generations.slice(gi);
  }

  /** The revision compact(atRev) would keep, without compacting (keyIndex.keep). */
  keep(atRev: number, available: Set<R>): void {
    if (this.isEmpty()) return;
    const [genIdx, revIndex] = this.doCompact(atRev, available);
    const g = this.generations[genIdx] as Generation<R>;
    if (
      g.revs.length > 0 &&
      revIndex === g.revs.length - 1 &&
      genIdx !== this.generations.length - 1
    ) {
      available.delete(g.revs[revIndex] as R);
    }
  }

  private doCompact(atRev: number, available: Set<R>): [number, number] {
    let genIdx = 0;
    let g = this.generations[0] as Generation<R>;
    // find the first generation that includes atRev or was created after it
    while (genIdx < this.generations.length - 1) {
      const tomb = (g.revs[g.revs.length - 1] as R).main;
      if (tomb > atRev) break;
      genIdx++;
      g = this.generations[genIdx] as Generation<R>;
    }
    let revIndex = -1;
    for (let i = g.revs.length - 1; i >= 0; i--) {
      const r = g.revs[i] as R;
      if (r.main <= atRev) {
        available.add(r);
        revIndex = i;
        break;
      }
    }
    return [genIdx, revIndex];
  }
}
