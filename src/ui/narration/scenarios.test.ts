// Narration over real runs: scenarios that exercise elections, partitions, crashes, pauses, slow
// disks, puts, reads on every read path, leases, membership changes, snapshots and auth. Every
// record kind the code emits must show up and narrate to a clean sentence; the kinds are also
// read from the source, so a new kind without a sentence fails here.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InProcessHost } from '../../host/inproc-host';
import { DEFAULT_SETTINGS, parseScenario, type ClusterSettings } from '../../scenario/schema';
import { nodeSpecs, startCluster } from '../../sim/cluster';
import type { TraceRecord } from '../../sim/conductor';
import { runScenario } from '../../sim/run-scenario';
import { planScenario } from '../../check/fuzz/plan';
import { BACKUP_END_US, backupScenario } from '../../stories/backup-story';
import {
  EVENT_CATEGORIES,
  NARRATED_KINDS,
  advanceContext,
  categorize,
  createNarrationContext,
  isNotable,
  narrate,
  type NarrationContext,
} from './index';

interface Seen {
  count: number;
  samples: string[];
}

/** Narrates every record of every run as the feed would, keeping what the tests look at. */
class Follower {
  readonly kinds = new Map<string, Seen>();
  readonly bad: { record: TraceRecord; sentence: string }[] = [];
  readonly sentences: string[] = [];
  records = 0;
  notable = 0;
  narrateUs = 0;
  private ctx: NarrationContext;

  constructor(nodes: readonly number[], settings: Partial<ClusterSettings> = {}) {
    const s = { ...DEFAULT_SETTINGS, ...settings };
    this.ctx = createNarrationContext(nodes, { preVote: s.preVote, readPath: s.readPath });
  }

  readonly onTrace = (r: TraceRecord): void => {
    const t0 = performance.now();
    const sentence = narrate(r, this.ctx);
    this.ctx = advanceContext(this.ctx, r);
    const category = categorize(r);
    const notable = isNotable(r);
    this.narrateUs += (performance.now() - t0) * 1000;
    this.records++;
    if (notable) this.notable++;
    if (
      sentence.length === 0 ||
      sentence.includes('undefined') ||
      sentence.includes('NaN') ||
      sentence.includes('[object') ||
      !EVENT_CATEGORIES.includes(category)
    ) {
      this.bad.push({ record: r, sentence });
    }
    let seen = this.kinds.get(r.kind);
    if (!seen) this.kinds.set(r.kind, (seen = { count: 0, samples: [] }));
    seen.count++;
    if (seen.samples.length < 40) seen.samples.push(sentence);
    if (r.kind !== 'lock' && this.sentences.length < 200_000) this.sentences.push(sentence);
  };
}

const nodes3 = [1, 2, 3];
const bytes = (s: string) => new TextEncoder().encode(s);

