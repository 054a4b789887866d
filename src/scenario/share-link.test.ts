// A restored run's link carries its snapshot file: a small one round-trips through the link to
// the same restore; one whose link would pass MAX_FRAGMENT_CHARS is refused with a message that
// says why and what to do instead.
import { describe, expect, it } from 'vitest';
import { encodeBackup } from '../mvcc/backup';
import { MvccStore } from '../mvcc/store';
import { decodeFragment, LinkError, MAX_FRAGMENT_CHARS, toBase64Url } from './link-codec';
import { parseScenario, restoredSnapshot, type Scenario } from './schema';
import { scenarioFragment } from './share-link';

/** A snapshot file of `keys` keys with `valueBytes` bytes of noise each (noise deflates badly). */
function file(keys: number, valueBytes: number): Uint8Array {
  const store = new MvccStore();
  let x = 12345;
  for (let k = 0; k < keys; k++) {
    const value = new Uint8Array(valueBytes);
    for (let i = 0; i < valueBytes; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      value[i] = x >>> 24;
    }
    store.put({ key: new TextEncoder().encode(`k${k}`), value });
  }
  return encodeBackup({ memberId: 1, consistentIndex: keys + 3, term: 2 }, store.snapshot());
}

const restored = (f: Uint8Array): Scenario =>
  parseScenario({ version: 1, restore: { file: 'backup.db', snapshot: toBase64Url(f) } });

describe('a restored run’s link', () => {
  it('carries the file: opening it restores the same keyspace', async () => {
    const s = restored(file(20, 50));
    const again = parseScenario(await decodeFragment(await scenarioFragment(s)));
    expect(again.restore).toEqual(s.restore);
    expect(restoredSnapshot(again.restore!)).toEqual(restoredSnapshot(s.restore!));
  });

  it('is refused, saying why, when the file makes it too long to open', async () => {
    const big = file(300, 5000); // 1.5 MB of noise
    const err = await scenarioFragment(restored(big)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LinkError);
    expect((err as LinkError).kind).toBe('too-long');
    expect((err as Error).message).toMatch(
      new RegExp(
        `^A link to this run would be [\\d,]+ characters long, and raftlab opens links of up to ${MAX_FRAGMENT_CHARS.toLocaleString('en-US')}: it carries the snapshot file backup.db this run was restored from \\([\\d,]+ bytes\\)\\. Export JSON saves the run, file included\\.$`,
      ),
    );
  });
});
