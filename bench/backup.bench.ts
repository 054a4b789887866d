// Backup figures (issue 10): the pure sha256's throughput beside node:crypto's, the time to save
// and to check a snapshot file of 10,000 keys, and how large a store a restored run's share link
// can carry before Copy link refuses it. `npm run bench -- backup`.
import { createHash } from 'node:crypto';
import { report, timeOnceMs } from './lib/harness';
import type { Figure } from './lib/harness';
import { decodeBackup, encodeBackup, MvccStore, sha256 } from '../src/mvcc/index';
import { toBase64Url } from '../src/scenario/link-codec';
import { parseScenario } from '../src/scenario/schema';
import { scenarioFragment } from '../src/scenario/share-link';

const enc = new TextEncoder();
const MiB = 1024 * 1024;
const figures: Figure[] = [];
const best = (fn: () => void) => Math.min(...[0, 1, 2].map(() => timeOnceMs(fn)));

const data = new Uint8Array(16 * MiB).map((_, i) => (i * 2654435761) >>> 24);
figures.push({
  name: 'sha256 (src/mvcc/sha256.ts), 16 MiB',
  value: Math.round(16 / (best(() => sha256(data)) / 1000)),
  unit: 'MiB/s',
  notes: 'best of 3',
});
figures.push({
  name: 'sha256 (node:crypto, native), 16 MiB',
  value: Math.round(16 / (best(() => createHash('sha256').update(data).digest()) / 1000)),
  unit: 'MiB/s',
  notes: 'best of 3, for comparison',
});

/** A snapshot file of `keys` keys, 40-byte keys and 100-byte JSON-ish values. */
function file(keys: number): Uint8Array {
  const store = new MvccStore();
  for (let k = 0; k < keys; k++) {
    const value = `{"kind":"Pod","name":"pod-${k}","phase":"Running","node":"worker-${k % 7}"}`;
    store.put({
      key: enc.encode(`/registry/pods/default/pod-${String(k).padStart(6, '0')}`),
      value: enc.encode(value.padEnd(100, ' ')),
    });
  }
  return encodeBackup({ memberId: 1, consistentIndex: keys + 3, term: 2 }, store.snapshot());
}

const tenK = file(10_000);
figures.push({ name: 'snapshot file, 10,000 keys', value: tenK.length, unit: 'bytes' });
figures.push({
  name: 'check a snapshot file of 10,000 keys (sha256 + full decode)',
  value: Number(best(() => decodeBackup(tenK)).toFixed(1)),
  unit: 'ms',
  notes: 'best of 3',
});

// The largest of these stores a restored run takes, and whether the link or the 2 MiB restore
// limit stops the next one.
let fits = 0;
let linkChars = 0;
let stop = 'none';
for (const keys of [1_000, 2_000, 5_000, 10_000, 12_000, 14_000, 16_000, 20_000, 30_000]) {
  const f = file(keys);
  try {
    const s = parseScenario({ version: 1, restore: { file: 'b.db', snapshot: toBase64Url(f) } });
    linkChars = (await scenarioFragment(s)).length;
    fits = keys;
  } catch (e) {
    stop = `${keys} keys (${f.length} bytes): ${(e as Error).message.slice(0, 70)}`;
    break;
  }
}
figures.push({
  name: 'largest store (1k to 30k keys) a restored run and its link carry',
  value: fits,
  unit: 'keys',
  notes: `link ${linkChars} characters (limit 1,500,000); next refused at ${stop}`,
});

report('backup', figures);
