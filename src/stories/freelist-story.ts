// The freelist (source article 002): a store whose values come in three sizes, overwritten and
// compacted every two seconds, so its file fills with free runs of many lengths. bbolt's array
// freelist scans its sorted free pages for a contiguous run at every allocation; Alibaba's
// segregated hashmap looks the run length up. The page map in the node's details shows the
// fragmentation; the freelist line under it, what allocations cost in simulated time.
//
// Measured (freelist-story.test.ts): in this store of some 2,000 pages, ~850 of them free in ~100
// runs, the array's scans are short (~90 ns an allocation) and cheaper than the hashmap's map
// operations (~280 ns). The article's gain needs its scale: with 100,000 free pages the array
// scans 100 µs for a run it does not find, the hashmap 80 ns (freelist.test.ts).
import { parseScenario, type FreelistType, type Scenario } from '../scenario/schema';
import type { Story } from './types';

const S = 1_000_000;
export const FREELIST_END_US = 12 * S;
/** Compactions: every two seconds, at a revision the puts have safely passed by then. */
export const FREELIST_COMPACTIONS: [atMs: number, revision: number][] = [
  [3000, 300],
  [5000, 850],
  [7000, 1400],
  [9000, 2000],
  [11000, 2600],
];

export function freelistScenario(freelistType: FreelistType): Scenario {
  const put = (valueBytes: number, keySpace: number) => ({
    mode: 'open' as const,
    rate: 100,
    mix: { put: 1 },
    keySpace,
    valueBytes,
    linearizable: true,
    startMs: 1000,
  });
  return parseScenario({
    version: 1,
    seed: 102,
    title: `The freelist: ${freelistType}`,
    settings: { size: 1, freelistType },
    // Small values share leaves; 6 KiB and 14 KiB values take runs of 2 and 4 pages.
    workloads: [put(300, 400), put(6000, 60), put(14_000, 30)],
    actions: FREELIST_COMPACTIONS.map(([atMs, revision]) => ({
      atUs: atMs * 1000,
      kind: 'etcdctl',
      node: 1,
      command: `compaction ${revision}`,
    })),
    cursorUs: FREELIST_END_US,
  });
}

export const freelistStory: Story = {
  id: 'freelist',
  number: 15,
  title: 'The freelist: linear scan against the segregated hashmap',
  summary:
    "bbolt stores etcd's data in 4 KiB pages. Deleting and compacting does not shrink the file: freed pages go to a freelist and are handed out again. A value larger than a page needs a run of contiguous pages; the original freelist, a sorted array, finds one by scanning from the start, O(free pages), so a large, fragmented file allocates slowly. Alibaba's segregated hashmap (etcd 3.5's default) keeps free runs by length and finds one in O(1), at the price of a few map operations. Open the node's details to see the page map and what allocations cost, then run the hashmap variant: at this tab-sized scale (hundreds of free pages) the array's short scans are still cheaper; with the article's 100,000 free pages the array takes 100 µs an allocation and the hashmap 80 ns.",
  articles: [
    {
      seed: 2,
      title: 'Fast, Stable, and Efficient: etcd Performance After 2019 Double 11',
      where: 'boltdb: the freelist, a segregated hashmap',
    },
  ],
  scenario: () => freelistScenario('array'),
  variants: (['array', 'map'] as const).map((t) => ({
    name: t,
    label: t === 'array' ? 'the array freelist (etcd 3.4)' : 'the segregated hashmap (etcd 3.5)',
    scenario: () => freelistScenario(t),
  })),
  checkpoints: [
    {
      title: 'the first commit',
      narration:
        'The backend commits: bbolt writes every changed leaf to newly allocated pages (copy-on-write) and frees the ones they had; those are pending until the next commit, then free.',
      on: { kind: 'lock', where: { txn: 'commit', phase: 'granted' }, afterUs: S },
    },
    {
      title: 'compaction',
      narration:
        'Compaction removes old revisions: their leaves go, and their pages join the freelist. The file keeps its size; from now on it is full of holes of every length.',
      on: { kind: 'etcdctl', where: { command: 'compaction 300' } },
    },
    {
      title: 'a fragmented file',
      narration:
        "After several compactions the free runs are many and short. Each 4-page value needs a run of 4: the array freelist scans every free page below the one it finds, the hashmap asks its map for runs of 4. Compare the freelist line in the node's details with the hashmap variant.",
      atUs: 10 * S,
    },
  ],
  results: {
    measures: ['simulated time per page allocation, array against hashmap, in the same store'],
    expect:
      'here, hundreds of free pages: the array a few times cheaper; at 100,000 free pages, the hashmap over a thousand times cheaper.',
  },
};
