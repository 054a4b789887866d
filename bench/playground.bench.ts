// The playground's three performance figures (issue 6), in headless Chromium against the built
// app. `npm run bench -- playground`.
//
// 1. Frame times with 7 nodes and about 300 messages in flight: a 7-node scenario (latency 200 ms,
//    heartbeats every 20 ms, 8 closed-loop put clients from 3 s) opened from a share link whose
//    cursor is 12 s into the run; the bench presses Play at 1x and records, in the page, the time
//    between animation frames for 5 s, the number of `.msg` elements each frame, and long tasks
//    (PerformanceObserver 'longtask'). Played live at the head of the run (the simulation runs in
//    the frames) and over recorded history (scrubbed back 6 s: the view's own cost); each with
//    Chromium's 60 Hz frame cap and without it (--disable-frame-rate-limit --disable-gpu-vsync),
//    where the frame time shows the headroom.
// 2. Initial JavaScript: the gzip size (node:zlib, level 9) of the scripts and modulepreloads that
//    dist/index.html names; the node worker and the bench page's chunks are not among them.
// 3. From opening a share link to the elected cluster on screen: navigation start (the page's
//    performance.now() origin) to the first animation frame after a node marked
//    data-role="StateLeader" is in the DOM; 5 runs each of a 3-node link 5 s into a run with a few
//    actions, a link copied from a fresh cluster right after its first election, and a link at
//    cursor 0 (which opens paused at 0 s, where nobody leads yet: the bench presses Play at "max").
//
// The app is built into a temporary directory, not dist/, so a browser test running beside this
// never serves a half-written build. Each Chromium launch gets a disk-backed profile, so the
// nodes' IndexedDB databases really write to disk as they do for a person.
// Options: --frames-ms=<record time> (default 5000), --runs=<opens per link> (default 5),
// --speed=<label of the Speed menu> (default 1x), --only=frames|js|open, --profile=<file.cpuprofile>
// (a CPU profile of the uncapped frame recording, unminified build, top functions printed),
// --trace=<file prefix> (a Chromium trace of it, the renderer main thread's time by event printed),
// --open=<panel> (opens that panel, e.g. Storage, before the frames are recorded; the figures go to
// playground-<only>-<panel>.json).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { chromiumLaunchOptions, findChromium } from '../scripts/browser.mjs';
import { encodeFragment } from '../src/scenario/link-codec';
import { parseScenario, type Scenario } from '../src/scenario/schema';
import { Session } from '../src/sim/session';
import { playgroundScenario } from '../src/ui/playground/share';
import { warmUp } from '../src/ui/playground/useSession';
import { percentile, report, type Figure } from './lib/harness';
import { freePort, waitFor } from './lib/serve';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const args = process.argv.slice(2);
// Options reach the bench only when it is run directly (`node --import tsx
// bench/playground.bench.ts --only=js`): scripts/bench.mjs passes none on. `--name=value` or
// `--name value`.
const arg = (name: string) => {
  const eq = args.find((a) => a.startsWith(`${name}=`));
  if (eq) return eq.slice(name.length + 1);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const framesMs = Number(arg('--frames-ms') ?? 5000);
const runs = Number(arg('--runs') ?? 5);
const speed = arg('--speed') ?? '1x';
const only = arg('--only');
/** A panel to open (its disclosure button's name) before recording frames. */
const openPanel = arg('--open');
/** Where to write a CPU profile of the uncapped frame recording (and print its top functions). */
const profileOut = arg('--profile');
/** Where to write a Chromium trace of the uncapped frame recording (and print main-thread work). */
const traceOut = arg('--trace');
const UNCAPPED = ['--disable-frame-rate-limit', '--disable-gpu-vsync'];

/** 7 nodes with slow links and fast heartbeats: about 300 messages on the wire from 5 s on. */
export const BUSY_SCENARIO: Scenario = parseScenario({
  version: 1,
  seed: 42,
  title: 'bench: 7 nodes, about 300 messages in flight',
  settings: {
    size: 7,
    heartbeatMs: 20,
    electionTimeoutMs: 1500,
    networkLatencyMs: 200,
    networkJitterMs: 20,
    fsyncMs: 4,
  },
  // Starts once a leader is elected (about 2 s with these links).
  workloads: [{ mode: 'closed', concurrency: 8, mix: { put: 1 }, keySpace: 1000, startMs: 3000 }],
  actions: [],
  cursorUs: 12_000_000,
});

/** The playground's default 3-node cluster, 5 s into a run with a put, a cut and a heal. */
const ACTED_SCENARIO: Scenario = {
  ...playgroundScenario(7),
  actions: [
    { atUs: 2_000_000, kind: 'put', node: 1, key: 'greeting', value: 'hello' },
    { atUs: 2_500_000, kind: 'cut', from: 1, to: 2 },
    { atUs: 3_500_000, kind: 'heal', from: 1, to: 2 },
    { atUs: 4_000_000, kind: 'put', node: 2, key: 'greeting', value: 'again' },
  ],
  cursorUs: 5_000_000,
};

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), -Infinity);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const kb = (bytes: number) => bytes / 1024;

