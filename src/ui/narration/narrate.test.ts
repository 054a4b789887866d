import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../sim/conductor';
import {
  NARRATED_KINDS,
  advanceContext,
  createNarrationContext,
  narrate,
  type NarrationContext,
} from './index';
import { duration, nodeList, plainText } from './words';

const ctx3 = createNarrationContext([3, 1, 2]);
const rec = (kind: string, fields: Record<string, unknown> = {}): TraceRecord => ({
  atUs: 1_000_000,
  kind,
  ...fields,
});
const say = (kind: string, fields: Record<string, unknown> = {}, ctx = ctx3) =>
  narrate(rec(kind, fields), ctx);

describe('narrate: elections', () => {
  it('tells a campaign with the peers from the context and the term from the record', () => {
    expect(say('state', { node: 3, from: 'StateFollower', to: 'StateCandidate', term: 4 })).toBe(
      "n3's election timer fired; it becomes a candidate for term 4 and asks n1 and n2 for votes",
    );
    expect(say('state', { node: 1, from: 'StateFollower', to: 'StatePreCandidate', term: 3 })).toBe(
      "n1's election timer fired; it becomes a pre-candidate and asks n2 and n3 whether they would vote for it in term 4 (a pre-vote; its term stays 3)",
    );
    expect(
      say('state', { node: 1, from: 'StatePreCandidate', to: 'StateCandidate', term: 4 }),
    ).toBe('n1 won the pre-vote; it becomes a candidate for term 4 and asks n2 and n3 for votes');
    expect(say('state', { node: 2, from: 'StateCandidate', to: 'StateLeader', term: 4 })).toBe(
      'n2 won the election with a quorum of votes; it becomes leader for term 4 and appends an empty entry to commit its term',
    );
  });

  it('asks the voters of the latest configuration, and says when a node is the only voter', () => {
    let ctx = createNarrationContext([1, 2, 3, 4]);
    ctx = advanceContext(ctx, rec('apply-conf', { node: 1, index: 9, voters: [1, 2, 4] }));
    expect(
      say('state', { node: 4, from: 'StateFollower', to: 'StateCandidate', term: 2 }, ctx),
    ).toMatch(/asks n1 and n2 for votes$/);
    const solo = createNarrationContext([1]);
    expect(
      say('state', { node: 1, from: 'StateFollower', to: 'StateCandidate', term: 2 }, solo),
    ).toBe(
      "n1's election timer fired; it becomes a candidate for term 2 and votes for itself, the only voter",
    );
  });

  it('tells a campaign after MsgTimeoutNow as a leadership transfer', () => {
    const recv = { ...rec('recv', { node: 2, from: 1, type: 'MsgTimeoutNow' }), atUs: 5 };
    const ctx = advanceContext(createNarrationContext([1, 2, 3], { preVote: true }), recv);
    expect(ctx.timeoutNow).toEqual({ node: 2, atUs: 5 });
    const state = {
      ...rec('state', { node: 2, from: 'StateFollower', to: 'StateCandidate' }),
      atUs: 5,
    };
    expect(narrate(state, ctx)).toBe(
      'n2 got MsgTimeoutNow: leadership is being transferred to it; it becomes a candidate and asks n1 and n3 for votes',
    );
    // The same campaign later, with PreVote on, was not a timeout either.
    expect(narrate({ ...state, atUs: 9 }, ctx)).toMatch(/^n2 campaigns without a pre-vote; /);
  });

  it('says why a node steps down, from the term it had before', () => {
    let ctx = advanceContext(
      ctx3,
      rec('state', { node: 1, from: 'StateCandidate', to: 'StateLeader', term: 2 }),
    );
    expect(say('state', { node: 1, from: 'StateLeader', to: 'StateFollower', term: 2 }, ctx)).toBe(
      'n1 steps down from leader to follower in term 2: it lost touch with a quorum (CheckQuorum)',
    );
    expect(say('state', { node: 1, from: 'StateLeader', to: 'StateFollower', term: 5 }, ctx)).toBe(
      'n1 steps down from leader to follower in term 5: a message with term 5 reached it',
    );
    ctx = advanceContext(
      ctx,
      rec('persist', {
        node: 3,
        writeId: 4,
        entries: 0,
        hardState: { term: 2, vote: 3, commit: 3 },
      }),
    );
    expect(
      say('state', { node: 3, from: 'StateCandidate', to: 'StateFollower', term: 2 }, ctx),
    ).toBe(
      'n3 stops campaigning and becomes a follower in term 2: another node won this term, or a quorum refused its vote',
    );
    expect(say('state', { node: 2, from: 'StatePreCandidate', to: 'StateFollower', term: 1 })).toBe(
      'n2 is a follower again in term 1: its pre-vote failed, or it heard from a leader',
    );
  });

  it('tells leader changes from the point of view of the node that records them', () => {
    const ctx = advanceContext(ctx3, rec('state', { node: 2, to: 'StateLeader', term: 7 }));
    const cases: [Record<string, unknown>, string][] = [
      [
        { node: 2, from: 0, to: 2 },
        'n2 is the leader now in term 7: it serves proposals and ReadIndex requests',
      ],
      [{ node: 2, from: 3, to: 2 }, 'n2 is the leader now in term 7, taking over from n3'],
      [{ node: 1, from: 0, to: 2 }, 'n1 learns that n2 is the leader in term 7'],
      [{ node: 1, from: 3, to: 2 }, 'n1 now follows n2 in term 7 instead of n3'],
      [
        { node: 1, from: 3, to: 0 },
        'n1 no longer knows a leader (it followed n3); it cannot take proposals until one is elected',
      ],
      [{ node: 3, from: 3, to: 0 }, 'n3 is no longer the leader and knows no other yet'],
      [{ node: 3, from: 3, to: 2 }, 'n3 is no longer the leader; it follows n2 in term 7'],
    ];
    for (const [fields, sentence] of cases)
      expect(say('leader-change', fields, ctx)).toBe(sentence);
  });
});

