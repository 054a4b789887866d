import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../sim/conductor';
import { Session } from '../../sim/session';
import { READ_START_MS, readScenario } from '../../stories';
import type { ReadPath } from '../../scenario/schema';
import {
  ANSWER_FLASH_US,
  ReadRounds,
  badgeLines,
  readRoundsOf,
  roundsPerRead,
} from './read-rounds';

const fold = (records: TraceRecord[]): ReadRounds => {
  const rr = new ReadRounds();
  rr.update(records.length, (i) => records[i]);
  return rr;
};

const rec = (atUs: number, kind: string, node: number | undefined, f: object = {}) =>
  ({ atUs, kind, ...(node === undefined ? {} : { node }), ...f }) as TraceRecord;

/** Client call `c/r` as a read at `node` on `path`. */
const read = (atUs: number, node: number, r: number, path = 'read-index') =>
  rec(atUs, 'read', node, { path, clientId: 1001, requestId: r });
const send = (atUs: number, node: number, msgId: number, to: number, type: string, f = {}) =>
  rec(atUs, 'send', node, { msgId, to, type, deliverAtUs: [atUs + 10], ...f });
const recv = (atUs: number, node: number, msgId: number, from: number, type: string) =>
  rec(atUs, 'recv', node, { msgId, from, type });
const answer = (atUs: number, node: number, r: number, ok = true) =>
  rec(atUs, 'response', node, { clientId: 1001, requestId: r, ok });

describe('a ReadIndex round at the leader', () => {
  // n1 leads a 3-member cluster; two reads share round r1, a third waits for the next.
  const trace = [
    read(100, 1, 1),
    rec(100, 'read-index', 1, { ctx: '1.0.r1', batch: 1, reqs: ['1001/1'] }),
    send(100, 1, 10, 2, 'MsgHeartbeat', { ctx: '1.0.r1' }),
    send(100, 1, 11, 3, 'MsgHeartbeat', { ctx: '1.0.r1' }),
    read(105, 1, 2),
    read(106, 1, 3),
    recv(110, 2, 10, 1, 'MsgHeartbeat'),
    send(110, 2, 12, 1, 'MsgHeartbeatResp', { ctx: '1.0.r1' }),
    send(115, 1, 13, 2, 'MsgApp', { index: 4, entries: 1 }),
    recv(120, 1, 12, 2, 'MsgHeartbeatResp'),
    rec(120, 'read-state', 1, { ctx: '1.0.r1', index: 7 }),
    rec(125, 'read-served', 1, { ctx: '1.0.r1', index: 7, batch: 1 }),
    rec(125, 'read-index', 1, { ctx: '1.0.r2', batch: 2, reqs: ['1001/2', '1001/3'] }),
    send(125, 1, 14, 2, 'MsgHeartbeat', { ctx: '1.0.r2' }),
    answer(126, 1, 1),
  ];
  const rr = fold(trace);

  it('queues reads while a round is out, and counts acks toward the quorum', () => {
    const at105 = rr.sceneAt(105).nodes.get(1)!;
    expect(at105.queued).toBe(1);
    expect(at105.round).toMatchObject({
      ctx: '1.0.r1',
      batch: 1,
      phase: 'heartbeat',
      acks: 1,
      quorum: 2,
      leader: 1,
      lease: false,
    });
    expect(rr.sceneAt(110).nodes.get(1)!.queued).toBe(2);
    // The ack is on the wire at 110 and reaches the leader at 120, with the read index.
    expect(rr.sceneAt(119).nodes.get(1)!.round!.acks).toBe(1);
    const fixed = rr.sceneAt(120).nodes.get(1)!.round!;
    expect(fixed).toMatchObject({ phase: 'apply', acks: 2, index: 7 });
  });

  it('serves the round once applied, and the queued reads go in the next', () => {
    const n1 = rr.sceneAt(125).nodes.get(1)!;
    expect(n1.queued).toBe(0);
    expect(n1.round).toMatchObject({ ctx: '1.0.r2', batch: 2, phase: 'heartbeat' });
    expect(n1.answered).toEqual([{ kind: 'read-index', count: 1 }]);
    expect(rr.sceneAt(125 + ANSWER_FLASH_US).nodes.get(1)?.answered ?? []).toEqual([]);
  });

  it('marks the heartbeats and acks that carry a read context, and nothing else', () => {
    expect(rr.marks.get(10)).toBe('read-hb');
    expect(rr.marks.get(12)).toBe('read-ack');
    expect(rr.marks.has(13)).toBe(false);
  });

  it('looks back exactly: before the first read there is nothing', () => {
    expect(rr.sceneAt(99).nodes.size).toBe(0);
    expect(rr.totalsAt(99).heartbeatRounds).toBe(0);
    expect(rr.totalsAt(130)).toEqual({
      readsOk: 1,
      heartbeatRounds: 2,
      leaseRounds: 0,
      logProposals: 0,
      localReads: 0,
    });
  });
});

