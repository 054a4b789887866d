// `npm run fuzz -- --seeds N --minutes M [--unsafe NAME] [--from S] [--jobs J] [--base URL]`
// Random scenarios with a nemesis (src/check/fuzz/plan.ts), every invariant checked at every
// step and every client history checked for linearizability. Exit status 0 when nothing was
// found, 1 when something was (its seed and a share URL that opens the playground at the failing
// step are on the last lines, after the shrunk scenario's summary), 2 for bad arguments.
//
// --expect-find inverts the verdict for teaching runs of unsafe settings: exit 0 when a violation
// was found within the seeds, 1 when none was (CI uses it: each unsafe setting must be caught).
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { checkSessionHistory } from '../src/check/fuzz/history-check';
import { planScenario } from '../src/check/fuzz/plan';
import { runOnce, type RunOutcome } from '../src/check/fuzz/run';
import { shrink } from '../src/check/fuzz/shrink';
import { encodeFragment } from '../src/scenario/link-codec';
import { UNSAFE_SETTINGS, type ReadPath, type UnsafeSetting } from '../src/scenario/schema';

const READ_PATHS: readonly ReadPath[] = ['read-index', 'log', 'lease', 'serializable'];

const USAGE = `usage: npm run fuzz -- --seeds N --minutes M [--unsafe NAME] [--from S] [--jobs J]
                     [--read-path PATH] [--base URL] [--expect-find]
  --unsafe: one of ${UNSAFE_SETTINGS.join(', ')}`;

interface Options {
  seeds: number;
  minutes: number;
  from: number;
  jobs: number;
  unsafe?: UnsafeSetting;
  readPath?: ReadPath;
  base: string;
  expectFind: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    seeds: 10,
    minutes: 1,
    from: 1,
    jobs: Math.max(1, Math.min(2, cpus().length)),
    base: 'http://127.0.0.1:5173/',
    expectFind: false,
  };
  const num = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min)
      throw new Error(`${flag} takes a number of at least ${min}, got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    switch (a) {
      case '--seeds':
        o.seeds = Math.floor(num(a, v, 1));
        i++;
        break;
      case '--minutes':
        o.minutes = num(a, v, 0.05);
        i++;
        break;
      case '--from':
        o.from = Math.floor(num(a, v, 0));
        i++;
        break;
      case '--jobs':
        o.jobs = Math.floor(num(a, v, 1));
        i++;
        break;
      case '--base':
        if (!v) throw new Error('--base takes the playground URL');
        o.base = v;
        i++;
        break;
      case '--unsafe':
        if (!v || !(UNSAFE_SETTINGS as readonly string[]).includes(v))
          throw new Error(
            `--unsafe takes one of ${UNSAFE_SETTINGS.join(', ')}, got ${v ?? 'nothing'}`,
          );
        o.unsafe = v as UnsafeSetting;
        i++;
        break;
      case '--read-path':
        if (!v || !READ_PATHS.includes(v as ReadPath))
          throw new Error(
            `--read-path takes one of ${READ_PATHS.join(', ')}, got ${v ?? 'nothing'}`,
          );
        o.readPath = v as ReadPath;
        i++;
        break;
      case '--expect-find':
        o.expectFind = true;
        break;
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  return o;
}

interface SeedResult {
  seed: number;
  ops: number;
  outcome: RunOutcome;
}

function plan(seed: number, o: Options) {
  return planScenario(seed, {
    minutes: o.minutes,
    ...(o.unsafe ? { unsafe: o.unsafe } : {}),
    ...(o.readPath ? { readPath: o.readPath } : {}),
  });
}

async function runSeed(seed: number, o: Options): Promise<SeedResult> {
  const scenario = plan(seed, o);
  const outcome = await runOnce(scenario, scenario.cursorUs, checkSessionHistory);
  return { seed, ops: outcome.ops, outcome };
}

/** A worker process: runs the seeds it is given, one JSON line each, until told to stop. */
async function worker(o: Options): Promise<void> {
  process.on('message', (msg: { seed?: number }) => {
    if (msg.seed === undefined) process.exit(0);
    void runSeed(msg.seed, o).then((r) => process.send!(r));
  });
  process.send!({ ready: true });
  await new Promise(() => {});
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--worker') {
    await worker(parseArgs(argv.slice(1)));
    return 0;
  }
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (err) {
    console.error(`fuzz: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const label = o.unsafe ? `unsafe setting ${o.unsafe}` : 'safe settings';
  console.log(
    `fuzz: seeds ${o.from}..${o.from + o.seeds - 1}, ${o.minutes} simulated minute(s) each, ${label}, ${o.jobs} job(s)`,
  );
  const startedMs = Date.now();
  const seeds = Array.from({ length: o.seeds }, (_, i) => o.from + i);
  let failed: SeedResult | undefined;
  let ops = 0;
  let done = 0;
  const unknown: number[] = [];
  const onResult = (r: SeedResult) => {
    done++;
    ops += r.ops;
    if (r.outcome.unknown) unknown.push(r.seed);
    if (r.outcome.finding && (!failed || r.seed < failed.seed)) failed = r;
  };
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let live = 0;
    const script = fileURLToPath(import.meta.url);
    const start = () => {
      const child = fork(script, ['--worker', ...argv], { execArgv: process.execArgv });
      live++;
      const feed = () => {
        // Stop handing out seeds once one failed: later seeds cannot matter.
        if (next < seeds.length && !failed) child.send({ seed: seeds[next++] });
        else child.send({});
      };
      child.on('message', (m: SeedResult | { ready: true }) => {
        if ('seed' in m) onResult(m);
        feed();
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) reject(new Error(`a fuzz worker exited with status ${code}`));
        if (--live === 0) resolve();
      });
    };
    for (let j = 0; j < Math.min(o.jobs, seeds.length); j++) start();
  });
  const seconds = ((Date.now() - startedMs) / 1000).toFixed(1);
  const outOfBudget =
    unknown.length === 0
      ? 'every history check finished'
      : `${unknown.length} history check(s) out of budget (seeds ${unknown.sort((a, b) => a - b).join(', ')})`;
  const summary = `${done} seed(s), ${ops} client operations checked, ${outOfBudget}, ${seconds} s`;
  if (!failed) {
    console.log(`fuzz: nothing found — ${summary}`);
    if (o.expectFind) {
      console.log(
        `fuzz: expected ${o.unsafe} to be caught within ${o.seeds} seeds, and it was not`,
      );
      return 1;
    }
    return 0;
  }
  const f = failed.outcome.finding!;
  console.log(`fuzz: found at ${(f.atUs / 1e6).toFixed(3)} s of seed ${failed.seed} — ${summary}`);
  const scenario = plan(failed.seed, o);
  const small = await shrink(scenario, f, { checkHistory: checkSessionHistory });
  console.log(
    `fuzz: shrunk to ${small.scenario.actions.length} of ${scenario.actions.length} actions, ${(small.finding.atUs / 1e6).toFixed(3)} s (${small.runs} re-runs)`,
  );
  console.log(`${small.finding.kind}: ${small.finding.message}`);
  const fragment = await encodeFragment({ ...small.scenario, cursorUs: small.finding.atUs });
  console.log(`seed: ${failed.seed}${o.unsafe ? ` (unsafe: ${o.unsafe})` : ''}`);
  console.log(`url: ${o.base}#${fragment}`);
  return o.expectFind ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`fuzz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(2);
  },
);
