// NodeRunner's real writes: what the simulation declared durable reaches the disk, in order, in
// groups, and flush() waits for all of it without waiting out a group window.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { nodeSpecs } from '../sim/cluster';
import type { DiskWrite } from '../storage/disk';
import { MemoryDisk } from '../storage/memory-disk';
import { NodeRunner, type HostOutput } from './node-runner';

/** A memory disk that records each group it is handed. */
class GroupsDisk extends MemoryDisk {
  readonly groups: number[] = [];
  override async writeAll(ws: readonly DiskWrite[]): Promise<void> {
    this.groups.push(ws.length);
    await super.writeAll(ws);
  }
}

/** Boots a one-member cluster and ticks it until it has asked for `n` writes. */
async function bootWithWrites(disk: MemoryDisk, n: number, groupWindowMs: number) {
  const [spec] = nodeSpecs({ ...DEFAULT_SETTINGS, size: 1 }, 3);
  const { runner, out } = await NodeRunner.boot(spec!, disk, 0, 1, groupWindowMs);
  const writes = [...out.writes];
  const tickUs = DEFAULT_SETTINGS.heartbeatMs * 1000;
  for (let t = 1; writes.length < n && t < 100; t++) {
    const next: HostOutput = await runner.step(t * tickUs, { kind: 'tick' });
    writes.push(...next.writes);
  }
  expect(writes.length).toBeGreaterThanOrEqual(n);
  return { runner, writes };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('NodeRunner group commits', () => {
  it('with a window, writes declared durable meanwhile go to the disk as one group', async () => {
    vi.useFakeTimers();
    const disk = new GroupsDisk('n1');
    const { runner, writes } = await bootWithWrites(disk, 2, 20);
    for (const id of writes) await runner.step(1e7, { kind: 'durable', writeId: id });
    await vi.advanceTimersByTimeAsync(5);
    expect(disk.groups).toEqual([]); // still inside the window
    await vi.advanceTimersByTimeAsync(20);
    expect(disk.groups).toEqual([writes.length]);
    await runner.flush();
    const reloaded = await disk.load();
    expect(reloaded.hardState.term).toBeGreaterThan(0);
  });

  it('flush() writes everything at once rather than waiting out the window', async () => {
    const disk = new GroupsDisk('n1');
    const { runner, writes } = await bootWithWrites(disk, 1, 60_000);
    for (const id of writes) await runner.step(1e7, { kind: 'durable', writeId: id });
    await runner.flush(); // a minute's window would time the test out
    expect(disk.groups).toEqual([writes.length]);
  });

  it('without a window, each group starts at once', async () => {
    const disk = new GroupsDisk('n1');
    const { runner, writes } = await bootWithWrites(disk, 2, 0);
    for (const id of writes) await runner.step(1e7, { kind: 'durable', writeId: id });
    await runner.flush();
    expect(disk.groups.reduce((a, b) => a + b, 0)).toBe(writes.length);
    expect(disk.groups[0]).toBe(1);
  });
});