describe('a follower round, and a lease answer', () => {
  it('goes to the leader as MsgReadIndex; the leader confirms it; the answer fixes the index', () => {
    const rr = fold([
      read(100, 2, 1),
      rec(100, 'read-index', 2, { ctx: '2.0.r1', batch: 1, reqs: ['1001/1'] }),
      send(100, 2, 20, 1, 'MsgReadIndex', { ctx: '2.0.r1', entries: 1 }),
      recv(110, 1, 20, 2, 'MsgReadIndex'),
      send(110, 1, 21, 2, 'MsgHeartbeat', { ctx: '2.0.r1' }),
      send(110, 1, 22, 3, 'MsgHeartbeat', { ctx: '2.0.r1' }),
      send(120, 3, 23, 1, 'MsgHeartbeatResp', { ctx: '2.0.r1' }),
      recv(130, 1, 23, 3, 'MsgHeartbeatResp'),
      send(130, 1, 24, 2, 'MsgReadIndexResp', { ctx: '2.0.r1', index: 9, entries: 1 }),
      recv(140, 2, 24, 1, 'MsgReadIndexResp'),
      rec(140, 'read-state', 2, { ctx: '2.0.r1', index: 9 }),
      rec(150, 'read-served', 2, { ctx: '2.0.r1', index: 9, batch: 1 }),
    ]);
    expect(rr.sceneAt(105).nodes.get(2)!.round).toMatchObject({ phase: 'forwarded' });
    expect(rr.sceneAt(105).nodes.get(2)!.round!.leader).toBeUndefined();
    const hb = rr.sceneAt(115);
    expect(hb.nodes.get(2)!.round).toMatchObject({ phase: 'heartbeat', leader: 1, acks: 1 });
    expect(hb.nodes.get(1)!.confirming).toBe(1);
    expect(rr.sceneAt(135).nodes.get(2)!.round).toMatchObject({ phase: 'fixed', index: 9 });
    expect(rr.sceneAt(135).nodes.get(1)?.confirming ?? 0).toBe(0);
    expect(rr.sceneAt(145).nodes.get(2)!.round!.phase).toBe('apply');
    expect(rr.sceneAt(150).nodes.get(2)!.round).toBeUndefined();
    expect(rr.marks.get(20)).toBe('read-fwd');
    expect(rr.marks.get(24)).toBe('read-fwd');
  });

  it('a round fixed with no heartbeat is a lease read', () => {
    const rr = fold([
      read(100, 1, 1, 'lease'),
      rec(100, 'read-index', 1, { ctx: '1.0.r1', batch: 1, reqs: ['1001/1'] }),
      rec(100, 'read-state', 1, { ctx: '1.0.r1', index: 3 }),
      rec(100, 'read-served', 1, { ctx: '1.0.r1', index: 3, batch: 1 }),
      answer(101, 1, 1),
    ]);
    expect(rr.sceneAt(100).nodes.get(1)!.answered).toEqual([{ kind: 'lease', count: 1 }]);
    const totals = rr.totalsAt(200);
    expect(totals).toMatchObject({ leaseRounds: 1, heartbeatRounds: 0, readsOk: 1 });
    expect(roundsPerRead(totals)).toBe(0);
  });
});

