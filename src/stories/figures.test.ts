// Story figures from hand-made records: what each counts, where the stories' own runs cannot
// show it (the quick runs land on one seed each).
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../sim/conductor';
import { partitionFigures, type StoryRun } from './figures';
import { PARTITION_CUT_US, PARTITION_HEAL_US } from './index';

const runOf = (records: TraceRecord[]): StoryRun => ({
  session: {} as StoryRun['session'],
  records,
  counts: new Map(),
  readsServedByRounds: 0,
});

const call = (kind: 'request' | 'response', atUs: number, node: number, requestId: number) =>
  ({
    kind,
    atUs,
    node,
    clientId: 1000,
    requestId,
    ok: kind === 'response' || undefined,
  }) as TraceRecord;

describe('partitionFigures (story 3)', () => {
  it('counts the puts made during the partition, by who answered them', () => {
    const cut = PARTITION_CUT_US;
    const f = partitionFigures(
      runOf([
        { kind: 'state', atUs: 1_000_000, node: 2, to: 'StateLeader' } as TraceRecord,
        // made before the cut, answered by the old leader just after it: a quorum had it already
        call('request', cut - 2_000, 2, 1),
        call('response', cut + 1_600, 2, 1),
        // made during the partition: one answered by the majority, one refused
        call('request', cut + 900_000, 4, 2),
        call('response', cut + 910_000, 4, 2),
        call('request', cut + 950_000, 2, 3),
        { ...call('response', cut + 950_000, 2, 3), ok: false } as TraceRecord,
        // made during it, answered after the heal: not counted
        call('request', PARTITION_HEAL_US - 1_000, 5, 4),
        call('response', PARTITION_HEAL_US + 5_000, 5, 4),
      ]),
    );
    expect(f).toEqual({
      minority_acknowledged_puts: 0,
      majority_acknowledged_puts: 1,
      failed_puts: 1,
      violations: 0,
    });
  });

  it('counts a put the isolated leader answers that was made during the partition', () => {
    const cut = PARTITION_CUT_US;
    const f = partitionFigures(
      runOf([
        { kind: 'state', atUs: 1_000_000, node: 2, to: 'StateLeader' } as TraceRecord,
        call('request', cut + 1_000, 2, 7),
        call('response', cut + 9_000, 2, 7),
      ]),
    );
    expect(f.minority_acknowledged_puts).toBe(1);
  });
});
