import { describe, expect, it } from 'vitest';
import { earliestConsequence, runBatch, type BatchBounds, type TimedInput } from './batch';
import type { Envelope, NodeOutput } from './host-contract';

type Out = NodeOutput<Envelope, string>;
const bounds: BatchBounds = { messageUs: 1000, durableUs: 2000, tickUs: 100_000, clientUs: 0 };
const none = (): Out => ({ messages: [], writes: [], responses: [], trace: [] });
const at = (...times: number[]): TimedInput<Envelope, never>[] =>
  times.map((atUs) => ({ atUs, input: { kind: 'durable', writeId: atUs } }));
const wakeAt = (atUs: number): Out => ({ ...none(), wakeAtUs: atUs });

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
    expect(r.failed).toEqual({ name: 'RangeError', message: 'boom', step: { input: 1 } });
  });
});

describe('runBatch delivering the node’s own wake-ups', () => {
  /** Runs `inputs`, answering each step with the next of `outs` (none() when they run out). */
  async function run(inputs: TimedInput<Envelope, never>[], b: BatchBounds, outs: Out[]) {
    const ran: [number, string][] = [];
    const r = await runBatch(inputs, b, async (atUs, input) => {
      ran.push([atUs, input.kind]);
      return outs.shift() ?? none();
    });
    return { ...r, ran };
  }
  const own = { ...bounds, wakesBeforeUs: 1000 };

  it('delivers a wake-up it asked for in its place among the inputs', async () => {
    const r = await run(at(10, 30), own, [wakeAt(15)]);
    expect(r.steps).toEqual([{ input: 0 }, { wakeUs: 15 }, { input: 1 }]);
    expect(r.ran).toEqual([
      [10, 'durable'],
      [15, 'wake'],
      [30, 'durable'],
    ]);
  });

  it('after an input queued for the same time, and at the time it asked if that has passed', async () => {
    const tie = await run(at(10, 30), own, [wakeAt(30)]);
    expect(tie.steps).toEqual([{ input: 0 }, { input: 1 }, { wakeUs: 30 }]);
    const past = await run(at(10), own, [wakeAt(3)]);
    expect(past.steps).toEqual([{ input: 0 }, { wakeUs: 10 }]);
  });

  it('chains wake-ups while each is due before the next input', async () => {
    const r = await run(at(10, 100), own, [wakeAt(20), wakeAt(40), wakeAt(60)]);
    expect(r.steps).toEqual([
      { input: 0 },
      { wakeUs: 20 },
      { wakeUs: 40 },
      { wakeUs: 60 },
      { input: 1 },
    ]);
  });

  it('leaves a wake-up due at or past wakesBeforeUs to the conductor, and stops before inputs after it', async () => {
    const r = await run(at(10, 30), { ...bounds, wakesBeforeUs: 15 }, [wakeAt(15)]);
    expect(r.steps).toEqual([{ input: 0 }]);
    // no wakesBeforeUs at all: the same
    const never = await run(at(10, 30, 31), bounds, [wakeAt(20)]);
    expect(never.steps).toEqual([{ input: 0 }]);
  });

  it('leaves a wake-up a consequence could precede to the conductor', async () => {
    // A response at 10 may bring a request at 10 + clientUs (12): the wake-up at 15 is not the
    // batch's to deliver, and the input at 30 may not run.
    const resp: Out = { ...wakeAt(15), responses: [{ clientId: 1, requestId: 1, response: 'ok' }] };
    const r = await run(at(10, 30), { ...own, clientUs: 2 }, [resp]);
    expect(r.steps).toEqual([{ input: 0 }]);
  });

  it('drops the queued wake-up a sooner one replaced, and ignores a later one asked for', async () => {
    const queued: TimedInput<Envelope, never>[] = [
      ...at(10),
      { atUs: 50, input: { kind: 'wake' } },
      ...at(60),
    ];
    const replaced = await run(queued, { ...own, wakeAtUs: 50 }, [wakeAt(20)]);
    expect(replaced.steps).toEqual([{ input: 0 }, { wakeUs: 20 }, { input: 2 }]);
    const ignored = await run(queued, { ...own, wakeAtUs: 50 }, [wakeAt(70)]);
    expect(ignored.steps).toEqual([{ input: 0 }, { input: 1 }, { input: 2 }]);
  });

  it('stops before inputs after a pending wake-up that was queued but not offered', async () => {
    const r = await run(at(10, 60), { ...own, wakeAtUs: 50 }, []);
    expect(r.steps).toEqual([{ input: 0 }]);
  });

  it('names a wake-up that threw', async () => {
    let calls = 0;
    const r = await runBatch(at(10), own, async () => {
      if (++calls === 2) throw new Error('wake failed');
      return wakeAt(20);
    });
    expect(r.failed).toEqual({ name: 'Error', message: 'wake failed', step: { wakeUs: 20 } });
  });
});
