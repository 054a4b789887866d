// What the cluster view shows of client load, from the trace alone (so scrubbing back is exact):
// each member's client-facing CPU ('client-load' records, src/server/load.ts) over the last
// simulated second, and the proxy's hit rate and watchers ('proxy-cache', 'proxy-watchers').
// The index reads the timeline's new records on each query and answers by binary search, so a
// frame costs a few lookups however long the run.
import type { Timeline } from '../../sim/timeline';

/** The window a member's CPU load is averaged over. */
export const LOAD_WINDOW_US = 1_000_000;

interface Series {
  atUs: number[];
  /** Running totals up to and including each record. */
  total: number[];
}

export interface ProxyView {
  hits: number;
  misses: number;
  watchers: number;
  /** The distinct key ranges the watchers watch (the fewest streams that could serve them). */
  ranges: number;
  upstream: number;
}

class LoadIndex {
  private read = 0;
  private readonly cpu = new Map<number, Series>();
  /** The proxy's records, with their times apart for the binary search. */
  private readonly cacheUs: number[] = [];
  private readonly cache: { hits: number; misses: number }[] = [];
  private readonly watchUs: number[] = [];
  private readonly watch: { watchers: number; ranges: number; upstream: number }[] = [];

  constructor(private readonly timeline: Timeline) {}

  private catchUp(): void {
    for (; this.read < this.timeline.length; this.read++) {
      const r = this.timeline.record(this.read)!;
      if (r.kind === 'client-load' && typeof r.node === 'number') {
        const s = this.cpu.get(r.node) ?? { atUs: [], total: [] };
        this.cpu.set(r.node, s);
        s.atUs.push(r.atUs);
        s.total.push((s.total.at(-1) ?? 0) + (r.cpuUs as number));
      } else if (r.kind === 'proxy-cache' && typeof r.hits === 'number') {
        this.cacheUs.push(r.atUs);
        this.cache.push({ hits: r.hits, misses: r.misses as number });
      } else if (r.kind === 'proxy-watchers') {
        this.watchUs.push(r.atUs);
        this.watch.push({
          watchers: r.watchers as number,
          ranges: r.ranges as number,
          upstream: r.upstream as number,
        });
      }
    }
  }

  /** Member `node`'s client CPU in (tUs - LOAD_WINDOW_US, tUs], as a share of its cores. */
  cpuShare(node: number, tUs: number, cores: number): number {
    this.catchUp();
    const s = this.cpu.get(node);
    if (!s) return 0;
    const upTo = (t: number) => {
      const i = lastAtOrBefore(s.atUs, t);
      return i < 0 ? 0 : s.total[i]!;
    };
    return (upTo(tUs) - upTo(tUs - LOAD_WINDOW_US)) / (LOAD_WINDOW_US * cores);
  }

  proxyAt(tUs: number): ProxyView {
    this.catchUp();
    const c = this.cache[lastAtOrBefore(this.cacheUs, tUs)];
    const w = this.watch[lastAtOrBefore(this.watchUs, tUs)];
    return {
      hits: c?.hits ?? 0,
      misses: c?.misses ?? 0,
      watchers: w?.watchers ?? 0,
      ranges: w?.ranges ?? 0,
      upstream: w?.upstream ?? 0,
    };
  }
}

/** The index of the last element <= t in ascending `xs`; -1 if none. */
function lastAtOrBefore(xs: readonly number[], t: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

const indexes = new WeakMap<Timeline, LoadIndex>();

/** The load index of `timeline` (one per run, kept as long as the run is). */
export function loadIndex(timeline: Timeline): LoadIndex {
  let ix = indexes.get(timeline);
  if (!ix) indexes.set(timeline, (ix = new LoadIndex(timeline)));
  return ix;
}
