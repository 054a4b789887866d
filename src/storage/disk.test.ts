// One conformance suite for both disks: the memory disk and the IndexedDB disk (fake-indexeddb
// in Node; the real one is exercised in the browser tests) must keep exactly the same records.
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import type { Entry, Snapshot } from '../raft/types';
import type { NodeDisk } from './disk';
import { IdbDisk, nodeDatabaseName } from './idb-disk';
import { MemoryDisk } from './memory-disk';

const bytes = (s: string) => new TextEncoder().encode(s);
const entry = (index: number, term: number, data = `e${index}`): Entry => ({
  index,
  term,
  type: 'EntryNormal',
  data: bytes(data),
});
const entries = (from: number, to: number, term: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));

/** An append's arbitrary fields: `count` entries of `term` from index `from`. */
const appendOf = (maxFrom: number, maxCount: number) => ({
  from: fc.integer({ min: 1, max: maxFrom }),
  count: fc.integer({ min: 0, max: maxCount }),
  term: fc.integer({ min: 1, max: 5 }),
});

let dbCounter = 0;
const disks: [string, () => Promise<NodeDisk>][] = [
  ['MemoryDisk', async () => new MemoryDisk(`mem-${++dbCounter}`)],
  ['IdbDisk', async () => IdbDisk.open(nodeDatabaseName(`test${++dbCounter}`, 1))],
];

/** The sequence numbers of the WAL records a disk holds. */
async function rawWalKeys(d: NodeDisk): Promise<number[]> {
  if (d instanceof MemoryDisk) return d.walKeys();
  const raw = await openDB(d.name);
  const keys = (await raw.getAllKeys('wal')) as number[];
  raw.close();
  return keys;
}