describe('a read through the log', () => {
  const rr = fold([
    read(100, 2, 1, 'log'),
    rec(100, 'propose', 2, { id: '2.0.1', method: 'range', crc: 777 }),
    send(100, 2, 30, 1, 'MsgProp', { entries: 1 }),
    recv(110, 1, 30, 2, 'MsgProp'),
    rec(110, 'persist', 1, { writeId: 4, entries: 1, ents: [[6, 2, 777]] }),
    send(110, 1, 31, 2, 'MsgApp', { index: 5, entries: 1 }),
    send(110, 1, 32, 3, 'MsgApp', { index: 5, entries: 1 }),
    rec(114, 'durable', 1, { writeId: 4 }),
    rec(120, 'persist', 2, { writeId: 9, entries: 1, ents: [[6, 2, 777]] }),
    rec(124, 'durable', 2, { writeId: 9 }),
    send(125, 1, 33, 2, 'MsgApp', { index: 6, entries: 0, commit: 6 }),
    rec(140, 'apply', 2, { index: 6, method: 'range' }),
    answer(141, 2, 1),
  ]);

  it('marks the proposal and the appends that carry its entry', () => {
    expect(rr.marks.get(30)).toBe('log-read');
    expect(rr.marks.get(31)).toBe('log-read');
    expect(rr.marks.get(32)).toBe('log-read');
    expect(rr.marks.has(33)).toBe(false); // a commit-only append carries no entry
  });

  it('shows the disk write of the entry on each member, and the read until it is answered', () => {
    expect(rr.sceneAt(112).nodes.get(1)!.fsyncs).toBe(1);
    expect(rr.sceneAt(114).nodes.get(1)?.fsyncs ?? 0).toBe(0);
    expect(rr.sceneAt(122).nodes.get(2)!.fsyncs).toBe(1);
    expect(rr.sceneAt(130).nodes.get(2)!.logReads).toBe(1);
    const done = rr.sceneAt(141).nodes.get(2)!;
    expect(done.logReads).toBe(0);
    expect(done.answered).toEqual([{ kind: 'log', count: 1 }]);
    expect(roundsPerRead(rr.totalsAt(141))).toBe(1);
  });
});

describe('reads answered locally, crashes, and reads taken again', () => {
  it('marks a serializable read as answered locally, with no round', () => {
    const rr = fold([read(100, 3, 1, 'serializable'), answer(101, 3, 1)]);
    expect(rr.sceneAt(100).nodes.get(3)!.answered).toEqual([{ kind: 'local', count: 1 }]);
    expect(rr.totalsAt(101)).toMatchObject({ localReads: 1, readsOk: 1, heartbeatRounds: 0 });
  });

  it('a crash ends what the member was doing; a read taken again leaves its old queue', () => {
    const rr = fold([
      read(100, 2, 1),
      read(100, 2, 2),
      read(100, 3, 3),
      rec(120, 'crash', 2),
      read(130, 3, 3, 'log'),
    ]);
    expect(rr.sceneAt(110).nodes.get(2)!.queued).toBe(2);
    expect(rr.sceneAt(120).nodes.get(2)?.queued ?? 0).toBe(0);
    expect(rr.sceneAt(130).nodes.get(3)).toMatchObject({ queued: 0, logReads: 1 });
  });

  it('ignores records of other shapes without failing', () => {
    const rr = fold([
      rec(1, 'read', undefined, {}),
      rec(2, 'read-index', 1, { reqs: 'nope' }),
      rec(3, 'persist', 1, { ents: [null, ['x']] }),
      rec(4, 'send', 1, { msgId: 1, type: 'MsgHeartbeat', ctx: 'unknown' }),
      rec(5, 'read-served', 1, { ctx: 'unknown' }),
    ]);
    expect(rr.sceneAt(10).nodes.get(1)?.round?.batch).toBe(0);
  });
});

