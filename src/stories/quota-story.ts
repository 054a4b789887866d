// The space quota (issue 10, etcd's maintenance guide): a cluster with a 1 MiB quota is filled
// past it; a member raises NOSPACE through Raft and every member refuses puts with "etcdserver:
// mvcc: database space exceeded" while reads and deletes go on; compaction frees pages but not
// the file, so only defragmenting each member and disarming the alarm bring writes back. Every
// step is an etcdctl line in the console, as an operator would type it.
import { parseScenario, type Scenario } from '../scenario/schema';
import type { Story } from './types';

const S = 1_000_000;
const MS = 1000;

/** 1 MiB, the quota of the run against a real etcd 3.4.23 this story follows. */
export const QUOTA_STORY_BYTES = 1024 * 1024;
export const QUOTA_FILL_STOP_MS = 2500;
/** What the operator types, and when (node 1 unless said). */
export const QUOTA_STEPS: [atMs: number, command: string, node?: number][] = [
  [3000, 'alarm list'],
  [3200, 'put foo bar'],
  [3400, 'get key0 --keys-only'],
  [3600, 'endpoint status -w table'],
  [4000, 'compaction 55'],
  [4300, 'alarm disarm'],
  [4500, 'put foo bar'],
  [5000, 'defrag', 1],
  [5100, 'defrag', 2],
  [5200, 'defrag', 3],
  [5400, 'endpoint status -w table'],
  [5600, 'alarm disarm'],
  [6000, 'put foo bar'],
  [6200, 'alarm list'],
];

export function quotaScenario(): Scenario {
  return parseScenario({
    version: 1,
    seed: 101,
    title: 'The space quota: NOSPACE, and compaction, defrag and disarm',
    settings: { quotaBackendBytes: QUOTA_STORY_BYTES },
    workloads: [
      // 16 KiB values over 10 keys at 100 puts a second: past 1 MiB in well under a second.
      {
        mode: 'open',
        rate: 100,
        mix: { put: 1 },
        keySpace: 10,
        valueBytes: 16_384,
        linearizable: true,
        startMs: 1000,
        stopMs: QUOTA_FILL_STOP_MS,
      },
    ],
    actions: QUOTA_STEPS.map(([atMs, command, node = 1]) => ({
      atUs: atMs * MS,
      kind: 'etcdctl',
      node,
      command,
    })),
    cursorUs: 7 * S,
  });
}

export const quotaStory: Story = {
  id: 'space-quota',
  number: 14,
  title: 'The space quota: NOSPACE, compaction, defrag and alarm disarm',
  summary:
    'etcd caps its backend at --quota-backend-bytes (2 GiB by default; 1 MiB here). A put that would take the file past it is refused with "etcdserver: mvcc: database space exceeded", and the member raises a NOSPACE alarm through Raft, so every member caps its applier at the same entry: puts, txns with puts and lease grants fail; reads, deletes and compaction go on. The file\'s size is its high-water mark: compaction frees pages inside it but does not shrink it, so after compaction alone a disarmed alarm comes back with the next put. Defragmenting each member rewrites its file compactly; then alarm disarm brings writes back, as etcd\'s maintenance guide says.',
  articles: [
    {
      seed: 2,
      title: 'Fast, Stable, and Efficient: etcd Performance After 2019 Double 11',
      where: 'storage: the 2 GB recommended quota, pages and the freelist',
    },
  ],
  scenario: quotaScenario,
  variants: [],
  checkpoints: [
    {
      title: 'out of space',
      narration:
        'A put would take this member\'s backend past its 1 MiB quota: the member refuses it with "database space exceeded" and proposes a NOSPACE alarm through Raft.',
      on: { kind: 'alarm-raise' },
    },
    {
      title: 'NOSPACE applied',
      narration:
        'Every member applies the alarm entry at the same index and caps its applier: from here puts, txns with puts and lease grants fail everywhere, whatever member is asked.',
      on: { kind: 'alarm', where: { action: 'ACTIVATE' } },
    },
    {
      title: 'writes refused',
      narration:
        'The operator tries a put: "Error: etcdserver: mvcc: database space exceeded". A get still answers, and endpoint status shows the alarm in its ERRORS column.',
      on: { kind: 'etcdctl', where: { command: 'put foo bar' } },
    },
    {
      title: 'compaction is not enough',
      narration:
        'Compaction drops old revisions and their pages go to the freelist, but the file keeps its size (etcd counts the file, not what is in use). The alarm is disarmed, and the next put raises it again.',
      atUs: 4500 * MS,
    },
    {
      title: 'defragment',
      narration:
        "etcdctl defrag on each member: it holds the backend's locks while it copies every key into a new, compact file. DB SIZE falls to what is in use.",
      on: { kind: 'defrag' },
    },
    {
      title: 'writes are back',
      narration: 'With the file under the quota and the alarm disarmed, the put succeeds.',
      atUs: 6000 * MS,
    },
  ],
  results: {
    measures: ['DB SIZE before and after compaction and defrag; which writes are refused'],
    expect:
      'refused puts past the quota; the same size after compaction; a small file after defrag, and writes back after disarm.',
  },
};