/** Elections, faults, puts and reads under load, snapshots, membership, leadership transfer. */
async function storyRun(f: Follower): Promise<void> {
  await runScenario(
    parseScenario({
      version: 1,
      seed: 5,
      settings: { snapshotCount: 20 },
      actions: [
        { atUs: 1_900_000, kind: 'etcdctl', node: 1, command: 'watch "<b>key</b>" --prev-kv' },
        { atUs: 2_000_000, kind: 'put', node: 1, key: '<b>key</b>', value: 'x' },
        { atUs: 2_100_000, kind: 'get', node: 2, key: '<b>key</b>' },
        { atUs: 2_100_000, kind: 'etcdctl', node: 1, command: 'get "<b>key</b>" --prefix' },
        { atUs: 2_100_000, kind: 'get', node: 3, key: '<b>key</b>', serializable: true },
        { atUs: 2_400_000, kind: 'etcdctl-interrupt' },
        { atUs: 2_500_000, kind: 'crash', node: 2 },
        { atUs: 2_600_000, kind: 'pause', node: 3 },
        { atUs: 2_700_000, kind: 'resume', node: 3 },
        { atUs: 2_800_000, kind: 'slow-disk', node: 3, factor: 4 },
        { atUs: 3_000_000, kind: 'put', node: 2, key: 'b', value: 'y' },
        { atUs: 3_500_000, kind: 'restart', node: 2 },
        { atUs: 3_600_000, kind: 'slow-disk', node: 3, factor: 1 },
        { atUs: 4_000_000, kind: 'partition', groups: [[1], [2, 3]] },
        { atUs: 6_000_000, kind: 'heal-all' },
        { atUs: 6_500_000, kind: 'cut', from: 1, to: 2, oneWay: true },
        { atUs: 6_600_000, kind: 'heal', from: 1, to: 2, oneWay: true },
        { atUs: 7_000_000, kind: 'add-member', node: 1, id: 4 },
        { atUs: 7_000_000, kind: 'add-member', node: 1, id: 1 },
        { atUs: 9_000_000, kind: 'remove-member', node: 1, id: 4 },
        { atUs: 10_000_000, kind: 'transfer-leader', node: 1, to: 2 },
        { atUs: 10_000_000, kind: 'transfer-leader', node: 2, to: 3 },
        { atUs: 11_000_000, kind: 'transfer-leader', node: 3, to: 1 },
        { atUs: 12_000_000, kind: 'graceful-stop', node: 1 },
        { atUs: 12_000_000, kind: 'crash', node: 9 },
        { atUs: 12_500_000, kind: 'isolate-leader' },
        { atUs: 12_600_000, kind: 'heal-all' },
        { atUs: 12_650_000, kind: 'pause', node: 3 },
        { atUs: 12_700_000, kind: 'resume-all' },
        { atUs: 12_750_000, kind: 'crash-leader' },
        { atUs: 12_800_000, kind: 'restart-all' },
        { atUs: 12_900_000, kind: 'lease-put', node: 1, id: 7, ttl: 1 },
      ],
      workloads: [
        {
          mode: 'open',
          rate: 50,
          mix: { put: 1, 'range-cheap': 1 },
          keySpace: 20,
          startMs: 1500,
          stopMs: 12000,
        },
      ],
    }),
    { untilUs: 14_000_000, onTrace: f.onTrace },
  );
}

/** A read path and an auth mode under a closed-loop workload (lossy network for the log path). */
async function readPathRun(f: Follower, settings: Partial<ClusterSettings>): Promise<void> {
  await runScenario(
    parseScenario({
      version: 1,
      seed: 6,
      settings,
      workloads: [
        {
          mode: 'closed',
          concurrency: 2,
          mix: { put: 1, 'range-cheap': 1, txn: 1, delete: 1 },
          keySpace: 20,
          startMs: 1500,
          stopMs: 3000,
        },
      ],
    }),
    { untilUs: 4_000_000, onTrace: f.onTrace },
  );
}

/** Every settings action mid-run, one refused, and a node down meanwhile that takes them up. */
async function settingsRun(f: Follower): Promise<void> {
  await runScenario(
    parseScenario({
      version: 1,
      seed: 7,
      actions: [
        { atUs: 1_500_000, kind: 'crash', node: 3 },
        { atUs: 1_600_000, kind: 'set-timing', heartbeatMs: 50, electionTimeoutMs: 500 },
        { atUs: 1_700_000, kind: 'set-read-path', readPath: 'lease' },
        { atUs: 1_800_000, kind: 'set-backend', lockMode: 'coarse', batchIntervalMs: 20 },
        { atUs: 1_900_000, kind: 'set-auth', authMode: 'bcrypt', bcryptCost: 4 },
        { atUs: 2_000_000, kind: 'set-network', latencyMs: 2 },
        { atUs: 2_000_000, kind: 'set-disk', fsyncMs: 3 },
        { atUs: 2_100_000, kind: 'set-timing', checkQuorum: false },
        { atUs: 2_200_000, kind: 'restart', node: 3 },
        { atUs: 2_500_000, kind: 'set-read-path', readPath: 'serializable' },
        // fsyncs of 300-400 ms against 50 ms heartbeats: the leader misses ticks.
        { atUs: 2_700_000, kind: 'slow-disk-leader', factor: 100 },
      ],
      workloads: [
        {
          mode: 'closed',
          concurrency: 2,
          mix: { put: 1, 'range-cheap': 1, txn: 1 },
          keySpace: 20,
          startMs: 1000,
          stopMs: 3000,
        },
      ],
    }),
    { untilUs: 3_200_000, onTrace: f.onTrace },
  );
}

