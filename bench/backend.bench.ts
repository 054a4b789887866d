// The backend model: its own cost in wall time per call, and source article 004's experiment in
// simulated time (p99 latencies per lock mode, the article's table). `npm run bench -- backend`.
import { Backend, runReadWriteMix } from '../src/mvcc/backend';
import type { LockMode } from '../src/mvcc/backend';
import { report, timePerOpUs } from './lib/harness';
import type { Figure } from './lib/harness';

const figures: Figure[] = [];

for (const lockMode of ['coarse', 'rwlock', 'concurrent'] as const) {
  const backend = new Backend({ lockMode });
  let nowUs = 0;
  let i = 0;
  const us = timePerOpUs(() => {
    nowUs += 50;
    if (i++ % 3 === 0) backend.write(nowUs, { keysWritten: 1, bytesWritten: 1024 });
    else backend.read(nowUs, { keysScanned: 10, bytesRead: 10_240 });
  });
  figures.push({ name: `model call (2 reads : 1 write), ${lockMode}`, value: us, unit: 'µs/op' });
}

const modes: LockMode[] = ['coarse', 'rwlock', 'concurrent'];
for (const expensiveReads of [false, true]) {
  for (const lockMode of modes) {
    const r = runReadWriteMix({ lockMode, expensiveReads });
    const mix = expensiveReads ? 'expensive+cheap read+write' : 'cheap read+write';
    const notes = `simulated 10 s, ${r.cheapReads} cheap reads, ${r.writes} writes, ${r.expensiveReads} expensive reads`;
    figures.push({
      name: `p99 cheap read, ${mix}, ${lockMode}`,
      value: r.p99CheapReadMs,
      unit: 'ms',
      notes,
    });
    figures.push({ name: `p99 write, ${mix}, ${lockMode}`, value: r.p99WriteMs, unit: 'ms' });
    if (expensiveReads) {
      figures.push({
        name: `p99 expensive read, ${mix}, ${lockMode}`,
        value: r.p99ExpensiveReadMs,
        unit: 'ms',
      });
    }
  }
}

report('backend', figures);
