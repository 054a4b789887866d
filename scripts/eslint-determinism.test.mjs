// The determinism lint rule is a promise to every later layer: prove it fires where it must and
// stays quiet where wall-clock time is allowed (src/ui, src/host, workers/).
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function ruleIds(code, filePath) {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => m.ruleId);
}

const offenders = {
  'Date.now()': 'export const t = Date.now();\n',
  'new Date()': 'export const d = new Date();\n',
  'performance.now()': 'export const p = performance.now();\n',
  setTimeout: 'export const h = setTimeout(() => undefined, 1);\n',
  setInterval: 'export const h = setInterval(() => undefined, 1);\n',
  'Math.random()': 'export const r = Math.random();\n',
  "Math['random']()": "export const r = Math['random']();\n",
};

describe('determinism lint rule', () => {
  for (const layer of ['raft', 'mvcc', 'server', 'storage', 'sim', 'scenario', 'check']) {
    for (const [what, code] of Object.entries(offenders)) {
      it(`forbids ${what} in src/${layer}`, async () => {
        const ids = await ruleIds(code, `src/${layer}/probe.ts`);
        expect(ids.some((id) => id?.startsWith('no-restricted'))).toBe(true);
      });
    }
  }

  for (const place of ['src/ui/probe.ts', 'src/host/probe.ts', 'workers/probe.ts']) {
    it(`allows the wall clock in ${place}`, async () => {
      const ids = await ruleIds(
        'export const t = [Date.now(), performance.now(), Math.random()];\n',
        place,
      );
      expect(ids.filter((id) => id?.startsWith('no-restricted'))).toEqual([]);
    });
  }

  it('keeps src/raft from importing src/mvcc', async () => {
    const ids = await ruleIds("export { MvccStore } from '../mvcc';\n", 'src/raft/probe.ts');
    expect(ids).toContain('no-restricted-imports');
  });
});