/** Runs story 5's read workload with `clients` clients on `path` for `readsUs` of reads. */
async function readRun(path: ReadPath, clients: number, readsUs = 300_000) {
  const records: TraceRecord[] = [];
  const s = await Session.start(
    { ...readScenario(path, clients), cursorUs: 0 },
    {
      onTrace: (r) => records.push(r),
    },
  );
  const endUs = READ_START_MS * 1000 + readsUs;
  await s.runTo(endUs);
  await s.dispose();
  return { records, endUs, source: { length: records.length, record: (i: number) => records[i] } };
}

/** Scenes every 2 ms over the reads. */
function scenes(rr: ReadRounds, endUs: number) {
  const out = [];
  for (let t = READ_START_MS * 1000; t <= endUs; t += 2000) out.push(rr.sceneAt(t));
  return out;
}

describe('real runs of each read path', () => {
  it('ReadIndex: reads queue behind a round, heartbeats carry it, batches sum to reads served', async () => {
    const { records, endUs, source } = await readRun('read-index', 16);
    const rr = readRoundsOf(source);
    const all = scenes(rr, endUs);
    const nodes = all.flatMap((s) => [...s.nodes.values()]);
    expect(nodes.some((n) => n.queued > 0 && n.round?.phase === 'heartbeat')).toBe(true);
    expect(nodes.some((n) => n.round?.phase === 'apply' || n.round?.phase === 'fixed')).toBe(true);
    expect(nodes.every((n) => n.logReads === 0 && n.fsyncs === 0)).toBe(true);
    const marks = new Set(rr.marks.values());
    expect(marks).toEqual(new Set(['read-hb', 'read-ack', 'read-fwd']));
    const served = records.filter((r) => r.kind === 'read-served');
    const answered = nodes.reduce((sum, n) => sum + n.answered.reduce((a, x) => a + x.count, 0), 0);
    expect(answered).toBeGreaterThan(0);
    const totals = rr.totalsAt(endUs);
    expect(totals.heartbeatRounds).toBeGreaterThan(0);
    expect(totals.heartbeatRounds).toBeLessThanOrEqual(served.length + 3);
    // Sixteen clients share rounds: fewer rounds than reads.
    expect(roundsPerRead(totals)!).toBeLessThan(0.6);
  });

  it('the same fold taken in pieces gives the same scenes', async () => {
    const { records, endUs } = await readRun('read-index', 4);
    const whole = new ReadRounds();
    whole.update(records.length, (i) => records[i]);
    const pieces = new ReadRounds();
    for (let n = 0; n <= records.length; n += 97) pieces.update(n, (i) => records[i]);
    pieces.update(records.length, (i) => records[i]);
    expect(scenes(pieces, endUs)).toEqual(scenes(whole, endUs));
    expect(pieces.marks).toEqual(whole.marks);
  });

  it('log: every read is a proposal, carried by MsgApps and written to disk; no read heartbeats', async () => {
    const { endUs, source } = await readRun('log', 4);
    const rr = readRoundsOf(source);
    const nodes = scenes(rr, endUs).flatMap((s) => [...s.nodes.values()]);
    expect(nodes.some((n) => n.fsyncs > 0)).toBe(true);
    expect(nodes.some((n) => n.logReads > 0)).toBe(true);
    expect(nodes.every((n) => n.round === undefined && n.queued === 0)).toBe(true);
    expect(new Set(rr.marks.values())).toEqual(new Set(['log-read']));
    const totals = rr.totalsAt(endUs);
    expect(totals.heartbeatRounds).toBe(0);
    expect(roundsPerRead(totals)!).toBeGreaterThanOrEqual(1);
  });

  it('lease: once the lease holds, rounds are answered with no heartbeat', async () => {
    const { endUs, source } = await readRun('lease', 4);
    const totals = readRoundsOf(source).totalsAt(endUs);
    expect(totals.leaseRounds).toBeGreaterThan(totals.heartbeatRounds);
  });

  it('serializable: every read answered where it was asked, no rounds', async () => {
    const { endUs, source } = await readRun('serializable', 4, 5_000); // about 2,000 reads
    const rr = readRoundsOf(source);
    const totals = rr.totalsAt(endUs);
    expect(totals.localReads).toBeGreaterThan(0);
    expect(totals.heartbeatRounds + totals.leaseRounds + totals.logProposals).toBe(0);
    expect(rr.marks.size).toBe(0);
  });
});

