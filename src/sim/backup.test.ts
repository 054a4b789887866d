// Backups through a run (issue 10, article 002): snapshot-save reads a member and changes nothing
// else in the trace; snapshot-restore brings a stopped cluster back from the file as a new
// cluster (keys and revision kept, writes after the save gone, the checkers quiet); a run
// restored from a file (scenario.restore) starts every member from it, with the membership of its
// own settings; a damaged file is refused by name; everything replays to the same trace hash.
import { describe, expect, it } from 'vitest';
import { decodeBackup } from '../mvcc/backup';
import { toBase64Url } from '../scenario/link-codec';
import { parseScenario, ScenarioError, type Scenario } from '../scenario/schema';
import type { RangeResponse } from '../mvcc/types';
import type { ClientResponse } from '../server/requests';
import type { TraceRecord } from './conductor';
import { Session } from './session';

const utf8 = new TextEncoder();
const text = new TextDecoder();

const base = (extra: Partial<Scenario> = {}): Scenario =>
  parseScenario({ version: 1, seed: 7, ...extra });

const at = (ms: number) => ms * 1000;

/** Writes a=1, b=2 (leased), c=3, then at 2 s saves n2's backend as backup.db. */
function saveActions(): Scenario['actions'] {
  return [
    { atUs: at(1500), kind: 'put', node: 1, key: 'a', value: '1' },
    { atUs: at(1600), kind: 'lease-put', node: 1, id: 9, ttl: 600 },
    { atUs: at(1700), kind: 'put', node: 2, key: 'c', value: '3' },
    { atUs: at(2000), kind: 'snapshot-save', node: 2, file: 'backup.db' },
  ];
}