/** A lease that expires on the leader's revoke, and a node whose disk is corrupt. */
async function leaseAndCorruptDiskRun(f: Follower): Promise<void> {
  const settings = { ...DEFAULT_SETTINGS };
  const host = new InProcessHost(nodeSpecs(settings, 41));
  const recentSends: number[] = [];
  const c = await startCluster({
    settings,
    seed: 41,
    host,
    onTrace: (r) => {
      if (r.kind === 'send') recentSends.push(r.msgId as number);
      f.onTrace(r);
    },
  });
  const leader = await c.leaderOf();
  await c.call(leader, { method: 'leaseGrant', body: { TTL: 2, ID: 26 } });
  await c.call(leader, {
    method: 'put',
    body: { key: bytes('ephemeral'), value: bytes('x'), lease: 26 },
  });
  await c.conductor.runUntil(c.conductor.now + 5_000_000);
  // By hand, as the playground lets a person: duplicate one message on the wire, drop the next.
  for (const act of ['duplicate', 'drop'] as const) {
    const seen = recentSends.length;
    while (recentSends.length === seen) await c.conductor.step();
    const msgId = recentSends.at(-1)!;
    const ok =
      act === 'duplicate' ? c.conductor.duplicateMessage(msgId) : c.conductor.dropMessage(msgId);
    expect(ok).toBe(true);
  }
  await c.conductor.runUntil(c.conductor.now + 100_000);
  const victim = nodes3.find((n) => n !== leader)!;
  await c.conductor.crash(victim);
  host.disk(victim).corrupt('wal', host.disk(victim).walKeys().at(-1)!);
  await c.conductor.restart(victim);
  await c.conductor.runUntil(c.conductor.now + 500_000);
}

/** The space quota: filled past it (NOSPACE raised and applied), defragmented and disarmed. */
async function quotaRun(f: Follower): Promise<void> {
  const settings = { ...DEFAULT_SETTINGS, quotaBackendBytes: 128 * 1024 };
  const host = new InProcessHost(nodeSpecs(settings, 43));
  const c = await startCluster({ settings, seed: 43, host, onTrace: f.onTrace });
  const leader = await c.leaderOf();
  for (let i = 0; i < 60; i++) {
    const r = await c.call(leader, {
      method: 'put',
      body: { key: bytes(`k${i % 3}`), value: new Uint8Array(6000) },
    });
    if (!r.ok) break;
  }
  await c.conductor.runUntil(c.conductor.now + 300_000);
  await c.call(leader, { method: 'defragment', body: {} });
  await c.call(leader, {
    method: 'alarm',
    body: { action: 'DEACTIVATE', memberID: 0, alarm: 'NONE' },
  });
  await c.conductor.runUntil(c.conductor.now + 300_000);
  expect(f.kinds.has('alarm-raise') && f.kinds.has('alarm') && f.kinds.has('defrag')).toBe(true);
}

/** An unsafe setting the invariants catch: the run narrates the broken property. */
/** A storm through the gRPC proxy, with watchers, and a crash of a member under it. */
async function proxyRun(f: Follower): Promise<void> {
  const scenario = parseScenario({
    version: 1,
    seed: 3,
    settings: { proxy: true },
    workloads: [
      {
        mode: 'open',
        rate: 300,
        mix: { 'range-cheap': 4, put: 1 },
        linearizable: false,
        keySpace: 2,
        startMs: 1500,
        // they come over time, two keys: each is handed over to the first stream of its key
        watchers: 4,
        watchRanges: 2,
        watchSpreadMs: 200,
      },
    ],
    actions: [{ atUs: 2_200_000, kind: 'crash', node: 2 }],
  });
  await runScenario(scenario, { untilUs: 2_500_000, onTrace: f.onTrace });
}

async function unsafeRun(f: Follower): Promise<void> {
  const scenario = planScenario(3, { minutes: 1, unsafe: 'no-vote-persist' });
  await runScenario(scenario, { untilUs: 4_000_000, onTrace: f.onTrace });
  expect(f.kinds.has('invariant-violated')).toBe(true);
}

