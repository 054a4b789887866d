// `npm run sim -- <scenario.json | share URL> --until 60s [--host inproc] [--json]`
// Runs a scenario headless in this process and prints its metrics and trace hash. The same
// scenario and seed print the same trace hash as the playground shows for it.
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { startCluster } from '../src/sim/cluster';
import { GatewaySession } from '../src/sim/gateway-session';
import { LinkError, decodeFragment } from '../src/scenario/link-codec';
import {
  ScenarioError,
  defaultScenario,
  parseScenario,
  type Scenario,
} from '../src/scenario/schema';
import { runScenario } from '../src/sim/run-scenario';

const USAGE = `usage: npm run sim -- <scenario.json | share URL> [--until 60s] [--host inproc] [--json]
       (without --until: to the link's cursor, or one simulated minute)
       npm run sim -- --default [--until 60s] [--json]
       npm run sim -- --ops ops.jsonl [scenario.json] [--node 1]   (etcd JSON gateway lines)`;

export function parseDurationUs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`--until takes a duration like 500ms, 60s or 2m, got "${text}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const factor = { us: 1, µs: 1, ms: 1e3, s: 1e6, m: 60e6 }[unit]!;
  return Math.round(n * factor);
}

async function loadScenario(source: string): Promise<Scenario> {
  const hash = source.indexOf('#');
  if (/^https?:\/\//.test(source) || hash >= 0) {
    if (hash < 0)
      throw new Error('the URL has no #fragment: a share link carries its scenario after "#"');
    return parseScenario(await decodeFragment(source.slice(hash)));
  }
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${source}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseScenario(JSON.parse(text));
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new Error(`${source} is not JSON: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

async function main(argv: string[]): Promise<number> {
  let source: string | undefined;
  let untilUs: number | undefined;
  let json = false;
  let ops: string | undefined;
  let node = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--until') untilUs = parseDurationUs(argv[++i] ?? '');
    else if (a === '--ops') ops = argv[++i] ?? '-';
    else if (a === '--node') node = Number(argv[++i]);
    else if (a === '--json') json = true;
    else if (a === '--host') {
      const host = argv[++i];
      if (host !== 'inproc') {
        throw new Error(
          `--host ${host ?? ''}: only "inproc" runs in Node; the worker host runs in the browser`,
        );
      }
    } else if (a === '--default') source = '';
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else source = a;
  }
  if (ops !== undefined) {
    const scenario =
      source === undefined || source === '' ? defaultScenario() : await loadScenario(source);
    return runOps(scenario, ops, node);
  }
  if (source === undefined) throw new Error(USAGE);
  const scenario = source === '' ? defaultScenario() : await loadScenario(source);
  // Without --until: a share link runs to its cursor (the trace hash the playground showed);
  // a scenario without a cursor runs a simulated minute.
  const until = untilUs ?? (scenario.cursorUs > 0 ? undefined : 60_000_000);
  const result = await runScenario(scenario, until === undefined ? {} : { untilUs: until });
  const out = {
    seed: scenario.seed,
    simulatedMs: result.cluster.conductor.now / 1000,
    traceHash: result.traceHash,
    traceEvents: result.traceEvents,
    ...result.metrics,
  };
  if (json) {
    console.log(JSON.stringify(out, null, 2));
    return 0;
  }
  console.log(`seed ${out.seed}, ${scenario.settings.size} nodes, ${out.simulatedMs} simulated ms`);
  console.log(`leader changes ${out.leaderChanges}, failed proposals ${out.failedProposals}`);
  for (const [kind, s] of Object.entries(out.ops)) {
    console.log(
      `${kind.padEnd(18)} ok ${String(s.ok).padStart(7)}  failed ${String(s.failed).padStart(5)}  ` +
        `${s.perSecond.toFixed(1).padStart(8)}/s  p50 ${s.p50Ms.toFixed(2)} ms  p99 ${s.p99Ms.toFixed(2)} ms`,
    );
  }
  for (const [message, count] of Object.entries(out.errors))
    console.log(`error x${count}: ${message}`);
  console.log(`trace hash ${out.traceHash} (${out.traceEvents} events)`);
  return 0;
}

async function runOps(scenario: Scenario, file: string, node: number): Promise<number> {
  if (!Number.isInteger(node) || node < 1 || node > scenario.settings.size) {
    throw new Error(
      `--node must be a member of the ${scenario.settings.size}-node cluster, got ${node}`,
    );
  }
  const cluster = await startCluster({ settings: scenario.settings, seed: scenario.seed });
  const session = new GatewaySession(cluster, node);
  await session.awaitLeader();
  const input = file === '-' ? process.stdin : createReadStream(file);
  input.on('error', (err: Error) => {
    console.error(`sim: cannot read ${file}: ${err.message}`);
    process.exit(2);
  });
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const answer = await session.line(line);
    if (answer) process.stdout.write(JSON.stringify(answer) + '\n');
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const msg =
      err instanceof ScenarioError || err instanceof LinkError || err instanceof Error
        ? err.message
        : String(err);
    console.error(`sim: ${msg}`);
    process.exit(2);
  },
);
