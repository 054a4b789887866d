#!/usr/bin/env node
// `npm test`: typecheck, lint (ESLint + Prettier), unit and property tests (Vitest), the bounded
// fuzz campaign, browser tests (Playwright in real Chromium, fetched first if missing). Every step runs even when an earlier
// one fails, so one run shows everything that is wrong; the exit status is non-zero when any step
// fails. A skipped test counts as a failure: nothing here may be silently skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { e2eFailures, unitFailures } from './test-failures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
const resultsDir = join(root, 'test-results');
const unitJson = join(resultsDir, 'unit-report.json');
const e2eJson = join(resultsDir, 'e2e-report.json');
mkdirSync(resultsDir, { recursive: true });
for (const f of [unitJson, e2eJson]) rmSync(f, { force: true });

const node = process.execPath;
const fuzz = (...args) => [
  node,
  bin('tsx', 'dist/cli.mjs'),
  join(root, 'scripts', 'fuzz.ts'),
  ...args,
];
const UNSAFE = [
  'local-reads',
  'figure8-commit',
  'ack-before-fsync',
  'no-vote-persist',
  'skip-health-check',
];
const steps = [
  {
    name: 'typecheck',
    cmd: [node, bin('typescript', 'bin/tsc'), '-p', 'tsconfig.json', '--noEmit'],
  },
  { name: 'lint', cmd: [node, bin('eslint', 'bin/eslint.js'), '.', '--max-warnings=0'] },
  {
    name: 'format',
    cmd: [node, bin('prettier', 'bin/prettier.cjs'), '--check', '.', '--log-level=warn'],
  },
  {
    name: 'unit',
    cmd: [
      node,
      bin('vitest', 'vitest.mjs'),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${unitJson}`,
    ],
  },
  // The bounded fuzz campaign (src/check): safe settings must show nothing in 200 seeds of one
  // simulated minute; each unsafe setting must be caught within 50.
  { name: 'fuzz: safe settings', cmd: fuzz('--seeds', '200', '--minutes', '1') },
  ...UNSAFE.map((u) => ({
    name: `fuzz: ${u} caught`,
    cmd: fuzz('--unsafe', u, '--seeds', '50', '--minutes', '1', '--expect-find'),
  })),
  { name: 'browser', cmd: [node, join(root, 'scripts', 'ensure-browser.mjs')], gate: true },
  { name: 'e2e', cmd: [node, bin('@playwright/test', 'cli.js'), 'test'], needs: 'browser' },
];

const outcome = new Map();
for (const step of steps) {
  if (step.needs && outcome.get(step.needs) !== 'ok') {
    console.log(`\n=== ${step.name}: not run, because ${step.needs} failed ===`);
    outcome.set(step.name, 'failed');
    continue;
  }
  console.log(`\n=== ${step.name} ===`);
  const [cmd, ...args] = step.cmd;
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: process.env });
  outcome.set(step.name, r.status === 0 ? 'ok' : 'failed');
}

// Count tests from the runners' JSON reports.
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
if (existsSync(unitJson)) {
  const u = JSON.parse(readFileSync(unitJson, 'utf8'));
  failures.push(...unitFailures(u));
  passed += u.numPassedTests ?? 0;
  failed += u.numFailedTests ?? 0;
  skipped += (u.numPendingTests ?? 0) + (u.numTodoTests ?? 0);
}
if (existsSync(e2eJson)) {
  const report = JSON.parse(readFileSync(e2eJson, 'utf8'));
  failures.push(...e2eFailures(report));
  const s = report.stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
  skipped += s.skipped ?? 0;
}
if (skipped > 0) {
  console.log(
    `\n${skipped} test(s) were skipped: a skipped test is a defect here. Fix or remove it.`,
  );
  outcome.set('no skipped tests', 'failed');
}
const unitRan = existsSync(unitJson);
const e2eRan = existsSync(e2eJson);
if (!unitRan) outcome.set('unit report', 'failed');
if (!e2eRan) outcome.set('e2e report', 'failed');

console.log('\n=== summary ===');
for (const [name, result] of outcome)
  console.log(`${result === 'ok' ? 'ok    ' : 'FAILED'}  ${name}`);
// Then what failed, and the count last: CI keeps only the end of a long run's log.
const SHOWN = 4;
for (const f of failures.slice(0, SHOWN)) {
  console.log(`\n✘ ${f.name}`);
  for (const l of f.lines) console.log(`    ${l}`);
}
if (failures.length > SHOWN) console.log(`\n… and ${failures.length - SHOWN} more failures above`);
const stepsFailed = [...outcome.values()].filter((v) => v !== 'ok').length;
console.log(
  `tests: ${passed} passed, ${failed + (stepsFailed > 0 && failed === 0 ? stepsFailed : 0)} failed`,
);
process.exit(stepsFailed > 0 ? 1 : 0);
