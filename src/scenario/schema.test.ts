import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  MAX_ACTIONS,
  ScenarioError,
  defaultScenario,
  parseScenario,
} from './schema';

function message(v: unknown): string {
  try {
    parseScenario(v);
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
}

describe('parseScenario', () => {
  it('fills defaults for a minimal document', () => {
    expect(parseScenario({ version: 1 })).toEqual(defaultScenario(1));
    expect(parseScenario({ version: 1, seed: 9 }).settings).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps a full document as it is', () => {
    const doc = {
      version: 1,
      seed: 42,
      title: 'Split vote',
      settings: { ...DEFAULT_SETTINGS, size: 5, readPath: 'lease', unsafe: ['local-reads'] },
      workloads: [
        {
          mode: 'open',
          rate: 500,
          concurrency: 1,
          mix: { put: 1, 'range-cheap': 3 },
          linearizable: true,
          keySpace: 1000,
          valueBytes: 64,
          startMs: 0,
          stopMs: 5000,
        },
      ],
      actions: [
        { atUs: 1000, kind: 'crash', node: 2 },
        { atUs: 1000, kind: 'put', node: 1, key: 'a', value: 'b' },
      ],
      cursorUs: 2000,
    };
    expect(parseScenario(JSON.parse(JSON.stringify(doc)))).toEqual(doc);
  });

  it('names the field that is wrong', () => {
    expect(message(null)).toMatch(/must be a JSON object/);
    expect(message({})).toMatch(/scenario version: must be a number, got nothing/);
    expect(message({ version: 2 })).toMatch(
      /version: is 2, made by a newer raftlab; this one reads version 1/,
    );
    expect(message({ version: 1, settings: { size: 12 } })).toMatch(
      /settings\.size: must be between 1 and 9, got 12/,
    );
    expect(message({ version: 1, settings: { readPath: 'fast' } })).toMatch(
      /settings\.readPath: must be one of "read-index", "log", "lease", "serializable", got "fast"/,
    );
    expect(message({ version: 1, settings: { unsafe: ['yolo'] } })).toMatch(
      /settings\.unsafe\[0\]/,
    );
    expect(message({ version: 1, settings: { heartbeatMs: 500, electionTimeoutMs: 400 } })).toMatch(
      /electionTimeoutMs: must be longer than the heartbeat interval/,
    );
    expect(message({ version: 1, settings: { agedFilePages: 1.5 } })).toMatch(
      /settings\.agedFilePages: must be a whole number/,
    );
    expect(message({ version: 1, settings: { agedFilePages: 3_000_000 } })).toMatch(
      /settings\.agedFilePages: must be between 0 and 2097152, got 3000000/,
    );
    expect(message({ version: 1, settings: { colour: 'red' } })).toMatch(
      /settings\.colour: is not a field/,
    );
    expect(
      message({
        version: 1,
        actions: [
          { atUs: 5, kind: 'crash' },
          { atUs: 4, kind: 'restart' },
        ],
      }),
    ).toMatch(/actions\[1\]\.atUs: must be between 5 and/);
    expect(message({ version: 1, actions: [{ atUs: 1, kind: '<script>' }] })).toMatch(
      /is not an action name/,
    );
    expect(message({ version: 1, workloads: [{ mix: { put: 0 } }] })).toMatch(
      /needs a kind with weight above 0/,
    );
    expect(message({ version: 1, workloads: [{ keySpace: 3, watchRanges: 4 }] })).toMatch(
      /workloads\[0\]\.watchRanges: must be at most keySpace \(3\): each range needs a key, got 4/,
    );
    expect(message({ version: 1, workloads: [{ watchSpreadMs: -1 }] })).toMatch(
      /workloads\[0\]\.watchSpreadMs: must be between 0 and/,
    );
  });

  it("keeps the watchers' ranges and arrival spread", () => {
    const w = { keySpace: 4, watchers: 40, watchRanges: 4, watchSpreadMs: 400 };
    expect(parseScenario({ version: 1, workloads: [w] }).workloads[0]).toMatchObject(w);
  });

  it('caps sizes', () => {
    const actions = Array.from({ length: MAX_ACTIONS + 1 }, (_, i) => ({ atUs: i, kind: 'tick' }));
    expect(message({ version: 1, actions })).toMatch(/actions: has 10001 entries; at most 10000/);
    expect(message({ version: 1, title: 'x'.repeat(5000) })).toMatch(
      /title: is longer than 4096 bytes/,
    );
  });

  it('never throws anything but a ScenarioError, whatever the input', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        message(v);
        message({ version: 1, settings: v });
        message({ version: 1, actions: [v] });
        message({ version: 1, workloads: [v] });
      }),
    );
  });
});