describe.each(disks)('%s', (_name, make) => {
  it('starts empty', async () => {
    const d = await make();
    expect(await d.load()).toEqual({
      hardState: { term: 0, vote: 0, commit: 0 },
      entries: [],
      backend: new Map(),
    });
  });

  it('keeps hard state, entries and backend keys', async () => {
    const d = await make();
    await d.write({
      hardState: { term: 2, vote: 1, commit: 2 },
      entries: entries(1, 3, 2),
      backend: { put: [['key/a', bytes('1')]] },
    });
    const s = await d.load();
    expect(s.hardState).toEqual({ term: 2, vote: 1, commit: 2 });
    expect(s.entries).toEqual(entries(1, 3, 2));
    expect(s.backend).toEqual(new Map([['key/a', bytes('1')]]));
  });

  it('truncates the WAL at a conflicting append', async () => {
    const d = await make();
    await d.write({ entries: entries(1, 5, 1) });
    await d.write({ entries: [entry(3, 2, 'new3'), entry(4, 2, 'new4')] });
    const s = await d.load();
    expect(s.entries.map((e) => [e.index, e.term])).toEqual([
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 2],
    ]);
  });

  it('drops entries covered by a snapshot, and compacts on request', async () => {
    const d = await make();
    await d.write({ entries: entries(1, 10, 1) });
    const snap: Snapshot = {
      data: bytes('state@6'),
      metadata: {
        index: 6,
        term: 1,
        confState: {
          voters: [1, 2, 3],
          learners: [4],
          votersOutgoing: [],
          learnersNext: [],
          autoLeave: false,
        },
      },
    };
    await d.write({ snapshot: snap });
    let s = await d.load();
    expect(s.snapshot).toEqual(snap);
    expect(s.entries[0]?.index).toBe(7);
    await d.write({ compactTo: 8 });
    s = await d.load();
    expect(s.entries.map((e) => e.index)).toEqual([9, 10]);
  });

  it('deletes backend keys', async () => {
    const d = await make();
    await d.write({
      backend: {
        put: [
          ['a', bytes('1')],
          ['b', bytes('2')],
        ],
      },
    });
    await d.write({ backend: { del: ['a'] } });
    expect((await d.load()).backend).toEqual(new Map([['b', bytes('2')]]));
  });

  it('refuses a non-contiguous write and leaves the disk unchanged', async () => {
    const d = await make();
    await d.write({ entries: entries(1, 2, 1) });
    await expect(d.write({ entries: [entry(3, 1), entry(5, 1)] })).rejects.toThrow(
      /not contiguous/,
    );
    expect((await d.load()).entries).toHaveLength(2);
  });

  it('leaves nothing behind when a write fails half-way', async () => {
    const d = await make();
    await d.write({ entries: entries(1, 2, 1), hardState: { term: 1, vote: 0, commit: 0 } });
    const bad = { ...entry(4, 1), type: 'Bogus' } as unknown as Entry;
    await expect(
      d.write({ hardState: { term: 9, vote: 9, commit: 0 }, entries: [entry(3, 1), bad] }),
    ).rejects.toThrow(/unknown entry type/);
    const s = await d.load();
    expect(s.hardState.term).toBe(1);
    expect(s.entries).toHaveLength(2);
  });

  it('agrees with a model over random write sequences, reloaded at any point', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            ...appendOf(12, 4),
            compactTo: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
            hardState: fc.boolean(),
            // A restart: the disk's WAL bookkeeping is rebuilt from the records alone.
            reload: fc.boolean(),
          }),
          { maxLength: 12 },
        ),
        async (writes) => {
          const d = await make();
          await d.load(); // as a node starts: the disk then knows where its log ends
          let model: Entry[] = [];
          let hardState = { term: 0, vote: 0, commit: 0 };
          for (const [i, w] of writes.entries()) {
            const es = entries(w.from, w.from + w.count - 1, w.term);
            const hs = { term: w.term, vote: i, commit: w.from };
            await d.write({
              entries: es,
              ...(w.compactTo === undefined ? {} : { compactTo: w.compactTo }),
              ...(w.hardState ? { hardState: hs } : {}),
            });
            if (es.length > 0) model = model.filter((e) => e.index < w.from).concat(es);
            if (w.compactTo !== undefined) model = model.filter((e) => e.index > w.compactTo!);
            if (w.hardState) hardState = hs;
            if (w.reload) await d.load().catch(() => undefined); // a gap fails it; writes go on
          }
          const loaded = await d.load().catch((e: Error) => e);
          const contiguous = model.every((e, i) => i === 0 || e.index === model[i - 1]!.index + 1);
          if (contiguous) expect(loaded).toMatchObject({ entries: model, hardState });
          else expect(loaded).toBeInstanceOf(Error); // a gap is reported, never hidden
        },
      ),
      { numRuns: 300 },
    );
  });

  it('deletes WAL records nothing can replay any more', async () => {
    const d = await make();
    for (let i = 1; i <= 50; i++) await d.write({ entries: [entry(i, 1)] });
    // A conflict: entries 41-50 replaced by one write, their ten records dead.
    await d.write({ entries: entries(41, 42, 2) });
    await d.write({ compactTo: 30 });
    const raw = await rawWalKeys(d);
    // Left: the records of entries 31-40, the one holding 41-42, and the compaction's own record.
    expect(raw).toEqual([...Array.from({ length: 10 }, (_, i) => 31 + i), 51, 52]);
    const s = await d.load();
    expect(s.entries.map((e) => [e.index, e.term])).toEqual([
      ...Array.from({ length: 10 }, (_, i) => [31 + i, 1]),
      [41, 2],
      [42, 2],
    ]);
  });

  it('writes a group (writeAll) as it writes the same writes one by one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            ...appendOf(10, 3),
            key: fc.constantFrom('a', 'b', 'c'),
            del: fc.boolean(),
          }),
          { maxLength: 10 },
        ),
        fc.array(fc.boolean(), { maxLength: 10 }),
        async (ws, groupEnds) => {
          // Contiguous writes only (from the end of the log or over it): a gap fails either way.
          let last = 0;
          const writes = ws.map((w) => {
            const from = Math.min(w.from, last + 1);
            const es = entries(from, from + w.count - 1, w.term);
            if (es.length > 0) last = from + w.count - 1;
            return {
              entries: es,
              hardState: { term: w.term, vote: 0, commit: 0 },
              backend: w.del ? { del: [w.key] } : { put: [[w.key, bytes(w.key)] as const] },
            };
          });
          const one = await make();
          for (const w of writes) await one.write(w);
          const grouped = await make();
          await grouped.load();
          let from = 0;
          for (let i = 0; i < writes.length; i++) {
            if (!groupEnds[i]) continue;
            await grouped.writeAll(writes.slice(from, i + 1));
            from = i + 1;
          }
          await grouped.writeAll(writes.slice(from));
          expect(await grouped.load()).toEqual(await one.load());
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('corruption', () => {
  it('memory disk: a flipped bit in a WAL record names the database and record', async () => {
    const d = new MemoryDisk('raftlab/ns/n2');
    await d.write({ entries: entries(1, 3, 1), hardState: { term: 1, vote: 2, commit: 1 } });
    await d.write({ entries: entries(4, 4, 1) });
    d.corrupt('wal', 2);
    await expect(d.load()).rejects.toThrow(
      /corrupt record wal\/2 in database raftlab\/ns\/n2: CRC mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)/,
    );
  });

  it('IndexedDB disk: a tampered hard state names the database and record', async () => {
    const name = nodeDatabaseName('corrupt', 3);
    const d = await IdbDisk.open(name);
    await d.write({ hardState: { term: 4, vote: 3, commit: 0 } });
    d.close();
    const raw = await openDB(name);
    const rec = await raw.get('wal', 1);
    rec.body[3] ^= 0xff; // inside the hard state's term
    await raw.put('wal', rec, 1);
    raw.close();
    const again = await IdbDisk.open(name);
    await expect(again.load()).rejects.toThrow(
      /corrupt record wal\/1 in database raftlab\/corrupt\/n3: CRC mismatch/,
    );
  });

  it('IndexedDB disk: a database in an older format is refused with a clear message', async () => {
    const name = nodeDatabaseName('old', 1);
    (await openDB(name, 1, { upgrade: (db) => void db.createObjectStore('wal') })).close();
    await expect(IdbDisk.open(name)).rejects.toThrow(
      /database raftlab\/old\/n1 holds format 1, not 2: delete it/,
    );
  });

  it('IndexedDB disk: a record that is not sealed is reported, not trusted', async () => {
    const name = nodeDatabaseName('junk', 1);
    (await IdbDisk.open(name)).close();
    const raw = await openDB(name);
    await raw.put('wal', { hello: 'world' }, 1);
    raw.close();
    await expect((await IdbDisk.open(name)).load()).rejects.toThrow(/wal\/1 .*not a sealed record/);
  });

  it('rejects a bad cluster namespace', () => {
    expect(() => nodeDatabaseName('a/b', 1)).toThrow(/cluster namespace must be/);
  });
});