async function get(s: Session, node: number, key: string): Promise<RangeResponse> {
  const r: ClientResponse = await s.cluster.call(node, {
    method: 'range',
    body: { key: utf8.encode(key) },
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.body as RangeResponse;
}

const trace = (s: Session): TraceRecord[] =>
  Array.from({ length: s.timeline.length }, (_, i) => s.timeline.record(i)!);
const kinds = (s: Session) => trace(s).map((r) => r.kind);

describe('snapshot-save', () => {
  it('keeps the file in the run and changes no other trace record', async () => {
    const withSave = await Session.start(base({ actions: saveActions() }));
    await withSave.runTo(at(3000));
    const without = await Session.start(base({ actions: saveActions().slice(0, 3) }));
    await without.runTo(at(3000));
    const file = withSave.backups.get('backup.db')!;
    const saved = trace(withSave).find((r) => r.kind === 'snapshot-saved')!;
    const got = decodeBackup(file);
    expect(saved).toMatchObject({ node: 2, file: 'backup.db', revision: got.status.revision });
    expect(got.memberId).toBe(2);
    // a=1, c=3 and the leased key: revision 4
    expect(got.status.revision).toBe(4);
    const rest = trace(withSave).filter((r) => r.kind !== 'snapshot-saved');
    expect(JSON.stringify(rest)).toBe(JSON.stringify(trace(without)));
  });

  it('fails, recorded, on a member that is down', async () => {
    const s = await Session.start(
      base({
        actions: [
          { atUs: at(1000), kind: 'crash', node: 3 },
          { atUs: at(1100), kind: 'snapshot-save', node: 3, file: 'x.db' },
        ],
      }),
    );
    await s.runTo(at(1200));
    expect(trace(s).find((r) => r.kind === 'action-failed')).toMatchObject({
      action: 'snapshot-save',
      error: 'n3 is down: connection refused',
    });
    expect(s.backups.size).toBe(0);
  });
});

/** The story's shape: save, a write after it, every member crashed, restore, keys back. */
function disasterActions(): Scenario['actions'] {
  return [
    ...saveActions(),
    { atUs: at(2100), kind: 'put', node: 1, key: 'after', value: 'lost' },
    { atUs: at(2500), kind: 'crash', node: 1 },
    { atUs: at(2500), kind: 'crash', node: 2 },
    { atUs: at(2500), kind: 'crash', node: 3 },
    { atUs: at(3000), kind: 'snapshot-restore', file: 'backup.db' },
  ];
}

describe('snapshot-restore in a run', () => {
  it('brings the keyspace back at its revision as a new cluster; later writes are gone', async () => {
    const s = await Session.start(base({ actions: disasterActions() }));
    await s.runTo(at(3000));
    const lead = await s.cluster.leaderOf();
    const a = await get(s, lead, 'a');
    expect(text.decode(a.kvs[0]!.value)).toBe('1');
    expect(a.kvs[0]!.mod_revision).toBe(2);
    expect((await get(s, lead, 'lease/9')).kvs).toHaveLength(1);
    expect((await get(s, lead, 'after')).kvs).toHaveLength(0);
    // revision kept: the next write is the file's revision + 1
    const put = await s.cluster.call(lead, {
      method: 'put',
      body: { key: utf8.encode('new'), value: utf8.encode('x') },
    });
    expect(put.ok && put.body.header.revision).toBe(5);
    expect(s.restoredAtUs).toBe(at(3000));
    expect(s.invariants.violation).toBeUndefined();
    expect(kinds(s)).toContain('cluster-restored');
    // a fresh log: the leader's term starts again from 1
    const st = await s.cluster.call(lead, { method: 'status', body: {} });
    expect(st.ok && 'raftTerm' in st.body && st.body.raftTerm).toBeLessThan(5);
  });

  it('replays to the same trace hash (the link carries no bytes)', async () => {
    const s = await Session.start(base({ actions: disasterActions() }));
    await s.runTo(at(6000));
    const again = await Session.open(s.toScenario(at(6000)));
    expect(again.traceHash).toBe(s.traceHash);
  });

  it('is refused while a member runs, or for a file never saved', async () => {
    const actions = saveActions();
    actions.push(
      { atUs: at(2500), kind: 'crash', node: 1 },
      { atUs: at(2600), kind: 'snapshot-restore', file: 'backup.db' },
      { atUs: at(2700), kind: 'snapshot-restore', file: 'other.db' },
    );
    const s = await Session.start(base({ actions }));
    await s.runTo(at(2800));
    const failed = trace(s).filter((r) => r.kind === 'action-failed');
    expect(failed.map((r) => r.error)).toEqual([
      'every member must be stopped before a restore; n2, n3 still running',
      'open other.db: no such file or directory (no snapshot of that name was saved in this run)',
    ]);
    expect(kinds(s)).not.toContain('cluster-restored');
  });
});

async function savedFile(): Promise<Uint8Array> {
  const s = await Session.start(base({ actions: saveActions() }));
  await s.runTo(at(2100));
  return s.backups.get('backup.db')!;
}

describe('a run restored from a file (scenario.restore)', () => {
  it('starts every member from the keyspace, with its own membership, deterministically', async () => {
    const file = await savedFile();
    const scenario = base({
      settings: { ...base().settings, size: 5 },
      restore: { file: 'backup.db', snapshot: toBase64Url(file) },
    });
    const s = await Session.start(scenario);
    const lead = await s.cluster.leaderOf();
    expect(text.decode((await get(s, lead, 'c')).kvs[0]!.value)).toBe('3');
    for (const n of [1, 2, 3, 4, 5]) {
      const r = await s.cluster.call(n, {
        method: 'range',
        body: { key: utf8.encode('a'), serializable: true },
      });
      expect(r.ok && (r.body as RangeResponse).kvs[0]?.mod_revision).toBe(2);
    }
    const members = await s.cluster.call(lead, { method: 'memberList', body: {} });
    expect(
      members.ok && 'members' in members.body && members.body.members.map((m) => m.ID),
    ).toEqual([1, 2, 3, 4, 5]);
    expect(s.restoredAtUs).toBe(0);
    expect(s.invariants.violation).toBeUndefined();
  });

  it('replays to the same trace hash', async () => {
    const scenario = base({
      restore: { file: 'backup.db', snapshot: toBase64Url(await savedFile()) },
      actions: [{ atUs: at(1500), kind: 'put', node: 1, key: 'a', value: 'again' }],
    });
    const one = await Session.start(scenario);
    await one.runTo(at(3000));
    const two = await Session.open(one.toScenario(at(3000)));
    expect(two.traceHash).toBe(one.traceHash);
    expect(trace(one).some((r) => r.kind === 'response' && r.revision === 5)).toBe(true);
  });

  it('refuses a damaged file by name, and accepts it with skipHashCheck if only the hash is off', async () => {
    const file = await savedFile();
    const flipped = file.slice();
    flipped[10] = (flipped[10] as number) ^ 1;
    const bad = () =>
      parseScenario({ version: 1, restore: { file: 'b.db', snapshot: toBase64Url(flipped) } });
    expect(bad).toThrow(ScenarioError);
    expect(bad).toThrow(/^scenario restore\.snapshot: expected sha256 \[/);
    const hashOff = file.slice();
    hashOff[file.length - 1] = (hashOff[file.length - 1] as number) ^ 1;
    const snapshot = toBase64Url(hashOff);
    expect(() => parseScenario({ version: 1, restore: { file: 'b.db', snapshot } })).toThrow(
      /expected sha256/,
    );
    const ok = parseScenario({
      version: 1,
      restore: { file: 'b.db', snapshot, skipHashCheck: true },
    });
    expect(ok.restore?.skipHashCheck).toBe(true);
    expect(() => parseScenario({ version: 1, restore: { file: 'b.db', snapshot: '@@' } })).toThrow(
      'scenario restore.snapshot: is not base64url text',
    );
  });
});
