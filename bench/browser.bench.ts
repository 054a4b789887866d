// Committed puts per second in real Chromium with the worker host (issue 5).
// `npm run bench -- browser`.
//
// Builds the app, serves it with `vite preview` on a free port of 127.0.0.1, and opens bench.html
// in headless Chromium with a disk-backed profile (launchPersistentContext on a temporary
// directory, so IndexedDB really writes to disk). The page (src/ui/bench/) runs a 3-node cluster
// with one Web Worker and one IndexedDB database per node under a closed-loop put workload at
// concurrency 1, 16 and 64 (128-byte values), with the conductor running as fast as it can, and
// reports committed puts per wall second (wall time from the first workload request to the end).
// The conductor hands a worker every event of its node that leads the queue in one round trip
// (src/sim/batch.ts); each run's trace hash is checked against the same scenario run in process
// here in Node, so the figures are of the very run the in-process host makes.
// Options: --sim=<simulated seconds of load per run> (default 10), --only=<concurrency> (or the
// value as the next argument when this file is run directly).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { chromiumLaunchOptions, findChromium } from '../scripts/browser.mjs';
import { runScenario } from '../src/sim/run-scenario';
import { report, type Figure } from './lib/harness';
import { freePort, waitFor } from './lib/serve';
import { benchScenario, type BrowserBenchResult } from '../src/ui/bench/run';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const args = process.argv.slice(2);
const arg = (name: string) => {
  const eq = args.find((a) => a.startsWith(`${name}=`));
  if (eq) return eq.slice(name.length + 1);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const simulatedS = Number(arg('--sim') ?? 10);
const concurrencies = arg('--only') ? [Number(arg('--only'))] : [1, 16, 64];
/**
 * The targets: etcd 3.4.23, 3 members on loopback, through its JSON gateway, as
 * `node bench/etcd-baseline.mjs` last measured them on this machine (bench/results/), or the
 * issue's figures when it has not been run here.
 */
function etcdBaseline(): Record<number, number> {
  try {
    const r = JSON.parse(
      readFileSync(join(root, 'bench', 'results', 'etcd-baseline.json'), 'utf8'),
    ) as { figures: { name: string; value: number }[] };
    const out: Record<number, number> = {};
    for (const f of r.figures) {
      const m = /closed loop x(\d+)$/.exec(f.name);
      if (m) out[Number(m[1])] = Math.round(f.value);
    }
    return out;
  } catch {
    return { 1: 360, 16: 940, 64: 2160 };
  }
}
const ETCD = etcdBaseline();

async function main(): Promise<void> {
  if (!findChromium()) {
    throw new Error('no Chromium found: run `node scripts/ensure-browser.mjs` first');
  }
  const build = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('vite build failed');

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let preview: ChildProcess | undefined;
  const profile = mkdtempSync(join(tmpdir(), 'raftlab-bench-'));
  try {
    preview = spawn(
      process.execPath,
      [vite, 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
      { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    await waitFor(`${base}/bench.html`, 30_000);
    const context = await chromium.launchPersistentContext(profile, {
      ...chromiumLaunchOptions(),
      headless: true,
    });
    const results: BrowserBenchResult[] = [];
    try {
      for (const concurrency of concurrencies) {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${base}/bench.html?concurrency=${concurrency}&sim=${simulatedS}`);
        await page.waitForFunction(() => window.raftlabBench?.status !== 'running', undefined, {
          timeout: 600_000,
          polling: 250,
        });
        const state = await page.evaluate(() => window.raftlabBench);
        if (state?.status !== 'done' || !state.result) {
          throw new Error(
            `bench page failed at concurrency ${concurrency}: ${state?.error ?? errors.join('; ')}`,
          );
        }
        const r = state.result;
        const { scenario, untilUs } = benchScenario(r);
        const inproc = await runScenario(scenario, { untilUs });
        if (inproc.traceHash !== r.traceHash) {
          throw new Error(
            `concurrency ${concurrency}: the worker host's trace ${r.traceHash} differs from the in-process host's ${inproc.traceHash}`,
          );
        }
        console.log(
          `concurrency ${concurrency}: ${r.committedPuts} puts in ${(r.wallMs / 1000).toFixed(1)} s wall ` +
            `-> ${r.putsPerWallS.toFixed(0)} puts/s (${r.failedPuts} failed, ${r.databases} databases, ` +
            `${r.roundTripsPerPut.toFixed(2)} worker round trips per put)`,
        );
        results.push(r);
        await page.close();
      }
    } finally {
      await context.close();
    }
    const figures: Figure[] = results.map((r) => ({
      name: `Chromium, worker host, 3 nodes, closed loop x${r.concurrency}: committed puts per wall s`,
      value: r.putsPerWallS,
      unit: 'puts/s',
      target: ETCD[r.concurrency] ? `≥ ${ETCD[r.concurrency]} (etcd 3.4.23 here)` : '',
      notes:
        `${r.committedPuts} puts in ${(r.wallMs / 1000).toFixed(1)} s wall (${r.simulatedS} s ` +
        `simulated, ${r.putsPerSimulatedS.toFixed(0)} puts per simulated s, p99 ` +
        `${r.p99SimulatedMs.toFixed(1)} simulated ms), ${r.roundTripsPerPut.toFixed(2)} worker ` +
        `round trips per put, trace ${r.traceHash} (= in process)`,
    }));
    report('browser', figures);
  } finally {
    preview?.kill();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
