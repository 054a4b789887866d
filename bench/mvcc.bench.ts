// MVCC store figures (issue 4): put and range throughput with 100,000 keys, the latency of one
// range over 20,000 keys, snapshot and restore of 100,000 keys, and memory per key. `npm run bench -- mvcc` (runs with --expose-gc).
import { percentile, report, timeOnceMs, timePerOpUs } from './lib/harness';
import type { Figure } from './lib/harness';
import v8 from 'node:v8';
import vm from 'node:vm';
import { MvccStore } from '../src/mvcc/index';

const N = 100_000;
const RANGE_KEYS = 20_000;
const enc = new TextEncoder();
const keyOf = (i: number) => enc.encode(`/registry/pods/default/pod-${String(i).padStart(6, '0')}`);
const value = new Uint8Array(100).fill(0x61);
const keys = Array.from({ length: N }, (_, i) => keyOf(i));

// tsx runs the bench in a child process without --expose-gc, so fetch gc() through V8's flags
// when the global is missing.
const collect: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  })();

function gc(): void {
  collect();
  collect();
}

function filled(): MvccStore {
  const s = new MvccStore();
  for (const key of keys) s.put({ key, value });
  return s;
}

const figures: Figure[] = [];

// 100,000 puts of new keys into an empty store, wall time (best of 3 fresh stores).
const putRuns = [0, 1, 2].map(() => {
  const s = new MvccStore();
  return timeOnceMs(() => {
    for (const key of keys) s.put({ key, value });
  });
});
const putMs = Math.min(...putRuns);
figures.push({
  name: '100,000 puts of new keys (100 B values), wall',
  value: putMs,
  unit: 'ms',
  target: '< 1000 ms',
  notes: `runs: ${putRuns.map((r) => r.toFixed(0)).join(', ')} ms`,
});
figures.push({ name: 'put throughput, new keys', value: N / (putMs / 1000), unit: 'ops/s' });

const store = filled();
let i = 0;
// One range over 20,000 consecutive keys of the 100,000.
const from = keyOf(40_000);
const to = keyOf(40_000 + RANGE_KEYS);
const samples: number[] = [];
for (let r = 0; r < 30; r++) {
  samples.push(
    timeOnceMs(() => {
      const resp = store.range({ key: from, range_end: to });
      if (resp.kvs.length !== RANGE_KEYS) throw new Error(`range returned ${resp.kvs.length}`);
    }),
  );
}
samples.sort((a, b) => a - b);
figures.push({
  name: 'range over 20,000 of 100,000 keys, median',
  value: percentile(samples, 50),
  unit: 'ms',
  target: '< 20 ms',
});
figures.push({
  name: 'range over 20,000 of 100,000 keys, p99 (30 runs)',
  value: percentile(samples, 99),
  unit: 'ms',
});
figures.push({
  name: 'range over 20,000 keys, count_only',
  value:
    timePerOpUs(() => store.range({ key: from, range_end: to, count_only: true }), { minMs: 500 }) /
    1000,
  unit: 'ms',
});
figures.push({
  name: 'range over 20,000 keys, limit 100',
  value:
    timePerOpUs(() => store.range({ key: from, range_end: to, limit: 100 }), { minMs: 500 }) / 1000,
  unit: 'ms',
  notes: 'etcd 3.4 visits the whole range for count',
});
figures.push({
  name: 'put throughput, overwriting one of 100,000 keys',
  value:
    1e6 / timePerOpUs(() => store.put({ key: keys[(i = (i + 7919) % N)] as Uint8Array, value })),
  unit: 'ops/s',
});

figures.push({
  name: 'range throughput, single key of 100,000',
  value: 1e6 / timePerOpUs(() => store.range({ key: keys[(i = (i + 7919) % N)] as Uint8Array })),
  unit: 'ops/s',
});
const hist = store.revision - N;
figures.push({
  name: 'range throughput, single key at a past revision',
  value:
    1e6 /
    timePerOpUs(() =>
      store.range({ key: keys[(i = (i + 7919) % N)] as Uint8Array, revision: hist }),
    ),
  unit: 'ops/s',
});
figures.push({
  name: 'txn throughput (compare version + put)',
  value:
    1e6 /
    timePerOpUs(() => {
      const key = keys[(i = (i + 7919) % N)] as Uint8Array;
      store.txn({
        compare: [{ key, target: 'VERSION', result: 'GREATER', version: 0 }],
        success: [{ request_put: { key, value } }],
      });
    }),
  unit: 'ops/s',
});
figures.push({
  name: 'compaction at the current revision',
  value: timeOnceMs(() => store.compact({ revision: store.revision })),
  unit: 'ms',
  notes: `${N} keys, ${store.revision - 1} revisions before`,
});

// Snapshot and restore of 100,000 keys, one revision each, 100 B values (best of 3 each).
{
  const source = filled();
  let snap: Uint8Array = new Uint8Array(0);
  const snapRuns = [0, 1, 2].map(() => timeOnceMs(() => (snap = source.snapshot())));
  let restored: MvccStore | undefined;
  const restoreRuns = [0, 1, 2].map(() => timeOnceMs(() => (restored = MvccStore.restore(snap))));
  if (restored?.hashKV().hash !== source.hashKV().hash) throw new Error('restore differs');
  const runs = (r: number[]) => `runs: ${r.map((x) => x.toFixed(0)).join(', ')} ms`;
  figures.push({
    name: 'snapshot() of 100,000 keys (100 B values)',
    value: Math.min(...snapRuns),
    unit: 'ms',
    target: '< 1000 ms',
    notes: runs(snapRuns),
  });
  figures.push({
    name: 'MvccStore.restore() of 100,000 keys (100 B values)',
    value: Math.min(...restoreRuns),
    unit: 'ms',
    target: '< 1000 ms',
    notes: runs(restoreRuns),
  });
  figures.push({
    name: 'snapshot size, 100,000 keys (100 B values)',
    value: snap.length / 1e6,
    unit: 'MB',
    notes: `${(snap.length / N).toFixed(1)} bytes/key; keys ${keys[0]?.length} B`,
  });
}

/** Heap growth per key (heapUsed + arrayBuffers) while what `build` returns is kept. */
function memoryPerKey(build: () => MvccStore): number {
  gc();
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const held = build();
  gc();
  const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  // keep the store alive past the measurement
  if (held.revision !== N + 1) throw new Error('unexpected revision');
  return (after - before) / N;
}

// Memory: heap of a store holding 100,000 keys, one revision each, 100 B values; then the same
// store restored from a snapshot (keys and values are views into one copy of it).
figures.push({
  name: 'memory per key (1 revision, 40 B key, 100 B value)',
  value: memoryPerKey(filled),
  unit: 'bytes/key',
  notes: 'heapUsed + arrayBuffers',
});
const heldSnap = filled().snapshot();
figures.push({
  name: 'memory per key, the same store restored from a snapshot',
  value: memoryPerKey(() => MvccStore.restore(heldSnap)),
  unit: 'bytes/key',
  notes: 'heapUsed + arrayBuffers, the body copy included',
});

report('mvcc', figures);
