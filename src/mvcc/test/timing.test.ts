// The store on etcd's backend model: each operation learns when it completes. Source article
// 004's story told through the store's own API — one long range read in flight, a batch commit
// due, a cheap read after it — under each lock mode.
import { describe, expect, it } from 'vitest';
import { Backend, MvccStore, type LockMode } from '../index';

const key = (i: number) => new TextEncoder().encode(`k${String(i).padStart(6, '0')}`);

function loadedStore(lockMode: LockMode) {
  let nowMs = 0;
  // 20 µs per key scanned: a range over 20,000 keys takes about 400 ms, four batch intervals.
  const backend = new Backend({ lockMode, cost: { perKeyScannedNs: 20_000 } });
  const store = new MvccStore({ clock: () => nowMs, backend });
  for (let i = 0; i < 20_000; i++) {
    nowMs = i * 0.02;
    store.put({ key: key(i), value: new Uint8Array(16) });
  }
  return { store, at: (ms: number) => (nowMs = ms) };
}

function story(lockMode: LockMode) {
  const { store, at } = loadedStore(lockMode);
  at(1000);
  store.range({ key: key(0), range_end: key(20_000) });
  const long = store.takeTiming()!;
  at(1010);
  store.put({ key: key(1), value: new Uint8Array(16) }); // pending: a commit is due next tick
  store.takeTiming();
  at(1150);
  store.range({ key: key(100), range_end: key(110) });
  const cheap = store.takeTiming()!;
  return { long, cheap };
}

describe('MvccStore on the backend model', () => {
  it('times every successful operation, and nothing for a failed one', () => {
    const { store, at } = loadedStore('concurrent');
    at(500);
    store.put({ key: key(5), value: new Uint8Array(1) });
    const t = store.takeTiming()!;
    expect(t.kind).toBe('write');
    expect(t.requestedUs).toBe(500_000);
    expect(t.completedUs).toBeGreaterThan(t.grantedUs);
    expect(store.takeTiming()).toBeUndefined();
    expect(() => store.put({ key: new Uint8Array(0), value: new Uint8Array(1) })).toThrow();
    expect(store.takeTiming()).toBeUndefined();
  });

  it('rwlock: a cheap read queues behind the commit that waits for the long read (3.2/3.3)', () => {
    const { long, cheap } = story('rwlock');
    expect(long.completedUs).toBeGreaterThan(1_350_000);
    expect(cheap.grantedUs).toBeGreaterThanOrEqual(long.completedUs);
  });

  it('concurrent: the cheap read does not wait for the long read (3.4)', () => {
    const { long, cheap } = story('concurrent');
    expect(long.completedUs).toBeGreaterThan(1_350_000);
    expect(cheap.completedUs - cheap.requestedUs).toBeLessThan(1_000);
  });
});

describe('MvccStore.peek', () => {
  it('reads without placing anything on the backend', () => {
    const events: string[] = [];
    const backend = new Backend({ lockMode: 'rwlock', onEvent: (e) => events.push(e.phase) });
    const store = new MvccStore({ clock: () => 1, backend });
    store.put({ key: key(1), value: new Uint8Array([1]) });
    store.takeTiming();
    backend.advanceTo(500_000);
    const before = events.length;
    const r = store.peek((s) => s.range({ key: key(1) }));
    expect(r.kvs).toHaveLength(1);
    expect(store.takeTiming()).toBeUndefined();
    backend.advanceTo(500_000);
    expect(events.length).toBe(before);
  });
});