describe('narrate: messages', () => {
  it('says what each message is for, with the term of a vote request when known', () => {
    const ctx = advanceContext(ctx3, rec('state', { node: 1, to: 'StateCandidate', term: 4 }));
    expect(say('send', { node: 1, to: 2, type: 'MsgVote', msgId: 3, deliverAtUs: [9] }, ctx)).toBe(
      'n1 sends n2 MsgVote: a request for its vote in term 4',
    );
    const pre = advanceContext(ctx3, rec('state', { node: 1, to: 'StatePreCandidate', term: 3 }));
    expect(say('send', { node: 1, to: 3, type: 'MsgPreVote' }, pre)).toBe(
      'n1 sends n3 MsgPreVote: a pre-vote request, asking whether it would vote in term 4',
    );
    expect(say('send', { node: 1, to: 2, type: 'MsgApp', deliverAtUs: [5, 7] })).toBe(
      "n1 sends n2 MsgApp: log entries to append (or an empty probe), with the leader's commit index; the network delivers it 2 times",
    );
    expect(say('recv', { node: 2, from: 1, type: 'MsgHeartbeat' })).toBe(
      "n2 receives MsgHeartbeat from n1: the leader's heartbeat, which holds off elections and carries the commit index",
    );
    for (const type of [
      'MsgAppResp',
      'MsgHeartbeatResp',
      'MsgVoteResp',
      'MsgPreVoteResp',
      'MsgTimeoutNow',
      'MsgReadIndex',
      'MsgReadIndexResp',
      'MsgSnap',
      'MsgProp',
      'MsgForward',
      'MsgForwardResp',
    ]) {
      expect(say('send', { node: 1, to: 2, type })).not.toMatch(/: a message$/);
    }
    expect(say('send', { node: 1, to: 2, type: 'MsgFuture' })).toBe(
      'n1 sends n2 MsgFuture: a message',
    );
  });

  it('tells why a message was dropped, at the sender or on arrival', () => {
    expect(say('drop', { node: 3, to: 1, type: 'MsgVote', reason: 'cut' })).toBe(
      "n3's MsgVote to n1 is dropped: the link n3 → n1 is cut",
    );
    expect(say('drop', { node: 3, to: 1, type: 'MsgAppResp', reason: 'loss' })).toBe(
      "n3's MsgAppResp to n1 is lost: the network drops it at random (packet loss)",
    );
    expect(say('drop', { node: 3, to: 9, type: 'MsgApp', reason: 'no-such-node' })).toBe(
      "n3's MsgApp to n9 is dropped: there is no node n9",
    );
    expect(say('drop', { node: 2, type: 'MsgApp', reason: 'node-down' })).toBe(
      'A MsgApp on its way to n2 is lost: n2 is down',
    );
    expect(say('drop', { node: 2, type: 'MsgHeartbeat', reason: 'cut' })).toBe(
      'A MsgHeartbeat on its way to n2 dies in flight: the link was cut after it was sent',
    );
    // When the conductor adds the sender to an on-arrival drop, the sentence names it.
    expect(say('drop', { node: 2, from: 1, type: 'MsgApp', reason: 'node-down' })).toBe(
      "n1's MsgApp to n2 is lost: n2 is down",
    );
  });

  it('tells a step raft refused without the error class name', () => {
    expect(
      say('step-refused', {
        node: 3,
        type: 'MsgAppResp',
        from: 4,
        error: 'StepPeerNotFoundError: raft: cannot step MsgAppResp as peer 4 not found',
      }),
    ).toBe('n3 ignores MsgAppResp from n4: raft: cannot step MsgAppResp as peer 4 not found');
  });
});

