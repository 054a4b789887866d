#!/usr/bin/env node
// The comparison baseline for the browser benchmark (issue 5): a real etcd 3-member cluster on
// loopback, measured through its JSON gateway. Run by hand, never by `npm run bench` (CI machines
// may have no etcd):
//
//   node bench/etcd-baseline.mjs [--seconds 10] [--etcd /usr/bin/etcd] [--concurrency 1,16,64]
//
// Needs etcd 3.4 (Debian: `apt-get install -y etcd-server`). Starts three members on 127.0.0.1
// (client ports 23791/23793/23795, peer ports 23792/23794/23796) with data directories in a fresh
// temporary directory, waits for a leader, then for each concurrency runs that many closed-loop
// clients, each sending POST /v3/kv/put (a random key of 10,000, a 128-byte value — the same
// workload as bench/browser.bench.ts) to the three members in turn, for a fixed wall time; counts
// the puts answered 200 with a header. Stops the members and deletes the data directories at the
// end, on error too. Prints a table and writes bench/results/etcd-baseline.json.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const seconds = Number(arg('--seconds', '10'));
const etcdBin = arg('--etcd', '/usr/bin/etcd');
const concurrencies = arg('--concurrency', '1,16,64').split(',').map(Number);
const VALUE_BYTES = 128;
const KEY_SPACE = 10_000;

if (!existsSync(etcdBin)) {
  console.error(`no etcd at ${etcdBin}: apt-get install -y etcd-server, or pass --etcd <path>`);
  process.exit(2);
}

const members = [1, 2, 3].map((i) => ({
  name: `m${i}`,
  client: `http://127.0.0.1:${23789 + 2 * i}`,
  peer: `http://127.0.0.1:${23790 + 2 * i}`,
}));
const initialCluster = members.map((m) => `${m.name}=${m.peer}`).join(',');
const dataRoot = mkdtempSync(join(tmpdir(), 'raftlab-etcd-'));
const procs = [];
let stopping = false;

function stopAll() {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
}

async function waitForExit() {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise((resolve) => {
          if (p.exitCode !== null) return resolve();
          const t = setTimeout(() => {
            p.kill('SIGKILL');
            resolve();
          }, 5000);
          p.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
        }),
    ),
  );
}

process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});

function startMembers() {
  for (const m of members) {
    const p = spawn(
      etcdBin,
      [
        '--name',
        m.name,
        '--data-dir',
        join(dataRoot, m.name),
        '--listen-client-urls',
        m.client,
        '--advertise-client-urls',
        m.client,
        '--listen-peer-urls',
        m.peer,
        '--initial-advertise-peer-urls',
        m.peer,
        '--initial-cluster',
        initialCluster,
        '--initial-cluster-state',
        'new',
        '--initial-cluster-token',
        'raftlab-baseline',
        '--logger',
        'zap',
        '--log-level',
        'error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let errText = '';
    p.stderr.on('data', (d) => (errText = (errText + d).slice(-2000)));
    p.on('exit', (code) => {
      if (code !== 0 && code !== null && !stopping)
        console.error(`${m.name} exited ${code}: ${errText}`);
    });
    procs.push(p);
  }
}

const b64 = (s) => Buffer.from(s).toString('base64');

async function post(endpoint, path, body) {
  const r = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await r.json();
  return { status: r.status, json };
}

async function waitForLeader() {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const { status, json } = await post(members[0].client, '/v3/maintenance/status', {});
      if (status === 200 && json.leader && json.leader !== '0') return json;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('etcd cluster elected no leader within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function load(concurrency, durationMs) {
  const value = b64('v'.repeat(VALUE_BYTES));
  let ok = 0;
  let failed = 0;
  const latencies = [];
  const end = Date.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      let n = c;
      while (Date.now() < end) {
        const endpoint = members[n++ % members.length].client;
        const key = b64(`key/${String(Math.floor(Math.random() * KEY_SPACE)).padStart(8, '0')}`);
        const t0 = performance.now();
        try {
          const { status, json } = await post(endpoint, '/v3/kv/put', { key, value });
          if (status === 200 && json.header) {
            ok++;
            latencies.push(performance.now() - t0);
          } else failed++;
        } catch {
          failed++;
        }
      }
    }),
  );
  const wallS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? NaN;
  return {
    concurrency,
    ok,
    failed,
    wallS,
    putsPerS: ok / wallS,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
  };
}

try {
  startMembers();
  const status = await waitForLeader();
  console.log(`etcd ${status.version}: 3 members on 127.0.0.1, data in ${dataRoot}`);
  await load(4, 1000); // warm-up: connections, first compaction of the WAL path
  const results = [];
  for (const c of concurrencies) {
    const r = await load(c, seconds * 1000);
    results.push(r);
    console.log(
      `concurrency ${String(c).padStart(2)}: ${r.putsPerS.toFixed(0).padStart(6)} puts/s  ` +
        `(${r.ok} ok, ${r.failed} failed in ${r.wallS.toFixed(1)} s; p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms)`,
    );
  }
  const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, 'etcd-baseline.json'),
    JSON.stringify(
      {
        suite: 'etcd-baseline',
        etcd: status.version,
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        command: `node bench/etcd-baseline.mjs --seconds ${seconds}`,
        workload: `closed loop, POST /v3/kv/put, ${VALUE_BYTES}-byte values, ${KEY_SPACE} keys, round robin over the 3 members`,
        figures: results.map((r) => ({
          name: `etcd ${status.version}, 3 members on loopback, JSON gateway, closed loop x${r.concurrency}`,
          value: r.putsPerS,
          unit: 'puts/s',
          notes: `${r.ok} ok, ${r.failed} failed in ${r.wallS.toFixed(1)} s; p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`,
        })),
      },
      null,
      2,
    ) + '\n',
  );
} finally {
  stopping = true;
  stopAll();
  await waitForExit();
  rmSync(dataRoot, { recursive: true, force: true });
}
