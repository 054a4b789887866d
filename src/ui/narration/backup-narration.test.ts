// The feed tells a backup and a restore in words, under storage.
import { describe, expect, it } from 'vitest';
import { categorize } from './categorize';
import { narrate } from './narrate';
import { createNarrationContext } from './context';

describe('backup records', () => {
  it('are narrated and filed under storage', () => {
    const saved = {
      atUs: 2_000_000,
      kind: 'snapshot-saved',
      node: 2,
      file: 'backup.db',
      revision: 3,
      index: 7,
      bytes: 90,
      sha256: 'ab',
    };
    const restored = {
      atUs: 4_000_000,
      kind: 'cluster-restored',
      file: 'backup.db',
      revision: 3,
      members: [1, 2, 3],
    };
    const ctx = createNarrationContext([1, 2, 3]);
    expect(narrate(saved, ctx)).toBe(
      "etcdctl snapshot save: n2's backend at revision 3 is saved to backup.db (90 bytes, its sha256 at the end)",
    );
    expect(narrate(restored, ctx)).toBe(
      'etcdctl snapshot restore: n1, n2, n3 start again from backup.db as a new cluster, at revision 3, with a fresh Raft log',
    );
    expect(categorize(saved)).toBe('storage');
    expect(categorize(restored)).toBe('storage');
    expect(categorize({ atUs: 0, kind: 'action', label: 'snapshot-restore' })).toBe('storage');
  });
});
