// An in-memory B+tree keyed by binary strings (see bytes.ts), the ordered index under the key
// index (etcd uses google/btree of degree 32). Lookups, inserts and deletes are O(log n); an
// ordered range scan walks the linked leaves. Nodes are rebalanced on delete (borrow from a
// sibling, else merge), so the height stays logarithmic in the current size.

const MAX = 64; // entries per leaf, children per internal node
const MIN = MAX >> 1;

interface Leaf<V> {
  readonly leaf: true;
  keys: string[];
  vals: V[];
  next: Leaf<V> | null;
}

interface Internal<V> {
  readonly leaf: false;
  /** keys[i] separates children[i] (keys < keys[i]) from children[i + 1] (keys >= keys[i]). */
  keys: string[];
  children: Node<V>[];
}

type Node<V> = Leaf<V> | Internal<V>;

/** First index i with keys[i] >= key. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The child of an internal node that holds `key`: the number of separators <= key. */
function childIndex(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function size<V>(n: Node<V>): number {
  return n.leaf ? n.keys.length : n.children.length;
}

export class BTree<V> {
  private root: Node<V> = { leaf: true, keys: [], vals: [], next: null };
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    let n = this.root;
    while (!n.leaf) n = n.children[childIndex(n.keys, key)] as Node<V>;
    const i = lowerBound(n.keys, key);
    return n.keys[i] === key ? n.vals[i] : undefined;
  }

  /** Inserts or replaces. */
  set(key: string, val: V): void {
    const split = this.insert(this.root, key, val);
    if (split) {
      this.root = { leaf: false, keys: [split.sep], children: [this.root, split.right] };
    }
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: string): boolean {
    const removed = this.remove(this.root, key);
    if (removed) {
      this.count--;
      const r = this.root;
      if (!r.leaf && r.children.length === 1) this.root = r.children[0] as Node<V>;
    }
    return removed;
  }

  /**
   * Calls `fn` for every entry with from <= key < to in key order (to === undefined: no upper
   * bound). Stops early when `fn` returns false.
   */
  ascend(from: string, to: string | undefined, fn: (key: string, val: V) => boolean | void): void {
    let n = this.root;
    while (!n.leaf) n = n.children[childIndex(n.keys, from)] as Node<V>;
    let leaf: Leaf<V> | null = n;
    let i = lowerBound(leaf.keys, from);
    while (leaf) {
      const { keys, vals } = leaf;
      for (; i < keys.length; i++) {
        const k = keys[i] as string;
        if (to !== undefined && k >= to) return;
        if (fn(k, vals[i] as V) === false) return;
      }
      leaf = leaf.next;
      i = 0;
    }
  }

  /** Every entry in key order. */
  forEach(fn: (key: string, val: V) => void): void {
    this.ascend('', undefined, fn);
  }

  /** Structural check for tests: ordering, separators, fill and leaf links. Throws on damage. */
  checkInvariants(): void {
    const leaves: Leaf<V>[] = [];
    let seen = 0;
    const walk = (
      n: Node<V>,
      lo: string | undefined,
      hi: string | undefined,
      depth: number,
    ): number => {
      if (n !== this.root && size(n) < MIN) throw new Error('underfull node');
      if (size(n) > MAX) throw new Error('overfull node');
      for (let i = 0; i < n.keys.length; i++) {
        const k = n.keys[i] as string;
        if (i > 0 && (n.keys[i - 1] as string) >= k) throw new Error('keys out of order');
        if (lo !== undefined && k < lo) throw new Error('key below bound');
        if (hi !== undefined && k >= hi) throw new Error('key above bound');
      }
      if (n.leaf) {
        if (n.vals.length !== n.keys.length) throw new Error('keys/vals mismatch');
        leaves.push(n);
        seen += n.keys.length;
        return depth;
      }
      if (n.children.length !== n.keys.length + 1) throw new Error('children/keys mismatch');
      let d = -1;
      n.children.forEach((c, i) => {
        const cd = walk(
          c,
          i === 0 ? lo : n.keys[i - 1],
          i < n.keys.length ? n.keys[i] : hi,
          depth + 1,
        );
        if (d !== -1 && cd !== d) throw new Error('unbalanced');
        d = cd;
      });
      return d;
    };
    walk(this.root, undefined, undefined, 0);
    if (seen !== this.count) throw new Error('count mismatch');
    for (let i = 0; i < leaves.length; i++) {
      if ((leaves[i] as Leaf<V>).next !== (leaves[i + 1] ?? null))
        throw new Error('broken leaf link');
    }
  }

  private insert(n: Node<V>, key: string, val: V): { sep: string; right: Node<V> } | undefined {
    if (n.leaf) {
      const i = lowerBound(n.keys, key);
      if (n.keys[i] === key) {
        n.vals[i] = val;
        return undefined;
      }
      n.keys.splice(i, 0, key);
      n.vals.splice(i, 0, val);
      this.count++;
      if (n.keys.length <= MAX) return undefined;
      const half = n.keys.length >> 1;
      const right: Leaf<V> = {
        leaf: true,
        keys: n.keys.splice(half),
        vals: n.vals.splice(half),
        next: n.next,
      };
      n.next = right;
      return { sep: right.keys[0] as string, right };
    }
    const ci = childIndex(n.keys, key);
    const split = this.insert(n.children[ci] as Node<V>, key, val);
    if (!split) return undefined;
    n.keys.splice(ci, 0, split.sep);
    n.children.splice(ci + 1, 0, split.right);
    if (n.children.length <= MAX) return undefined;
    const half = n.children.length >> 1;
    const rightChildren = n.children.splice(half);
    const rightKeys = n.keys.splice(half - 1);
    const sep = rightKeys.shift() as string;
    return { sep, right: { leaf: false, keys: rightKeys, children: rightChildren } };
  }

  private remove(n: Node<V>, key: string): boolean {
    if (n.leaf) {
      const i = lowerBound(n.keys, key);
      if (n.keys[i] !== key) return false;
      n.keys.splice(i, 1);
      n.vals.splice(i, 1);
      return true;
    }
    const ci = childIndex(n.keys, key);
    const child = n.children[ci] as Node<V>;
    if (!this.remove(child, key)) return false;
    if (size(child) < MIN) this.rebalance(n, ci);
    return true;
  }

  /** Restores the fill of parent.children[ci] by borrowing from a sibling or merging. */
  private rebalance(parent: Internal<V>, ci: number): void {
    const child = parent.children[ci] as Node<V>;
    const left = ci > 0 ? (parent.children[ci - 1] as Node<V>) : undefined;
    const right =
      ci + 1 < parent.children.length ? (parent.children[ci + 1] as Node<V>) : undefined;
    if (left && size(left) > MIN) {
      if (child.leaf && left.leaf) {
        child.keys.unshift(left.keys.pop() as string);
        child.vals.unshift(left.vals.pop() as V);
        parent.keys[ci - 1] = child.keys[0] as string;
      } else if (!child.leaf && !left.leaf) {
        child.keys.unshift(parent.keys[ci - 1] as string);
        child.children.unshift(left.children.pop() as Node<V>);
        parent.keys[ci - 1] = left.keys.pop() as string;
      }
      return;
    }
    if (right && size(right) > MIN) {
      if (child.leaf && right.leaf) {
        child.keys.push(right.keys.shift() as string);
        child.vals.push(right.vals.shift() as V);
        parent.keys[ci] = right.keys[0] as string;
      } else if (!child.leaf && !right.leaf) {
        child.keys.push(parent.keys[ci] as string);
        child.children.push(right.children.shift() as Node<V>);
        parent.keys[ci] = right.keys.shift() as string;
      }
      return;
    }
    if (left) this.merge(parent, ci - 1);
    else if (right) this.merge(parent, ci);
  }

  /** Merges parent.children[i + 1] into parent.children[i]. */
  private merge(parent: Internal<V>, i: number): void {
    const a = parent.children[i] as Node<V>;
    const b = parent.children[i + 1] as Node<V>;
    const sep = parent.keys[i] as string;
    if (a.leaf && b.leaf) {
      for (const k of b.keys) a.keys.push(k);
      for (const v of b.vals) a.vals.push(v);
      a.next = b.next;
    } else if (!a.leaf && !b.leaf) {
      a.keys.push(sep);
      for (const k of b.keys) a.keys.push(k);
      for (const c of b.children) a.children.push(c);
    }
    parent.keys.splice(i, 1);
    parent.children.splice(i + 1, 1);
  }
}