// ---------------------------------------------------------------------------------------------
// 2. Initial JavaScript

function initialJs(outDir: string): { figures: Figure[]; files: string[] } {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const files: string[] = [];
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)) files.push(m[1]!);
  for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*>/g)) {
    const href = /\bhref="([^"]+)"/.exec(m[0]);
    if (href) files.push(href[1]!);
  }
  const wanted = files.filter((f) => !/node\.worker|\/bench[-.]/.test(f));
  let raw = 0;
  let gz = 0;
  const parts: string[] = [];
  for (const f of wanted) {
    const bytes = readFileSync(join(outDir, f.replace(/^\//, '')));
    const g = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gz += g;
    parts.push(`${f.replace(/^\/assets\//, '')} ${kb(g).toFixed(1)} KB`);
  }
  return {
    files: wanted,
    figures: [
      {
        name: 'Initial JavaScript of index.html, gzip',
        value: kb(gz),
        unit: 'KB',
        target: '≤ 250 KB',
        notes: `${wanted.length} files, ${kb(raw).toFixed(0)} KB raw: ${parts.join(', ')}`,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Frame times

interface FrameSample {
  frames: number[];
  counts: number[];
  longTasks: number[];
  simBefore: string;
  simAfter: string;
}

async function launch(profile: string, uncapped: boolean): Promise<BrowserContext> {
  const base = chromiumLaunchOptions();
  const context = await chromium.launchPersistentContext(profile, {
    ...base,
    args: [...(base.args ?? []), ...(uncapped ? UNCAPPED : [])],
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
  // tsx compiles this file with esbuild's keepNames, which wraps the functions handed to
  // page.evaluate in calls to a `__name` helper that only exists here: give the page one.
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  return context;
}

async function openLink(page: Page, url: string): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return errors;
}

async function recordFrames(page: Page, ms: number): Promise<FrameSample> {
  return page.evaluate(async (ms) => {
    const simText = () => document.querySelector('[data-testid="sim-time"]')?.textContent ?? '';
    const longTasks: number[] = [];
    const po = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push(e.duration);
    });
    po.observe({ type: 'longtask' });
    const frames: number[] = [];
    const counts: number[] = [];
    const simBefore = simText();
    await new Promise<void>((done) => {
      let last = -1;
      let end = Infinity;
      const frame = (t: number) => {
        if (last >= 0) {
          frames.push(t - last);
          counts.push(document.querySelectorAll('.msg').length);
        } else end = t + ms;
        last = t;
        if (t < end) requestAnimationFrame(frame);
        else done();
      };
      requestAnimationFrame(frame);
    });
    po.disconnect();
    return { frames, counts, longTasks, simBefore, simAfter: simText() };
  }, ms);
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

function printTopFunctions(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const n = byId.get(samples[i]!);
    if (!n) continue;
    const f = n.callFrame;
    const file = f.url.split('/').pop() ?? '';
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  const wall = (profile.endTime - profile.startTime) / 1000;
  console.log(`CPU profile, ${wall.toFixed(0)} ms; top self time:`);
  for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(
      `  ${ms.toFixed(0).padStart(6)} ms  ${((100 * ms) / wall).toFixed(1).padStart(5)}%  ${k}`,
    );
}

type Cdp = Awaited<ReturnType<BrowserContext['newCDPSession']>>;

async function startTrace(context: BrowserContext, page: Page): Promise<Cdp> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Tracing.start', {
    traceConfig: {
      includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'],
    },
    transferMode: 'ReturnAsStream',
  });
  return cdp;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  args?: { name?: string };
}

/** Ends the trace, writes it, and prints where the renderer's main thread spent its time. */
async function endTrace(cdp: Cdp, file: string): Promise<void> {
  const done = new Promise<string>((resolve) =>
    cdp.once('Tracing.tracingComplete', (e) => resolve(e.stream ?? '')),
  );
  await cdp.send('Tracing.end');
  const stream = await done;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  writeFileSync(file, text);
  const events = (JSON.parse(text) as { traceEvents: TraceEvent[] }).traceEvents;
  // The busiest renderer main thread is the page's (a trace can hold several renderers).
  const mains = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  let total = new Map<string, number>();
  for (const m of mains) {
    const t = new Map<string, number>();
    for (const e of events) {
      if (e.pid !== m.pid || e.tid !== m.tid || e.ph !== 'X' || e.dur === undefined) continue;
      t.set(e.name, (t.get(e.name) ?? 0) + e.dur / 1000);
    }
    if ((t.get('RunTask') ?? 0) > (total.get('RunTask') ?? 0)) total = t;
  }
  console.log('renderer main thread, inclusive ms by trace event:');
  for (const [k, ms] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${k}`);
}

/** Where the frame recording starts when it replays history, and how far the link's run goes. */
const HISTORY_FROM_US = 6_000_000;

async function frameFigures(base: string, profileRoot: string): Promise<Figure[]> {
  const url = `${base}/${'#' + (await encodeFragment(BUSY_SCENARIO))}`;
  const figures: Figure[] = [];
  // "live": Play at the head of the run, so each frame also runs the simulation (its play loop
  // gives it up to 8 ms of a frame). "history": the view is scrubbed back 6 s and played over
  // what is already simulated, so the frames measure the view alone.
  for (const mode of ['live', 'history'] as const) {
    for (const uncapped of [false, true]) {
      const label = `${mode}, ${uncapped ? 'uncapped' : '60 Hz cap'}`;
      const context = await launch(mkdtempSync(join(profileRoot, 'frames-')), uncapped);
      try {
        const page = await context.newPage();
        const errors = await openLink(page, url);
        const t0 = Date.now();
        await page.getByRole('button', { name: 'Play' }).waitFor({ timeout: 120_000 });
        await page.locator('[data-role="StateLeader"]').first().waitFor({ timeout: 120_000 });
        const replayS = (Date.now() - t0) / 1000;
        if (mode === 'history') {
          await page
            .getByRole('slider', { name: 'Timeline' })
            .fill(String(BUSY_SCENARIO.cursorUs - HISTORY_FROM_US));
        }
        if (openPanel) await page.getByRole('button', { name: openPanel, exact: true }).click();
        await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: speed });
        await page.getByRole('button', { name: 'Play' }).click();
        await page.waitForTimeout(500); // let the play loop settle
        const profiling = uncapped && profileOut !== undefined;
        const cdp = profiling ? await context.newCDPSession(page) : undefined;
        if (cdp) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
          await cdp.send('Profiler.start');
        }
        const tracing = uncapped && traceOut !== undefined ? await startTrace(context, page) : null;
        const s = await recordFrames(page, framesMs);
        if (tracing && traceOut) await endTrace(tracing, `${traceOut}-${mode}.json`);
        if (cdp && profileOut) {
          const { profile } = await cdp.send('Profiler.stop');
          writeFileSync(
            profileOut.replace(/(\.cpuprofile)?$/, `-${mode}.cpuprofile`),
            JSON.stringify(profile),
          );
          printTopFunctions(profile);
        }
        if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
        const sorted = [...s.frames].sort((a, b) => a - b);
        const p = (q: number) => percentile(sorted, q);
        const total = s.frames.reduce((a, b) => a + b, 0);
        const from = s.simBefore.split(' of ')[0];
        const to = s.simAfter.split(' of ')[0];
        console.log(
          `${label}: ${s.frames.length} frames in ${(total / 1000).toFixed(1)} s, p50 ${p(50).toFixed(1)} ` +
            `p95 ${p(95).toFixed(1)} p99 ${p(99).toFixed(1)} max ${max(s.frames).toFixed(1)} ms; ` +
            `messages mean ${mean(s.counts).toFixed(0)} max ${max(s.counts)}; long tasks ` +
            `${s.longTasks.length} (${s.longTasks.map((d) => d.toFixed(0)).join(', ')} ms); ` +
            `view ${from} -> ${to}; replay to the cursor took ${replayS.toFixed(1)} s` +
            (profiling ? ' (profiled)' : ''),
        );
        const lt = s.longTasks;
        figures.push(
          {
            name: `7 nodes, frame time p50 / p95 / p99, ${label}`,
            value: p(95),
            unit: 'ms (p95)',
            target: uncapped ? '' : '≤ 16.7 ms',
            notes:
              `p50 ${p(50).toFixed(1)}, p99 ${p(99).toFixed(1)}, max ${max(s.frames).toFixed(1)} ms; ` +
              `${(s.frames.length / (total / 1000)).toFixed(0)} fps at ${speed}; view ${from} -> ${to}` +
              (profiling ? '; profiled' : ''),
          },
          {
            name: `7 nodes, messages in flight (mean), ${label}`,
            value: mean(s.counts),
            unit: 'messages',
            target: '≈ 300',
            notes: `max ${max(s.counts)}, min ${Math.min(...s.counts)}`,
          },
          {
            name: `7 nodes, long tasks in ${framesMs / 1000} s, ${label}`,
            value: lt.length,
            unit: 'tasks',
            notes:
              lt.length > 0
                ? `total ${lt.reduce((a, b) => a + b, 0).toFixed(0)} ms, longest ${max(lt).toFixed(0)} ms`
                : '',
          },
        );
      } finally {
        await context.close();
      }
    }
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------
// 3. Share link to elected cluster

/** Notes, in the page, when a leader is first in the DOM and the frame that paints it. */
function watchLeader(): void {
  const w = window as unknown as { __leaderDomMs?: number; __leaderFrameMs?: number };
  const seen = () => {
    if (w.__leaderDomMs !== undefined) return;
    if (!document.querySelector('[data-role="StateLeader"]')) return;
    w.__leaderDomMs = performance.now();
    requestAnimationFrame((t) => (w.__leaderFrameMs = t));
  };
  new MutationObserver(seen).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-role'],
  });
}

async function fromLink(page: Page, url: string, pressPlay: boolean): Promise<number> {
  const errors = await openLink(page, url);
  if (pressPlay) {
    const play = page.getByRole('button', { name: 'Play' });
    await page.getByRole('combobox', { name: 'Speed' }).selectOption({ label: 'max' });
    await play.and(page.locator(':enabled')).click({ timeout: 60_000 });
  }
  await page.waitForSelector('[data-role="StateLeader"]', { state: 'visible', timeout: 60_000 });
  await page.waitForFunction(() => '__leaderFrameMs' in window, undefined, { timeout: 5_000 });
  if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
  return page.evaluate(() => (window as unknown as { __leaderFrameMs: number }).__leaderFrameMs);
}

/**
 * What "Copy link" gives right after a fresh cluster's first election: the playground warms a
 * fresh cluster up in 50 ms slices until a leader shows, and the link carries that place. Run
 * here in-process (the same trace as the worker host).
 */
async function copiedAfterFirstLeader(seed: number): Promise<Scenario> {
  const s = await Session.start(playgroundScenario(seed));
  try {
    await warmUp(s);
    return s.toScenario(s.nowUs);
  } finally {
    await s.dispose();
  }
}

async function openFigures(base: string, profileRoot: string): Promise<Figure[]> {
  const links: { what: string; scenario: Scenario; pressPlay: boolean }[] = [
    { what: '3 nodes, cursor 5 s, 4 actions', scenario: ACTED_SCENARIO, pressPlay: false },
    {
      what: '3 nodes, fresh, cursor at its first leader',
      scenario: await copiedAfterFirstLeader(11),
      pressPlay: false,
    },
    {
      what: '3 nodes, fresh, cursor 0 (Play at max pressed)',
      scenario: playgroundScenario(11),
      pressPlay: true,
    },
  ];
  const context = await launch(mkdtempSync(join(profileRoot, 'open-')), false);
  await context.addInitScript(watchLeader);
  const figures: Figure[] = [];
  try {
    for (const l of links) {
      const url = `${base}/${'#' + (await encodeFragment(l.scenario))}`;
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const page = await context.newPage();
        times.push(await fromLink(page, url, l.pressPlay));
        await page.close();
      }
      console.log(`${l.what}: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      figures.push({
        name: `Share link to elected cluster on screen, ${l.what}`,
        value: median(times),
        unit: 'ms',
        target: '< 1500 ms',
        notes: `median of ${runs}; max ${max(times).toFixed(0)} ms; all: ${times.map((t) => t.toFixed(0)).join(', ')}`,
      });
    }
  } finally {
    await context.close();
  }
  return figures;
}

async function main(): Promise<void> {
  if (!findChromium()) {
    throw new Error('no Chromium found: run `node scripts/ensure-browser.mjs` first');
  }
  const work = mkdtempSync(join(tmpdir(), 'raftlab-pg-bench-'));
  const outDir = join(work, 'dist');
  let preview: ChildProcess | undefined;
  try {
    const build = spawnSync(
      process.execPath,
      [
        vite,
        'build',
        '--logLevel',
        'warn',
        '--outDir',
        outDir,
        '--emptyOutDir',
        // A profile names functions as written (the JS figure is then not the shipped size).
        ...(profileOut ? ['--minify', 'false'] : []),
      ],
      { cwd: root, stdio: 'inherit' },
    );
    if (build.status !== 0) throw new Error('vite build failed');
    const figures: Figure[] = [];
    if (!only || only === 'js') {
      const js = initialJs(outDir);
      console.log(`initial scripts: ${js.files.join(', ')}`);
      figures.push(...js.figures);
    }
    if (only !== 'js') {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      preview = spawn(
        process.execPath,
        [
          vite,
          'preview',
          '--port',
          String(port),
          '--strictPort',
          '--host',
          '127.0.0.1',
          '--outDir',
          outDir,
        ],
        { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
      );
      await waitFor(`${base}/`, 30_000);
      if (!only || only === 'frames') figures.push(...(await frameFigures(base, work)));
      if (!only || only === 'open') figures.push(...(await openFigures(base, work)));
    }
    const suite = ['playground', only, openPanel?.toLowerCase()].filter(Boolean).join('-');
    report(suite, figures);
  } finally {
    preview?.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