describe('narrate: replication, reads, clients', () => {
  it('tells persist, durable, propose and apply', () => {
    const ctx = advanceContext(ctx3, rec('state', { node: 1, to: 'StateLeader', term: 2 }));
    expect(
      say(
        'persist',
        { node: 1, writeId: 5, entries: 3, hardState: { term: 2, vote: 1, commit: 4 } },
        ctx,
      ),
    ).toBe(
      'n1 appends 3 entries to its WAL with its hard state (term 2, voted for itself, commit 4) and waits for fsync (write 5)',
    );
    expect(say('persist', { node: 2, writeId: 6, entries: 1 })).toBe(
      'n2 appends 1 entry to its WAL and waits for fsync (write 6)',
    );
    expect(
      say(
        'persist',
        { node: 2, writeId: 7, entries: 0, hardState: { term: 3, vote: 0, commit: 4 } },
        ctx,
      ),
    ).toBe(
      'n2 writes its hard state (term 3, no vote, commit 4) to its WAL and waits for fsync (write 7)',
    );
    expect(
      say('persist', { node: 1, entries: 0, hardState: { term: 3, vote: 2, commit: 4 } }, ctx),
    ).toBe(
      'n1 writes its hard state (term 3, up from 2, voted for n2, commit 4) to its WAL and waits for fsync',
    );
    expect(
      say(
        'persist',
        {
          node: 1,
          writeId: 9,
          sync: false,
          entries: 0,
          hardState: { term: 2, vote: 1, commit: 5 },
        },
        ctx,
      ),
    ).toBe(
      'n1 writes its hard state (term 2, voted for itself, commit 5) to its WAL without waiting for fsync: only the commit index moved, which Raft learns again after a crash (raft.MustSync) (write 9)',
    );
    expect(say('persist', { node: 2, writeId: 8, entries: 0 })).toBe(
      'n2 writes a snapshot to its disk and waits for fsync (write 8)',
    );
    expect(say('durable', { node: 2, writeId: 8 })).toBe(
      "n2's fsync completes: write 8 is durable",
    );
    expect(say('propose', { node: 3, id: '3.0.1', method: 'put' })).toBe(
      'n3 proposes a Put to Raft; once a quorum has it in the log, every member applies it',
    );
    expect(say('propose', { node: 3, method: 'range' })).toMatch(
      /^n3 proposes a Range read through the Raft log/,
    );
    expect(say('apply', { node: 1, index: 5, method: 'put', ok: true })).toBe(
      'n1 applies entry 5 (Put) to its key-value store',
    );
    expect(say('apply', { node: 1, index: 6, method: 'txn', ok: false })).toBe(
      'n1 applies entry 6 (Txn) to its key-value store; the store refuses it with an error',
    );
    expect(say('apply', { node: 1, index: 7, method: 'leaseRevoke', ok: true })).toBe(
      'n1 applies entry 7 (LeaseRevoke): the lease and every key attached to it are deleted',
    );
  });

  it('says when a heartbeat or its ack carries a read context', () => {
    expect(
      say('send', { node: 1, to: 2, type: 'MsgHeartbeat', term: 2, commit: 4, ctx: '3.0.r7' }),
    ).toBe(
      "n1 sends n2 MsgHeartbeat: a heartbeat for term 2, commit 4, carrying read context 3.0.r7: a quorum of acks fixes that round's read index",
    );
    expect(say('send', { node: 2, to: 1, type: 'MsgHeartbeatResp', term: 2 })).not.toMatch(
      /read context/,
    );
  });

  it('tells which way a read goes', () => {
    expect(say('read', { node: 2, path: 'read-index', clientId: 1001, requestId: 7 })).toBe(
      "n2 takes client 1001's request 7, a linearizable read: it waits at this member for the next ReadIndex round",
    );
    expect(say('read', { node: 2, path: 'log', clientId: 1001, requestId: 8 })).toMatch(
      /: it goes through the Raft log as a proposal/,
    );
    expect(say('read', { node: 2, path: 'bogus', clientId: 1001 })).toBe(
      "n2 takes client 1001's request, a linearizable read",
    );
  });

  it('tells each step of a read on the ReadIndex and lease paths', () => {
    expect(say('read-index', { node: 3, ctx: '3.0.r1', batch: 2 })).toBe(
      'n3 starts a ReadIndex round for 2 reads: the leader notes its commit index and confirms it still leads with a heartbeat round to a quorum',
    );
    const lease = createNarrationContext([1, 2, 3], { readPath: 'lease' });
    expect(say('read-index', { node: 3, batch: 1 }, lease)).toMatch(
      /^n3 starts a read round for 1 read: on the lease read path the leader answers/,
    );
    expect(say('read-state', { node: 3, index: 6, ctx: '3.0.r1' })).toBe(
      'n3 gets its ReadState: the reads of its round may be served once it has applied index 6',
    );
    expect(say('read-served', { node: 3, index: 6, batch: 1 })).toBe(
      'n3 has applied index 6 and serves the read of its round',
    );
    expect(say('read-served', { node: 3, index: 6, batch: 4 })).toBe(
      'n3 has applied index 6 and serves all 4 reads of its round',
    );
  });

  it('tells requests, responses and authentication', () => {
    expect(say('request', { node: 3, clientId: 1000, requestId: 1 })).toBe(
      'Client 1000 sends a request to n3 (request 1)',
    );
    expect(
      say('request', { node: 3, clientId: 0, requestId: 2, method: 'put', key: 'a<b>\n' }),
    ).toBe('Client 0 sends a Put for key "a<b> " to n3 (request 2)');
    expect(say('request-lost', { node: 2, clientId: 1000, requestId: 57 })).toBe(
      "n2 is down, so client 1000's request 57 is lost; no answer will come",
    );
    expect(say('response', { node: 3, clientId: 1000, requestId: 1 })).toBe(
      "n3 answers client 1000's request 1",
    );
    expect(say('response', { node: 3, clientId: 1, requestId: 4, revision: 12 })).toBe(
      "n3 answers client 1's request 4 at revision 12",
    );
    expect(
      say('response', {
        node: 3,
        clientId: 1,
        requestId: 5,
        ok: false,
        error: 'etcdserver: no leader',
      }),
    ).toBe("n3 answers client 1's request 5 with an error: etcdserver: no leader");
    expect(
      say('auth', {
        node: 3,
        clientId: 1001,
        check: 'password',
        costUs: 65_536,
        readyUs: 1_065_536,
      }),
    ).toBe(
      "n3 checks client 1001's password (bcrypt, 65.5 ms of CPU); the request goes ahead in 65.5 ms",
    );
    expect(
      say('auth', {
        node: 3,
        clientId: 1002,
        check: 'password',
        costUs: 65_536,
        readyUs: 1_131_072,
      }),
    ).toBe(
      "n3 checks client 1002's password (bcrypt, 65.5 ms of CPU); the request goes ahead in 131.1 ms, after waiting for a free core",
    );
    expect(
      say('auth', { node: 3, clientId: 1003, check: 'token', costUs: 20, readyUs: 1_000_020 }),
    ).toBe("n3 checks client 1003's auth token (20 µs of CPU); the request goes ahead in 20 µs");
  });
});

