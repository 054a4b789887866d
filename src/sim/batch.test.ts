import { describe, expect, it } from 'vitest';
import { earliestConsequence, runBatch, type BatchBounds, type TimedInput } from './batch';
import type { Envelope, NodeOutput } from './host-contract';

type Out = NodeOutput<Envelope, string>;
const bounds: BatchBounds = { messageUs: 1000, durableUs: 2000, tickUs: 100_000 };
const none = (): Out => ({ messages: [], writes: [], responses: [], trace: [] });
const at = (...times: number[]): TimedInput<Envelope, never>[] =>
  times.map((atUs) => ({ atUs, input: { kind: 'wake' } }));

describe('runBatch', () => {
  it('runs every input when nothing they cause can come before the next', async () => {
    const r = await runBatch(at(10, 20, 30), bounds, async () => none());
    expect(r.outputs).toHaveLength(3);
    expect(r.failed).toBeUndefined();
  });

  it('stops before the first input a consequence could precede, not at a tie', async () => {
    // The first sends a message (arrives >= 1010): 1010 still runs, 1011 does not.
    const outs: Out[] = [{ ...none(), messages: [{ from: 1, to: 2, type: 'm' }] }, none(), none()];
    const r = await runBatch(at(10, 1010, 1011), bounds, async () => outs.shift()!);
    expect(r.outputs).toHaveLength(2);
  });

  it('treats a response as able to bring a request at once, and a wake at its time', () => {
    const resp: Out = { ...none(), responses: [{ clientId: 1, requestId: 1, response: 'ok' }] };
    expect(earliestConsequence(50, { kind: 'wake' }, resp, bounds)).toBe(50);
    expect(earliestConsequence(50, { kind: 'wake' }, { ...none(), wakeAtUs: 70 }, bounds)).toBe(70);
    expect(earliestConsequence(50, { kind: 'wake' }, { ...none(), wakeAtUs: 10 }, bounds)).toBe(50);
    expect(earliestConsequence(50, { kind: 'tick' }, none(), bounds)).toBe(100_050);
    expect(earliestConsequence(50, { kind: 'wake' }, { ...none(), writes: [1] }, bounds)).toBe(
      2050,
    );
    expect(earliestConsequence(50, { kind: 'wake' }, none(), bounds)).toBe(Infinity);
  });

  it('returns what ran before a throw, with the error, and runs nothing after it', async () => {
    let calls = 0;
    const r = await runBatch(at(1, 2, 3), bounds, async () => {
      if (++calls === 2) throw new RangeError('boom');
      return none();
    });
    expect(calls).toBe(2);
    expect(r.outputs).toHaveLength(1);
    expect(r.failed).toEqual({ name: 'RangeError', message: 'boom' });
  });
});
