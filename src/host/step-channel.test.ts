// The worker host's step channel over a real MessageChannel (structured clone included).
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchBounds } from '../sim/batch';
import type { HostInput, HostOutput } from './node-runner';
import { serveSteps, StepChannel } from './step-channel';

const bounds: BatchBounds = { messageUs: 1000, durableUs: 2000, tickUs: 100_000, clientUs: 0 };
const output = (tag: number): HostOutput => ({
  messages: [],
  writes: [tag],
  responses: [],
  trace: [{ kind: 'tag', data: new Uint8Array([tag]) }],
});

let ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports) p.close();
  ports = [];
});

function connect(node: Parameters<typeof serveSteps>[1]): StepChannel {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  serveSteps(port2, node);
  const channel = new StepChannel(port1);
  port1.start();
  port2.start();
  return channel;
}

describe('StepChannel', () => {
  it('carries step and stepMany and their answers, copies and all', async () => {
    const seen: unknown[] = [];
    const channel = connect({
      async step(atUs, input) {
        seen.push([atUs, input]);
        return output(atUs);
      },
      async stepMany(inputs, b) {
        seen.push([inputs, b]);
        return {
          outputs: inputs.map((x) => output(x.atUs)),
          steps: inputs.map((_, i) => ({ input: i })),
        };
      },
    });
    const tick: HostInput = { kind: 'tick' };
    expect(await channel.step(7, tick)).toEqual(output(7));
    const many = await channel.stepMany(
      [
        { atUs: 1, input: tick },
        { atUs: 2, input: { kind: 'durable', writeId: 4 } },
      ],
      bounds,
    );
    expect(many.outputs).toEqual([output(1), output(2)]);
    expect(many.steps).toEqual([{ input: 0 }, { input: 1 }]);
    expect(seen).toEqual([
      [7, tick],
      [
        [
          { atUs: 1, input: tick },
          { atUs: 2, input: { kind: 'durable', writeId: 4 } },
        ],
        bounds,
      ],
    ]);
  });

  it('answers calls in flight together each with its own result, whatever order they finish in', async () => {
    const release: (() => void)[] = [];
    const channel = connect({
      step: (atUs) => new Promise((resolve) => release.push(() => resolve(output(atUs)))),
      stepMany: () => Promise.reject(new Error('unused')),
    });
    const a = channel.step(1, { kind: 'tick' });
    const b = channel.step(2, { kind: 'tick' });
    while (release.length < 2) await new Promise((r) => setTimeout(r, 1));
    release[1]!();
    release[0]!();
    expect(await Promise.all([a, b])).toEqual([output(1), output(2)]);
  });

  it('rethrows what the node threw, by name and message, and goes on answering', async () => {
    let calls = 0;
    const channel = connect({
      step: () => {
        calls++;
        if (calls === 1) throw new RangeError('node worker: no member started');
        return Promise.resolve(output(9));
      },
      stepMany: () => Promise.reject(new TypeError('bad batch')),
    });
    await expect(channel.step(1, { kind: 'tick' })).rejects.toMatchObject({
      name: 'RangeError',
      message: 'node worker: no member started',
    });
    await expect(channel.stepMany([], bounds)).rejects.toMatchObject({
      name: 'TypeError',
      message: 'bad batch',
    });
    expect(await channel.step(2, { kind: 'tick' })).toEqual(output(9));
  });

  it("leaves other messages on the port (comlink's) alone", async () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    let served = 0;
    serveSteps(port2, {
      step: async () => {
        served++;
        return output(1);
      },
      stepMany: () => Promise.reject(new Error('unused')),
    });
    const others: unknown[] = [];
    port1.addEventListener('message', (ev) => others.push(ev.data));
    const channel = new StepChannel(port1);
    port1.start();
    port2.start();
    port1.postMessage({ id: 'comlink-1', type: 'APPLY', path: ['inspect'] });
    expect(await channel.step(1, { kind: 'tick' })).toEqual(output(1));
    expect(served).toBe(1);
    expect(others).toHaveLength(1); // the reply only: the comlink message was not answered
  });
});