const follower = new Follower(nodes3);
const noPreVote = new Follower(nodes3, { preVote: false });
const leasePath = new Follower(nodes3, { readPath: 'lease' });
const followers = [follower, noPreVote, leasePath];

beforeAll(async () => {
  await storyRun(follower);
  await readPathRun(follower, { readPath: 'log', authMode: 'token', networkLoss: 0.05 });
  await readPathRun(leasePath, { readPath: 'lease', authMode: 'bcrypt' });
  await readPathRun(noPreVote, { preVote: false, readPath: 'serializable' });
  await leaseAndCorruptDiskRun(follower);
  await settingsRun(follower);
  await quotaRun(follower);
  await unsafeRun(noPreVote);
  // a backup saved, the cluster lost and restored from it (snapshot-saved, cluster-restored)
  await runScenario(backupScenario(), { untilUs: BACKUP_END_US, onTrace: follower.onTrace });
  await proxyRun(follower);
}, 120_000);

/** The trace kinds the code emits, read from the source that emits them. */
function kindsInSource(): Set<string> {
  const root = join(__dirname, '..', '..');
  const kinds = new Set<string>();
  // The conductor's own events (tick, deliver, wake) and the host inputs (message) are not trace.
  const notTrace = new Set(['tick', 'deliver', 'wake', 'message']);
  for (const file of ['sim/conductor.ts', 'server/etcd-server.ts']) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/kind: '([a-z-]+)'/g)) if (!notTrace.has(m[1]!)) kinds.add(m[1]!);
  }
  for (const file of readdirSync(join(root, 'sim'))) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const text = readFileSync(join(root, 'sim', file), 'utf8');
    for (const m of text.matchAll(/\.note\('([a-z-]+)'/g)) kinds.add(m[1]!);
  }
  return kinds;
}

