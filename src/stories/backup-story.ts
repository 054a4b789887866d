// Story: a backup and a disaster recovery (issue 10; source article 002, "More Efficient etcd
// Management": scheduled cold backups, and restoring a cluster from them). Keys are written, a
// member's backend is saved (`etcdctl snapshot save`), one more write comes after the backup, then
// every member is lost. The operator restores each member's data dir from the file
// (`etcdctl snapshot restore`) and starts them as a new cluster: the keys of the backup are back
// at their revision; the write made after it is gone, which is why backups are taken often.
import { parseScenario, type Scenario } from '../scenario/schema';
import type { Story } from './types';

const S = 1_000_000;

export const BACKUP_SAVE_US = 2 * S;
export const BACKUP_LOST_US = 3 * S;
export const BACKUP_RESTORE_US = 4 * S;
export const BACKUP_GET_US = 6.5 * S;
export const BACKUP_END_US = 7.5 * S;
export const BACKUP_FILE = 'backup.db';

export function backupScenario(): Scenario {
  const etcdctl = (atUs: number, command: string, node = 1) => ({
    atUs,
    kind: 'etcdctl',
    node,
    command,
  });
  return parseScenario({
    version: 1,
    seed: 31,
    title: 'A backup, the cluster lost, and a restore from the snapshot file',
    actions: [
      etcdctl(1.5 * S, 'put config/db postgres'),
      etcdctl(1.6 * S, 'put config/cache redis'),
      { atUs: BACKUP_SAVE_US, kind: 'snapshot-save', node: 2, file: BACKUP_FILE },
      etcdctl(2.5 * S, 'put config/db mysql'),
      ...[1, 2, 3].map((node) => ({ atUs: BACKUP_LOST_US, kind: 'crash', node })),
      { atUs: BACKUP_RESTORE_US, kind: 'snapshot-restore', file: BACKUP_FILE },
      etcdctl(BACKUP_GET_US, 'get config --prefix'),
    ],
    cursorUs: BACKUP_END_US,
  });
}

export const backupStory: Story = {
  id: 'backup-restore',
  number: 12,
  title: 'Backups: snapshot save, the cluster lost, snapshot restore',
  summary:
    'etcdctl snapshot save streams one member’s backend to a file and appends its sha256; snapshot restore checks that hash and builds a fresh data dir for each member of a new cluster: the keyspace and leases of the file at their revision, a new Raft log whose only entries are the members’ conf changes, the membership from the restore’s flags. Here every member is lost after a backup and one more write; the restored cluster has the backup’s keys, and the write made after it is gone.',
  articles: [
    {
      seed: 2,
      title: 'Fast, Stable, and Efficient: etcd Performance After 2019 Double 11',
      where: 'More Efficient etcd Management: cold backups and restoring from them',
    },
  ],
  scenario: backupScenario,
  variants: [],
  checkpoints: [
    {
      title: 'keys written',
      narration:
        'Two keys go in through the leader: config/db = postgres and config/cache = redis, at revisions 2 and 3.',
      on: { kind: 'response', where: { ok: true, revision: 3 } },
    },
    {
      title: 'snapshot save',
      narration:
        'etcdctl snapshot save asks member n2 for its backend (etcd’s maintenance Snapshot RPC) and writes it to backup.db with a sha256 of the content at the end. In the console, the browser downloads the file.',
      on: { kind: 'snapshot-saved' },
    },
    {
      title: 'a write after the backup',
      narration:
        'config/db becomes mysql at revision 4. The backup does not have it: whatever is written after a backup is lost if the cluster has to be restored from it.',
      on: { kind: 'response', where: { ok: true, revision: 4 }, afterUs: BACKUP_SAVE_US },
    },
    {
      title: 'the cluster is lost',
      narration:
        'Every member goes down, and their data dirs are treated as gone: no quorum is left to recover from, only the backup.',
      on: { kind: 'crash', nth: 3 },
    },
    {
      title: 'snapshot restore',
      narration:
        'Each member’s data dir is rebuilt from backup.db (the sha256 checked first) and every member starts as a new cluster: term 1, a log holding only the members’ conf changes, the keyspace at the backup’s revision.',
      on: { kind: 'cluster-restored' },
    },
    {
      title: 'a new leader',
      narration:
        'The restored members elect a leader as a brand-new cluster does: one election timeout after they start.',
      on: { kind: 'state', where: { to: 'StateLeader' }, afterUs: BACKUP_RESTORE_US },
    },
    {
      title: 'the keys are back',
      narration:
        'get config --prefix: config/db = postgres and config/cache = redis, as the backup had them, at their revisions; the mysql written after the backup is gone.',
      on: { kind: 'response', where: { ok: true, revision: 3 }, afterUs: BACKUP_GET_US },
    },
  ],
  results: {
    measures: ['keys after the restore', 'the revision they come back at'],
    expect:
      'every key of the backup, at the backup’s revision; writes made after the backup are lost.',
  },
};
