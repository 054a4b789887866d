import { describe, expect, it } from 'vitest';
import { MvccStore } from '../store';
import { Backend } from './backend';
import { PAGE_SIZE, PageFile, recordBytes } from './pages';
import type { FreelistType } from './freelist';

const utf8 = new TextEncoder();

/** A store on a backend; `commit()` forces bbolt's commit at the next simulated ms. */
function setup(freelistType: FreelistType = 'array') {
  let nowMs = 0;
  const backend = new Backend({ freelistType });
  const store = new MvccStore({ clock: () => nowMs, backend });
  const commit = () => {
    nowMs += 1;
    backend.forceCommit(nowMs * 1000);
  };
  const put = (key: string, bytes: number) =>
    store.put({ key: utf8.encode(key), value: new Uint8Array(bytes).fill(97) });
  return { backend, store, commit, put };
}

describe('the backend in pages', () => {
  it('starts as bbolt does: two meta pages, the root leaf and the freelist', () => {
    const f = new PageFile();
    expect(f.dbSize).toBe(4 * PAGE_SIZE);
    expect(f.dbSizeInUse).toBe(f.dbSize);
    expect(f.pageMap()).toEqual(['meta', 'meta', 'root', 'freelist']);
  });

  it('sizes an element as bbolt stores it: header, revision key, marshalled KeyValue', () => {
    const r = {
      main: 2,
      sub: 0,
      key: utf8.encode('foo'),
      value: utf8.encode('bar'),
      create: 2,
      version: 1,
      lease: 0,
      tombstone: false,
    };
    // 16 + 17 + (2+3) + 2 + 2 + 2 + (2+3)
    expect(recordBytes(r)).toBe(49);
  });

  it('grows with writes, and only at commit (etcd updates Size when it commits)', () => {
    const { backend, commit, put } = setup();
    const before = backend.dbSize;
    for (let i = 0; i < 50; i++) put(`k${i}`, 1000);
    expect(backend.dbSize).toBe(before);
    commit();
    // 50 elements of ~1 KB at 90% fill: 3 per leaf, 17 leaves, a branch, the root, the freelist.
    expect(backend.dbSize).toBeGreaterThan(before + 17 * PAGE_SIZE);
    expect(backend.pages.stats.leaves).toBe(17);
  });

  it('compaction frees pages without shrinking the file; defrag shrinks it to what is in use', () => {
    const { backend, store, commit, put } = setup();
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 10; i++) put(`k${i}`, 3000);
      commit();
    }
    const full = backend.dbSize;
    store.compact({ revision: store.revision });
    commit();
    // The pages compaction freed are pending; the next commit (of any write) releases them.
    put('tick', 1);
    commit();
    expect(backend.dbSize).toBe(full);
    expect(backend.dbSizeInUse).toBeLessThan(full / 5);
    backend.defrag(100_000);
    expect(backend.dbSize).toBe(backend.dbSizeInUse);
    expect(backend.dbSize).toBeLessThan(full / 5);
    expect(backend.pages.stats.freePages).toBe(0);
  });

  it('reuses freed pages before growing the file', () => {
    const { backend, store, commit, put } = setup();
    for (let i = 0; i < 40; i++) put(`k${i % 4}`, 3000);
    commit();
    store.compact({ revision: store.revision });
    commit();
    put('tick', 1);
    commit();
    const size = backend.dbSize;
    const free = backend.pages.stats.freePages;
    expect(free).toBeGreaterThan(20);
    for (let i = 0; i < 10; i++) put(`k${i % 4}`, 3000);
    commit();
    expect(backend.dbSize).toBe(size);
    expect(backend.pages.stats.freePages).toBeLessThan(free);
  });

  it('draws a page map that accounts for every page', () => {
    const { backend, store, commit, put } = setup('map');
    for (let i = 0; i < 30; i++) put(`k${i % 3}`, 2000);
    commit();
    store.compact({ revision: store.revision - 2 });
    commit();
    const map = backend.pages.pageMap();
    const s = backend.pages.stats;
    expect(map.length).toBe(s.pages);
    expect(map.filter((u) => u === 'free').length).toBe(s.freePages);
    expect(map.filter((u) => u === 'pending').length).toBe(s.pendingPages);
    expect(map.filter((u) => u === 'leaf').length).toBeGreaterThanOrEqual(s.leaves);
  });

  it('both freelist designs lay out the same file when nothing is fragmented', () => {
    const sizes = (['array', 'map'] as const).map((t) => {
      const { backend, commit, put } = setup(t);
      for (let i = 0; i < 200; i++) {
        put(`k${i}`, 500);
        if (i % 10 === 9) commit();
      }
      return [backend.dbSize, backend.dbSizeInUse];
    });
    expect(sizes[1]).toEqual(sizes[0]);
  });

  it('a restored store lays its revisions out compactly', () => {
    const { store, commit, put } = setup();
    for (let i = 0; i < 100; i++) put(`k${i % 5}`, 1500);
    commit();
    const backend = new Backend();
    MvccStore.restore(store.snapshot(), { backend });
    expect(backend.dbSize).toBe(backend.dbSizeInUse);
    expect(backend.pages.stats.leaves).toBe(50);
  });

  it('defrag holds both locks: a read arriving meanwhile waits for it', () => {
    const { backend, commit, put } = setup();
    for (let i = 0; i < 10; i++) put(`k${i}`, 1000);
    commit();
    const d = backend.defrag(10_000);
    expect(d.kind).toBe('defrag');
    expect(d.completedUs - d.grantedUs).toBeGreaterThanOrEqual(5000);
    const r = backend.read(10_001, { keysScanned: 1, bytesRead: 10 });
    expect(r.grantedUs).toBe(d.completedUs);
  });
});

describe('a rolled-back write', () => {
  it('takes back exactly what it added, across a leaf it opened', () => {
    const f = new PageFile();
    const rec = (main: number, bytes: number) => ({
      main,
      sub: 0,
      key: utf8.encode('k'),
      value: new Uint8Array(bytes),
      create: main,
      version: 1,
      lease: 0,
      tombstone: false,
    });
    f.put(rec(2, 1000));
    f.commit();
    // One txn: a revision into the first leaf, then one that opens a second leaf; rolled back.
    f.put(rec(3, 1000));
    f.put(rec(4, 3000));
    f.pop();
    f.pop();
    f.commit();
    expect(f.stats.leaves).toBe(1);
    // What is left to copy is the first revision alone.
    expect(f.defrag()).toBe(recordBytes(rec(2, 1000)));
  });
});