describe('narration over real runs', () => {
  it('meets every record kind the code emits, and has a sentence for each', () => {
    const source = kindsInSource();
    expect(source.size).toBeGreaterThan(30);
    const seen = new Set(followers.flatMap((f) => [...f.kinds.keys()]));
    for (const kind of source) {
      expect(NARRATED_KINDS, `no sentence for kind ${kind}`).toContain(kind);
      expect(seen, `no scenario emitted kind ${kind}`).toContain(kind);
    }
    for (const kind of seen) expect(NARRATED_KINDS, `no sentence for ${kind}`).toContain(kind);
  });

  it('tells the proxy coalescing watchers, one stream per key range', () => {
    const s = follower.sentences;
    expect(s).toContainEqual(
      expect.stringMatching(
        /^The proxy hands 1 watcher of key "key\/0000000[01]" over to an older watch stream that has caught up, and cancels the stream it came on$/,
      ),
    );
    expect(s).toContain(
      'The proxy serves 4 watchers on 2 key ranges with 2 watch streams to the cluster, one per range',
    );
  });

  it('narrates every record to a clean sentence and a known category', () => {
    for (const f of followers) {
      expect(f.records).toBeGreaterThan(1000);
      expect(f.bad.slice(0, 5)).toEqual([]);
    }
  });

  it('tells an election in Raft’s words, with the peers and the term', () => {
    const s = noPreVote.sentences;
    expect(s).toContainEqual(
      expect.stringMatching(
        /^n\d's election timer fired; it becomes a candidate for term 2 and asks n\d and n\d for votes$/,
      ),
    );
    expect(s).toContainEqual(expect.stringMatching(/^n\d sends n\d MsgVote: .* in term 2$/));
    expect(s).toContainEqual(
      expect.stringMatching(/^n\d won the election with a quorum of votes; it becomes leader/),
    );
    const pre = follower.sentences;
    expect(pre).toContainEqual(
      expect.stringMatching(
        /^n\d's election timer fired; it becomes a pre-candidate and asks n\d and n\d whether they would vote for it in term 2 \(a pre-vote; its term stays 1\)$/,
      ),
    );
    expect(pre).toContainEqual(
      expect.stringMatching(/^n\d won the pre-vote; it becomes a candidate/),
    );
    expect(pre).toContainEqual(
      expect.stringMatching(/^n\d got MsgTimeoutNow: leadership is being transferred to it/),
    );
  });

  it('tells faults, membership, snapshots, leases and reads', () => {
    const s = follower.sentences;
    const has = (re: RegExp) => expect(s).toContainEqual(expect.stringMatching(re));
    has(/^n2 crashes: /);
    has(/^n1 gets an etcdctl command from the console: get "<b>key<\/b>" --prefix$/);
    has(/^n1 starts watch 0 for client 1 at revision \d+$/);
    has(/^n1 streams 1 event to client 1 on watch 0 at revision \d+$/);
    has(/^Ctrl\+C in the console stops its watch$/);
    has(/^n1 ends watch 0 of /);
    has(/^n2 restarts from its disk alone/);
    has(/^n3's disk becomes 4x slower/);
    has(/^n3's disk is back to normal speed$/);
    has(/^n\d's MsgVote to n1 is dropped: the link n\d → n1 is cut$/);
    has(/is lost: n2 is down$/);
    has(/^n\d refuses the membership change: that member ID already exists \(MemberExist\)$/);
    has(/^n4 joins as a new member/);
    has(/^n\d applies the configuration change in entry \d+: voters n1, n2, n3 and n4$/);
    has(/^n4 has applied its own removal/);
    has(/^n\d snapshots its store at applied index \d+ \(\d+ bytes\)/);
    has(/^n\d replaces its store with the leader's snapshot at index \d+/);
    has(/^Lease 1a has expired: leader n\d proposes a LeaseRevoke/);
    has(
      /^n\d fails to start and stays down: corrupt record wal\/\d+ in database inproc\/n\d: CRC mismatch/,
    );
    has(/^The action "crash" could not be done: node 9 is not a node of this cluster$/);
    has(/^n\d starts a ReadIndex round for \d+ reads?: /);
    has(/^n\d has applied index \d+ and serves (the read|all \d+ reads) of its round$/);
    has(/^n\d proposes a Range read through the Raft log/);
    has(/^n\d checks client \d+'s auth token/);
    expect(leasePath.sentences).toContainEqual(
      expect.stringMatching(/^n\d starts a read round for \d+ reads?: on the lease read path/),
    );
    expect(leasePath.sentences).toContainEqual(
      expect.stringMatching(/^n\d checks client \d+'s password \(bcrypt, 65\.5 ms of CPU\)/),
    );
  });

  it('tells settings changed mid-run, and a node taking them up as it restarts', () => {
    const has = (re: RegExp) =>
      expect(follower.sentences).toContainEqual(expect.stringMatching(re));
    has(/^The settings change from here on: heartbeat interval 50 ms, election timeout 500 ms$/);
    has(/^The settings change from here on: lock mode coarse, batch interval 20 ms$/);
    has(/^The settings change from here on: read path serializable$/);
    has(
      /^n\d takes up new settings, keeping its log and its state: a tick \(heartbeat\) every 50\.0 ms, request timeout 6\.00 s$/,
    );
    has(/^n\d takes up new settings, keeping its log and its state: read path lease$/);
    has(
      /^n3 takes up new settings, keeping its log and its state: a tick \(heartbeat\) every 50\.0 ms, election timeout 10 ticks, .*read path lease.*auth bcrypt \(cost 4\)$/,
    );
    has(/^The action "set-timing" could not be done: the lease read path needs CheckQuorum/);
    has(/^n1 is sent new settings \(request \d+\)$/);
  });

  it('keeps the default feed to the story: a small share of all records', () => {
    for (const f of followers) expect(f.notable).toBeLessThan(f.records / 10);
    const s = follower.kinds;
    expect(s.get('state')!.count).toBeGreaterThan(0);
  });

  it('is fast enough for a feed of thousands of records', () => {
    const records = followers.reduce((n, f) => n + f.records, 0);
    const us = followers.reduce((n, f) => n + f.narrateUs, 0);
    // Narrating, categorizing and following the context: a few µs a record; 50 is a loose bound.
    expect(us / records).toBeLessThan(50);
  });
});
