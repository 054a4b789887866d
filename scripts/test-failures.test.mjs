// What `npm test` prints of each failure after its summary, from the runners' JSON reports.
import { describe, expect, it } from 'vitest';
import { e2eFailures, unitFailures } from './test-failures.mjs';

describe('unitFailures', () => {
  it('names each failed test and keeps its message and its own frames', () => {
    const report = {
      testResults: [
        {
          name: `${process.cwd()}/src/a.test.ts`,
          assertionResults: [
            { status: 'passed', fullName: 'fine' },
            {
              status: 'failed',
              fullName: 'sums',
              failureMessages: [
                'AssertionError: expected 2 to be 3\n    at src/a.test.ts:2:41\n' +
                  '    at file:///x/node_modules/@vitest/runner/dist/index.js:1:1',
              ],
            },
          ],
        },
      ],
    };
    expect(unitFailures(report)).toEqual([
      {
        name: 'src/a.test.ts: sums',
        lines: ['AssertionError: expected 2 to be 3', '    at src/a.test.ts:2:41'],
      },
    ]);
  });
});

describe('e2eFailures', () => {
  const failing = (status, results) => ({
    suites: [
      {
        file: 'a.spec.ts',
        specs: [],
        suites: [
          {
            specs: [
              { title: 'works', file: 'a.spec.ts', line: 3, tests: [{ status: 'expected' }] },
              { title: 'flakes', file: 'a.spec.ts', line: 9, tests: [{ status, results }] },
            ],
          },
        ],
      },
    ],
  });

  it('finds failures in nested suites, with where they failed and the message uncoloured', () => {
    const report = failing('unexpected', [
      {
        status: 'failed',
        errorLocation: { file: '/w/e2e/a.spec.ts', line: 14 },
        errors: [
          {
            message:
              '\u001b[31mError: expect(locator).toBeVisible() failed\u001b[39m\n\nTimeout: 5000ms',
          },
        ],
      },
    ]);
    expect(e2eFailures(report)).toEqual([
      {
        name: 'a.spec.ts:9 › flakes (e2e/a.spec.ts:14)',
        lines: ['Error: expect(locator).toBeVisible() failed', 'Timeout: 5000ms'],
      },
    ]);
  });

  it('reports a retried test’s failed attempts, not its passing one', () => {
    const report = failing('flaky', [
      { status: 'timedOut', errors: [{ message: 'Test timeout of 30000ms exceeded.' }] },
      { status: 'passed', errors: [] },
    ]);
    expect(e2eFailures(report)).toEqual([
      { name: 'a.spec.ts:9 › flakes', lines: ['Test timeout of 30000ms exceeded.'] },
    ]);
  });

  it('cuts a long message to its first lines', () => {
    const message = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const report = failing('unexpected', [{ status: 'failed', errors: [{ message }] }]);
    expect(e2eFailures(report, 3)[0].lines).toEqual(['line 0', 'line 1', 'line 2']);
  });
});
