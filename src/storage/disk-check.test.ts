import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { runDiskCheck } from './disk-check';

describe('runDiskCheck', () => {
  it('reads back what it wrote and counts boots across reopenings', async () => {
    const first = await runDiskCheck('raftlab-test-disk-a', 'probe-1');
    expect(first).toEqual({
      database: 'raftlab-test-disk-a',
      bootCount: 1,
      wrote: 'probe-1',
      readBack: 'probe-1',
    });
    const second = await runDiskCheck('raftlab-test-disk-a', 'probe-2');
    expect(second.bootCount).toBe(2);
    expect(second.readBack).toBe('probe-2');
  });

  it('keeps databases apart', async () => {
    await runDiskCheck('raftlab-test-disk-b', 'x');
    const other = await runDiskCheck('raftlab-test-disk-c', 'y');
    expect(other.bootCount).toBe(1);
  });

  it('refuses an empty database name with a clear message', async () => {
    await expect(runDiskCheck('', 'p')).rejects.toThrow(/database name must not be empty/);
  });
});