describe('badge lines', () => {
  const empty = { queued: 0, confirming: 0, logReads: 0, fsyncs: 0, answered: [] };
  const round = { ctx: 'c', node: 1, batch: 6, acks: 1, quorum: 2, lease: false };

  it('says where the round is, then what waits, then what was answered', () => {
    const lines = badgeLines(
      {
        ...empty,
        round: { ...round, phase: 'heartbeat' },
        queued: 3,
        answered: [{ kind: 'read-index', count: 2 }],
      },
      4,
    );
    expect(lines.map((l) => l.text)).toEqual([
      'batch 6 · acks 1/2',
      '+3 queued',
      '✓ 2 reads served',
    ]);
    expect(
      badgeLines({ ...empty, round: { ...round, phase: 'apply', index: 9 } }, 8)[0]!.text,
    ).toBe('batch 6 · index 9 · applied 8');
    expect(
      badgeLines({ ...empty, round: { ...round, phase: 'fixed', index: 9, lease: true } }, 8)[0],
    ).toEqual({ text: 'batch 6 · lease, index 9 fixed', tone: 'lease' });
  });

  it('tells the log path and local answers in their own tones', () => {
    const lines = badgeLines(
      { ...empty, logReads: 1, fsyncs: 2, answered: [{ kind: 'local', count: 5 }] },
      0,
    );
    expect(lines).toEqual([
      { text: '1 read in the log', tone: 'log' },
      { text: 'fsync: a read’s entry', tone: 'log' },
      { text: '✓ 5 reads local', tone: 'local' },
    ]);
    expect(badgeLines(empty, 0)).toEqual([]);
  });
});

describe('read statistics', () => {
  it('counts throughput from the first read, and p99 by nearest rank', () => {
    const trace: TraceRecord[] = [];
    // 100 reads taken at 1,000 µs each, answered after (r + 1) ms: latencies 1..100 ms.
    for (let r = 0; r < 100; r++) trace.push(read(1_000 + r, 1, r, 'serializable'));
    for (let r = 0; r < 100; r++) trace.push(answer(1_000 + r + (r + 1) * 1000, 1, r));
    trace.sort((a, b) => a.atUs - b.atUs);
    const rr = fold(trace);
    const end = rr.statsAt(1_000_000 + 1_000);
    expect(end.p99Ms).toBe(99);
    expect(end.readsPerS).toBeCloseTo(100, 5);
    expect(end.roundsPerRead).toBe(0);
    // Halfway, only the answers by then count.
    const half = rr.statsAt(1_000 + 49 + 50_000);
    expect(half.totals.readsOk).toBe(50);
    expect(half.p99Ms).toBe(50);
    expect(rr.statsAt(500)).toMatchObject({ readsPerS: null, p99Ms: null, roundsPerRead: null });
  });
});

describe('long waits', () => {
  it('a read that waited long is still found, and short ones after it', () => {
    const trace: TraceRecord[] = [read(0, 1, 0)];
    // Reads of 1 ms each, one every ms, while read 0 waits 2 s for its answer.
    for (let r = 1; r < 2000; r++) {
      trace.push(read(r * 1000, 2, r, 'log'));
      trace.push(answer(r * 1000 + 1000, 2, r));
    }
    trace.push(answer(2_000_000, 1, 0, false));
    trace.sort((a, b) => a.atUs - b.atUs);
    const rr = fold(trace);
    expect(rr.sceneAt(1_500_500).nodes.get(1)!.queued).toBe(1);
    expect(rr.sceneAt(1_500_500).nodes.get(2)!.logReads).toBe(1);
    expect(rr.sceneAt(2_000_000).nodes.get(1)?.queued ?? 0).toBe(0);
    expect(rr.sceneAt(5_000_000).nodes.size).toBe(0);
  });
});