describe('narrate: storage, membership, leases, faults, actions', () => {
  it('tells lock events in etcd’s backend words', () => {
    const lock = (
      phase: string,
      mode: string,
      lockName: string,
      txn: string,
      lockAtUs = 1_000_000,
    ) => say('lock', { node: 1, txnId: 4, txn, phase, lock: lockName, mode, lockAtUs });
    expect(lock('requested', 'exclusive', 'batchTx', 'commit')).toBe(
      "n1's batch commit (txn 4) asks for the batchTx lock exclusively",
    );
    expect(lock('granted', 'shared', 'readTx', 'read', 1_002_000)).toBe(
      "n1's read (txn 4) gets the readTx lock shared in 2.00 ms",
    );
    expect(lock('released', 'exclusive', 'batchTx', 'write')).toBe(
      "n1's write (txn 4) releases the batchTx lock",
    );
    expect(lock('granted', 'none', 'concurrentReadTx', 'read')).toBe(
      "n1's read (txn 4) reads its own copy of the read buffer with no lock held (concurrentReadTx)",
    );
  });

  it('tells snapshots, membership and leases', () => {
    expect(say('snapshot', { node: 1, index: 20, bytes: 539 })).toBe(
      'n1 snapshots its store at applied index 20 (539 bytes) and compacts its Raft log, keeping a tail for slow followers',
    );
    expect(say('snapshot-restored', { node: 4, index: 140 })).toBe(
      "n4 replaces its store with the leader's snapshot at index 140 and continues its log from there",
    );
    expect(say('snapshot-failed', { node: 3, to: 4 })).toMatch(
      /^n3 heard nothing back about its snapshot to n4 within an election timeout/,
    );
    expect(say('propose-conf', { node: 3, change: 'ConfChangeAddLearnerNode', nodeId: 4 })).toBe(
      'n3 proposes ConfChangeAddLearnerNode: add n4 as a learner',
    );
    expect(say('propose-conf', { node: 3, change: 'ConfChangeRemoveNode', nodeId: 4 })).toBe(
      'n3 proposes ConfChangeRemoveNode: remove n4',
    );
    expect(say('apply-conf', { node: 1, index: 46, voters: [1, 2, 3], learners: [4] })).toBe(
      'n1 applies the configuration change in entry 46: voters n1, n2 and n3; learners n4',
    );
    expect(say('membership-refused', { node: 3, error: 'Unhealthy' })).toMatch(
      /^n3 refuses the membership change: the health check fails.*\(Unhealthy\)$/,
    );
    expect(say('membership-refused', { node: 3, error: 'SomethingNew' })).toBe(
      'n3 refuses the membership change (SomethingNew)',
    );
    expect(say('removed', { node: 4 })).toBe(
      'n4 has applied its own removal from the cluster and stops serving',
    );
    expect(say('node-added', { node: 4 })).toMatch(/^n4 joins as a new member with an empty disk/);
    expect(say('transfer-leader', { node: 3, to: 1 })).toBe(
      "n3 starts moving leadership to n1: it brings n1's log up to date, then sends it MsgTimeoutNow",
    );
    expect(say('graceful-stop', { node: 1, transferTo: 2 })).toBe(
      'n1 is stopping gracefully: as leader it first hands leadership to n2, the most up-to-date voter',
    );
    // etcd shows lease IDs in hex.
    expect(say('lease-expired', { node: 1, lease: 0x694d })).toBe(
      'Lease 694d has expired: leader n1 proposes a LeaseRevoke so every member deletes its keys at the same revision',
    );
  });

  it('tells faults and the node’s life', () => {
    expect(say('node-start', { node: 1, epoch: 1 })).toBe(
      'n1 starts, reading its log and hard state from its disk',
    );
    expect(say('node-start', { node: 2, epoch: 3 })).toBe(
      'n2 restarts from its disk alone: what was not yet durable when it went down is gone',
    );
    expect(
      say('start-failed', {
        node: 2,
        error: 'corrupt record wal/2 in database inproc/n2: CRC mismatch',
      }),
    ).toBe(
      'n2 fails to start and stays down: corrupt record wal/2 in database inproc/n2: CRC mismatch',
    );
    expect(say('crash', { node: 2 })).toMatch(/^n2 crashes: /);
    expect(say('pause', { node: 3 })).toMatch(/^n3 pauses: /);
    expect(say('resume', { node: 3 })).toMatch(/^n3 resumes /);
    expect(say('slow-disk', { node: 3, factor: 4 })).toBe(
      "n3's disk becomes 4x slower: every fsync takes 4 times as long",
    );
    expect(say('slow-disk', { node: 3, factor: 1 })).toBe("n3's disk is back to normal speed");
    expect(say('action', { label: 'partition' })).toBe('Action: partition the network into groups');
    expect(say('action', { label: 'arrival' })).toBe('A workload client sends its next request');
    expect(say('action', { label: 'teleport' })).toBe('Action: teleport');
    expect(
      say('action-failed', { action: 'crash', error: 'node 9 is not a node of this cluster' }),
    ).toBe('The action "crash" could not be done: node 9 is not a node of this cluster');
    expect(say('etcdctl', { node: 2, command: 'put <b>k</b> v' })).toBe(
      'n2 gets an etcdctl command from the console: put <b>k</b> v',
    );
    expect(say('action', { label: 'etcdctl' })).toBe('Action: run an etcdctl command');
    expect(say('etcdctl-interrupt', { watches: 2 })).toBe(
      'Ctrl+C in the console stops its 2 watches',
    );
  });

  it('tells a watch stream: created, events, its end', () => {
    const base = { node: 2, clientId: 1, requestId: 4, ok: true, watchId: 0 };
    expect(say('response', { ...base, created: true, revision: 3 })).toMatch(
      /^n2 starts watch 0 for .+ at revision 3$/,
    );
    expect(say('response', { ...base, events: 1, revision: 5 })).toMatch(
      /^n2 streams 1 event to .+ on watch 0 at revision 5$/,
    );
    expect(say('response', { ...base, canceled: true, compactRevision: 4 })).toMatch(
      /^n2 cancels watch 0 of .+: revision 4 is compacted$/,
    );
  });
});

