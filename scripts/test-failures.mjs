// The failed tests in Vitest's and Playwright's JSON reports, each as its name and the first lines
// of its error. `npm test` prints them after its summary: CI keeps only the end of a long run's
// output, and a failure that happens once in many runs must say what failed the first time.
import { relative } from 'node:path';

// Terminal colours in Playwright's messages would only be noise in a log.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Stack frames in the runners' own code say nothing about the failure. */
const RUNNER_FRAME = /node_modules|node:internal|\(<anonymous>\)/;

/** The first `lines` non-empty lines of `text`, without colour codes or the runners' frames. */
function head(text, lines) {
  return String(text ?? '')
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !RUNNER_FRAME.test(l))
    .slice(0, lines);
}

/** Failures in a Vitest JSON report (Jest's format): `{ name, lines }` each. */
export function unitFailures(report, lines = 8) {
  const out = [];
  for (const file of report.testResults ?? [])
    for (const t of file.assertionResults ?? [])
      if (t.status === 'failed')
        out.push({
          name: `${relative(process.cwd(), file.name)}: ${t.fullName ?? t.title}`,
          lines: head((t.failureMessages ?? []).join('\n'), lines),
        });
  return out;
}

/** Failures in a Playwright JSON report: every result of a test that did not end as expected. */
export function e2eFailures(report, lines = 8) {
  const out = [];
  const walk = (suite) => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? [])
        if (t.status === 'unexpected' || t.status === 'flaky')
          for (const r of t.results ?? []) {
            if (r.status === 'passed' || r.status === 'skipped') continue;
            const at = r.errorLocation ?? r.error?.location;
            const where = at ? ` (${at.file.split('/').slice(-2).join('/')}:${at.line})` : '';
            out.push({
              name: `${spec.file}:${spec.line} › ${spec.title}${where}`,
              lines: head((r.errors ?? []).map((e) => e.message ?? e.value).join('\n'), lines),
            });
          }
    for (const s of suite.suites ?? []) walk(s);
  };
  for (const s of report.suites ?? []) walk(s);
  return out;
}
