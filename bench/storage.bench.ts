// The Storage panel's own cost per frame (src/ui/playground/storage-*.ts), outside the browser:
// what it derives from a run with source article 004's three loads going. `npm run bench --
// storage`. A 3-node cluster runs 4 simulated seconds of 200 cheap reads, 50 expensive reads
// and 500 writes a second, all to n1, under rwlock; then the bench times, in CPU time,
// - scanning the whole trace once (what opening the panel on a long run costs), per record;
// - one frame's derivation at the head of the run: the blocked time and p50/p99 over the last
//   2 s (the calls' index kept across frames, as the panel keeps it), and the view's
//   transactions clipped and merged into lane runs, for the first zoom (200 ms) and for the
//   whole run in view.
import { parseScenario } from '../src/scenario/schema';
import { Session } from '../src/sim/session';
import {
  asOf,
  blockedSummary,
  mergeRuns,
  StorageScan,
  type NodeStorage,
} from '../src/ui/playground/storage-layout';
import { LatencyIndex } from '../src/ui/playground/storage-latency';
import {
  startLoadAction,
  STORAGE_LOADS,
  type StorageLoad,
} from '../src/ui/playground/storage-workloads';
import { report, type Figure } from './lib/harness';

const RATES: Record<StorageLoad, number> = {
  'cheap-reads': 200,
  'expensive-reads': 50,
  writes: 500,
};
const RUN_US = 4_000_000;

const session = await Session.start(
  parseScenario({ version: 1, seed: 3, settings: { lockMode: 'rwlock' } }),
);
await session.runTo(1_500_000);
for (const load of STORAGE_LOADS)
  await session.act(
    startLoadAction(load, RATES[load.name], 1, { keySpace: 1000, valueBytes: 1024 }),
  );
await session.runTo(session.nowUs + RUN_US);
const viewUs = session.nowUs;
const records = session.timeline.length;

/** One frame of the panel: the figures over 2 s and the view's lane runs. */
function frame(node: NodeStorage, spanUs: number): number {
  const blocked = blockedSummary(node, viewUs - 2_000_000, viewUs);
  const latency = calls.update().recent(1, viewUs, 2_000_000);
  const fromUs = viewUs - spanUs;
  const x = (us: number) => ((us - fromUs) / spanUs) * 660;
  const intervals: [number, number][] = [];
  for (const t of node.within(fromUs, viewUs)) {
    const v = asOf(t, viewUs);
    if (v) intervals.push([Math.max(v.requestedUs, fromUs), v.endUs]);
  }
  return blocked.totalUs + latency.cheap.count + mergeRuns(intervals, x).length;
}

/**
 * CPU time per call of `op` (this process's user + system time, which a machine shared with other
 * work inflates far less than wall time), after a warm-up, in microseconds.
 */
function cpuUsPerOp(op: () => void, calls: number): number {
  for (let i = 0; i < Math.ceil(calls / 4); i++) op();
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) op();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

const figures: Figure[] = [];
const scanUs = cpuUsPerOp(() => new StorageScan(session.timeline, 'rwlock').update(), 40);
figures.push({
  name: 'Storage panel, scan of a whole trace (CPU time)',
  value: (scanUs * 1000) / records,
  unit: 'ns/record',
  notes: `${records.toLocaleString('en-US')} records in ${(scanUs / 1000).toFixed(1)} ms (${(viewUs / 1e6).toFixed(1)} simulated s, 3 nodes)`,
});
const scan = new StorageScan(session.timeline, 'rwlock').update();
const calls = new LatencyIndex(session.history);
const n1 = scan.node(1);
const perSimSecond = Math.round(n1.txns.length / (RUN_US / 1e6));
for (const [label, spanUs] of [
  ['200 ms view (the first zoom)', 200_000],
  ['whole run in view', viewUs],
] as const) {
  const us = cpuUsPerOp(() => frame(n1, spanUs), 400);
  figures.push({
    name: `Storage panel, one frame's derivation (CPU time), ${label}`,
    value: us / 1000,
    unit: 'ms',
    target: '≪ 16.7 ms',
    notes: `n1: ${n1.txns.length.toLocaleString('en-US')} transactions (${perSimSecond.toLocaleString('en-US')} per simulated s); ${session.history.length.toLocaleString('en-US')} calls in the history`,
  });
}
report('storage', figures);