describe('narrate: robustness', () => {
  const clean = (s: string) => {
    expect(s.length).toBeGreaterThan(0);
    expect(s).not.toMatch(/undefined|NaN|\[object|null/);
  };

  it('makes a clean sentence from a record with only its kind, for every kind', () => {
    for (const kind of NARRATED_KINDS) {
      clean(narrate(rec(kind), ctx3));
      clean(narrate(rec(kind, { node: 2 }), ctx3));
    }
  });

  it('makes a clean sentence from fields of the wrong types', () => {
    const junk = {
      node: 'x',
      to: { a: 1 },
      from: [1],
      term: Number.NaN,
      index: 'five',
      batch: null,
      type: 7,
      reason: {},
      hardState: { term: 'x', vote: null },
      voters: ['a', 2],
      error: { message: 'boom' },
      deliverAtUs: 'soon',
      lockAtUs: Number.POSITIVE_INFINITY,
      method: 3,
      label: 4,
      epoch: 'two',
      factor: 'fast',
    };
    for (const kind of NARRATED_KINDS) clean(narrate(rec(kind, junk), ctx3));
  });

  it('gives a kind it does not know a generic sentence', () => {
    expect(say('quantum-event', { node: 5 })).toBe('n5 records "quantum-event"');
    expect(say('quantum-event')).toBe('Event "quantum-event"');
  });

  it('shows untrusted text as one line of plain text, cut to length', () => {
    const error = `line one\nline two\u0007 <script>alert(1)</script> ${'x'.repeat(400)}`;
    const s = say('start-failed', { node: 1, error });
    expect(s).not.toContain('\n');
    expect(s).toContain('<script>'); // text, not markup: the UI renders it as text
    expect(s.endsWith('…')).toBe(true);
    expect(s.length).toBeLessThan(250);
  });
});

describe('the narration context', () => {
  it('is small, serializable, and unchanged by records that tell it nothing', () => {
    const ctx = createNarrationContext([2, 1, 3], { preVote: true, readPath: 'lease' });
    expect(ctx).toEqual({ nodes: [1, 2, 3], preVote: true, readPath: 'lease' });
    for (const r of [
      rec('send', { node: 1, to: 2, type: 'MsgApp' }),
      rec('lock', { node: 1 }),
      rec('persist', { node: 1, entries: 2 }),
      rec('apply-conf', { node: 1, voters: [1, 2, 3] }),
    ]) {
      const next = advanceContext(ctx, r);
      if (r.kind === 'apply-conf') expect(next.voters).toEqual([1, 2, 3]);
      else expect(next).toBe(ctx);
    }
  });

  it('follows terms, voters and added nodes, and survives a JSON round trip', () => {
    let ctx: NarrationContext = createNarrationContext([1, 2, 3]);
    ctx = advanceContext(ctx, rec('state', { node: 1, to: 'StateCandidate', term: 2 }));
    ctx = advanceContext(
      ctx,
      rec('persist', { node: 2, entries: 0, hardState: { term: 2, vote: 1, commit: 3 } }),
    );
    const same = advanceContext(
      ctx,
      rec('persist', { node: 2, entries: 1, hardState: { term: 2, vote: 1, commit: 4 } }),
    );
    expect(same).toBe(ctx);
    ctx = advanceContext(ctx, rec('node-added', { node: 4 }));
    ctx = advanceContext(ctx, rec('apply-conf', { node: 1, voters: [4, 1, 2, 3], learners: [] }));
    expect(ctx.nodes).toEqual([1, 2, 3, 4]);
    expect(ctx.voters).toEqual([1, 2, 3, 4]);
    expect(ctx.terms).toEqual({ 1: 2, 2: 2 });
    const copy = JSON.parse(JSON.stringify(ctx)) as NarrationContext;
    const r = rec('state', { node: 4, from: 'StateFollower', to: 'StateCandidate', term: 3 });
    expect(narrate(r, copy)).toBe(narrate(r, ctx));
    expect(narrate(rec('send', { node: 1, to: 2, type: 'MsgVote' }), copy)).toMatch(/in term 2$/);
  });
});

describe('words', () => {
  it('lists nodes and formats durations', () => {
    expect(nodeList([])).toBe('');
    expect(nodeList([1])).toBe('n1');
    expect(nodeList([1, 2])).toBe('n1 and n2');
    expect(nodeList([1, 2, 3, 4])).toBe('n1, n2, n3 and n4');
    expect(duration(850)).toBe('850 µs');
    expect(duration(1_234)).toBe('1.23 ms');
    expect(duration(65_536)).toBe('65.5 ms');
    expect(duration(2_345_000)).toBe('2.35 s');
    expect(plainText('tab\there')).toBe('tab here');
    expect(plainText('abcdef', 4)).toBe('abc…');
  });
});
