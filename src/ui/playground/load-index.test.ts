// The cluster view's load figures come from the trace alone, at any time looked at.
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../sim/conductor';
import { Timeline } from '../../sim/timeline';
import { LOAD_WINDOW_US, loadIndex } from './load-index';

const rec = (atUs: number, kind: string, fields: Record<string, unknown> = {}): TraceRecord => ({
  atUs,
  kind,
  ...fields,
});

describe('loadIndex', () => {
  it("averages a member's client CPU over the last second, from the records up to then", () => {
    const t = new Timeline([1, 2]);
    for (let i = 1; i <= 30; i++)
      t.push(rec(i * 100_000, 'client-load', { node: 1, cpuUs: 20_000 }));
    const ix = loadIndex(t);
    // ten ticks of 20 ms in the window, on 2 cores: 200 ms / 2 s
    expect(ix.cpuShare(1, 3_000_000, 2)).toBeCloseTo(0.1);
    expect(ix.cpuShare(1, 500_000, 1)).toBeCloseTo(0.1); // five ticks so far, on 1 core
    expect(ix.cpuShare(2, 3_000_000, 2)).toBe(0);
    expect(ix.cpuShare(1, 3_000_000 + LOAD_WINDOW_US, 2)).toBe(0);
    // records that come later are read on the next question
    t.push(rec(3_100_000, 'client-load', { node: 2, cpuUs: 50_000 }));
    expect(ix.cpuShare(2, 3_100_000, 1)).toBeCloseTo(0.05);
  });

  it("tells the proxy's hit counts and watchers as they were at the time looked at", () => {
    const t = new Timeline([1]);
    t.push(rec(10, 'proxy-watchers', { watchers: 3, ranges: 1, upstream: 3 }));
    t.push(rec(20, 'proxy-cache', { hit: false, hits: 0, misses: 1 }));
    t.push(rec(30, 'proxy-watchers', { watchers: 3, ranges: 1, upstream: 1 }));
    t.push(rec(40, 'proxy-cache', { hit: true, hits: 1, misses: 1 }));
    const ix = loadIndex(t);
    expect(ix.proxyAt(5)).toEqual({ hits: 0, misses: 0, watchers: 0, ranges: 0, upstream: 0 });
    expect(ix.proxyAt(25)).toEqual({ hits: 0, misses: 1, watchers: 3, ranges: 1, upstream: 3 });
    expect(ix.proxyAt(40)).toEqual({ hits: 1, misses: 1, watchers: 3, ranges: 1, upstream: 1 });
  });
});
