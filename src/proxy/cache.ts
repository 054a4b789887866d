// The proxy's range cache, in the shape of etcd's grpcproxy/cache (store.go): range responses
// keyed by their request, least recently used out first, with a reverse index from key ranges to
// entries so a write invalidates every cached range it overlaps. Entries for a request at a fixed
// revision are immutable history: they are never invalidated by writes, only refused once that
// revision is compacted (lazily, when asked for, as etcd does).
import { bytesToBinary, toKeyRange, type KeyRange } from '../mvcc/bytes';
import { etcdError } from '../mvcc/errors';
import type { RangeRequest, RangeResponse } from '../mvcc/types';

/** etcd's cache.DefaultMaxEntries. */
export const DEFAULT_MAX_ENTRIES = 2048;

/** The cache key of a request: every field that shapes the answer, serializable aside. */
export function cacheKey(r: RangeRequest): string {
  return JSON.stringify([
    bytesToBinary(r.key),
    r.range_end ? bytesToBinary(r.range_end) : '',
    r.limit ?? 0,
    r.revision ?? 0,
    r.sort_order ?? 'NONE',
    r.sort_target ?? 'KEY',
    r.keys_only === true,
    r.count_only === true,
    r.min_mod_revision ?? 0,
    r.max_mod_revision ?? 0,
    r.min_create_revision ?? 0,
    r.max_create_revision ?? 0,
  ]);
}

/** Whether two key ranges share a key (etcd's interval tree Stab). */
export function overlaps(a: KeyRange, b: KeyRange): boolean {
  // a point is the range [key, key + "\0")
  const aEnd = a.end ?? a.key + '\0';
  const bEnd = b.end ?? b.key + '\0';
  const aBeforeB = aEnd !== '' && aEnd <= b.key;
  const bBeforeA = bEnd !== '' && bEnd <= a.key;
  return !aBeforeB && !bBeforeA;
}

interface Entry {
  response: RangeResponse;
  /** Undefined for a request at a fixed revision: not invalidated by writes. */
  range: KeyRange | undefined;
}

export class RangeCache {
  /** In least-recently-used order: a Map iterates in insertion order, and a hit re-inserts. */
  private readonly lru = new Map<string, Entry>();
  private compactedRev = -1;

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  get size(): number {
    return this.lru.size;
  }

  /**
   * Remembers `response` for `request`, unless the request's revision is compacted already
   * (etcd: only if req.Revision > compactedRev; a request at the current revision, 0, always is).
   */
  add(request: RangeRequest, response: RangeResponse): void {
    const rev = request.revision ?? 0;
    if (rev !== 0 && rev <= this.compactedRev) return;
    const key = cacheKey(request);
    this.lru.delete(key);
    this.lru.set(key, {
      response,
      range: rev === 0 ? toKeyRange(request.key, request.range_end) : undefined,
    });
    if (this.lru.size > this.maxEntries) this.lru.delete(this.lru.keys().next().value!);
  }

  /**
   * The cached response to `request`, if any. A request for a revision older than the compacted
   * one is refused with etcd's ErrCompacted (and its entry dropped), as etcd's cache.Get does.
   */
  get(request: RangeRequest): RangeResponse | undefined {
    const key = cacheKey(request);
    const rev = request.revision ?? 0;
    if (rev > 0 && rev < this.compactedRev) {
      this.lru.delete(key);
      throw etcdError('Compacted');
    }
    const e = this.lru.get(key);
    if (!e) return undefined;
    this.lru.delete(key);
    this.lru.set(key, e);
    return e.response;
  }

  /** Drops every entry at the current revision whose range overlaps [key, rangeEnd). */
  invalidate(key: Uint8Array, rangeEnd?: Uint8Array): number {
    const written = toKeyRange(key, rangeEnd);
    let n = 0;
    for (const [k, e] of this.lru) {
      if (e.range && overlaps(e.range, written)) {
        this.lru.delete(k);
        n++;
      }
    }
    return n;
  }

  /** Entries for revisions before `revision` are refused from now on (lazily). */
  compact(revision: number): void {
    if (revision > this.compactedRev) this.compactedRev = revision;
  }
}
