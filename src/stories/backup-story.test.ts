// The backup story shows its point: after the cluster is lost and restored from the file, every
// member has the backup's keys at the backup's revision, and the write made after it is gone.
import { describe, expect, it } from 'vitest';
import type { RangeResponse } from '../mvcc/types';
import type { TraceRecord } from '../sim/conductor';
import { Session } from '../sim/session';
import { BACKUP_RESTORE_US, backupScenario } from './backup-story';

const utf8 = new TextEncoder();
const text = new TextDecoder();

describe('the backup story', () => {
  it('brings the backup’s keys back on every member, without the later write', async () => {
    const scenario = backupScenario();
    const trace: TraceRecord[] = [];
    const s = await Session.start(scenario, { onTrace: (r) => trace.push(r) });
    await s.runTo(scenario.cursorUs);
    expect(trace.find((r) => r.kind === 'snapshot-saved')).toMatchObject({ revision: 3 });
    expect(trace.filter((r) => r.kind === 'action-failed')).toEqual([]);
    expect(s.invariants.violation).toBeUndefined();
    for (const node of [1, 2, 3]) {
      const r = await s.cluster.call(node, {
        method: 'range',
        body: {
          key: utf8.encode('config/'),
          range_end: utf8.encode('config0'),
          serializable: true,
        },
      });
      if (!r.ok) throw new Error(r.error.message);
      const body = r.body as RangeResponse;
      expect(body.header.revision).toBe(3);
      expect(
        body.kvs.map((kv) => `${text.decode(kv.key)}=${text.decode(kv.value)}@${kv.mod_revision}`),
      ).toEqual(['config/cache=redis@3', 'config/db=postgres@2']);
    }
    // the members came back as a new cluster: a leader elected after the restore, in a low term
    const leaders = trace.filter(
      (r) => r.kind === 'state' && r.to === 'StateLeader' && r.atUs > BACKUP_RESTORE_US,
    );
    expect(leaders.length).toBeGreaterThan(0);
    expect(leaders[0]!.term).toBe(2);
  });
});
