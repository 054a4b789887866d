// Raft core figures (issue 3). `npm run bench -- raft`.
//
// 1. etcd-io/raft's BenchmarkRawNode shape: one op = propose a 3-byte entry, then
//    ready / persist to MemoryStorage / answer MsgApp and MsgVote with a synthetic success reply /
//    advance, until nothing is ready. Single voter and two voters, one thread.
// 2. Proposals committed per second for 3- and 5-node clusters in one process over a perfect
//    in-memory network, 128-byte entries, batched as a server batches (many proposals between
//    Ready rounds).
import { report, timeOnceMs, timePerOpUs } from './lib/harness';
import type { Figure } from './lib/harness';
import { MemoryStorage, RawNode } from '../src/raft/index';
import type { Message, Ready } from '../src/raft/index';
import { seededRand as rand } from '../src/raft/testing/network';

function persist(s: MemoryStorage, rd: Ready): void {
  if (rd.snapshot) s.applySnapshot(rd.snapshot);
  s.append(rd.entries);
  if (rd.hardState) s.setHardState(rd.hardState);
}

/** BenchmarkRawNode: returns µs per op for a cluster of `voters` where only node 1 exists. */
function rawNodeBench(voters: number[]): number {
  const s = new MemoryStorage({ confState: { voters } });
  const rn = new RawNode({ id: 1, electionTick: 10, heartbeatTick: 1, storage: s, rand: rand(1) });
  const stabilize = (): void => {
    while (rn.hasReady()) {
      const rd = rn.ready();
      persist(s, rd);
      for (const m of rd.messages) {
        if (m.type === 'MsgVote') {
          rn.step({ type: 'MsgVoteResp', to: m.from, from: m.to, term: m.term });
        } else if (m.type === 'MsgApp') {
          const n = m.entries.length;
          const index = n > 0 ? m.entries[n - 1]!.index : m.index;
          rn.step({ type: 'MsgAppResp', to: m.from, from: m.to, term: m.term, index });
        }
      }
      rn.advance(rd);
    }
  };
  rn.campaign();
  stabilize();
  if (rn.status().raftState !== 'StateLeader') throw new Error('bench node did not become leader');
  const data = new Uint8Array([0x66, 0x6f, 0x6f]);
  const us = timePerOpUs(
    () => {
      rn.propose(data);
      stabilize();
    },
    { minMs: 1500, warmupMs: 300 },
  );
  const st = rn.status();
  if (st.commit !== st.applied || st.commit < 1000) throw new Error('bench did not commit');
  return us;
}

interface BenchNode {
  node: RawNode;
  storage: MemoryStorage;
  applied: number;
}

/**
 * A cluster in one process over a perfect network. Each round, the leader takes `batch`
 * client proposals, then every node handles its Ready (persist, send, apply, advance) and the
 * network delivers, until quiet: the way an etcd server batches proposals between Readies.
 */
function clusterThroughput(size: number, batch: number, rounds: number): number {
  const ids = Array.from({ length: size }, (_, i) => i + 1);
  const nodes = new Map<number, BenchNode>();
  for (const id of ids) {
    const storage = new MemoryStorage({ confState: { voters: ids } });
    const node = new RawNode({
      id,
      electionTick: 10,
      heartbeatTick: 1,
      storage,
      rand: rand(id),
      maxSizePerMsg: 1024 * 1024,
      maxInflightMsgs: 256,
    });
    nodes.set(id, { node, storage, applied: 0 });
  }
  let queue: Message[] = [];
  const handle = (bn: BenchNode): void => {
    while (bn.node.hasReady()) {
      const rd = bn.node.ready();
      persist(bn.storage, rd);
      for (const m of rd.messages) queue.push(m);
      const n = rd.committedEntries.length;
      if (n > 0) bn.applied = rd.committedEntries[n - 1]!.index;
      bn.node.advance(rd);
    }
  };
  const settle = (): void => {
    for (const bn of nodes.values()) handle(bn);
    while (queue.length > 0) {
      const q = queue;
      queue = [];
      for (const m of q) {
        const bn = nodes.get(m.to)!;
        bn.node.step(m);
        handle(bn);
      }
    }
  };
  const leader = nodes.get(1)!;
  leader.node.campaign();
  settle();
  // One more round so followers learn the commit index of the leader's empty entry.
  settle();
  const payload = new Uint8Array(128).fill(0x61);
  const start = leader.node.status().commit;
  const ms = timeOnceMs(() => {
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < batch; i++) leader.node.propose(payload);
      settle();
    }
    // Followers learn the last commit index with the next heartbeat or append.
    leader.node.tick();
    settle();
  });
  const committed = leader.node.status().commit - start;
  if (committed !== batch * rounds)
    throw new Error(`committed ${committed}, wanted ${batch * rounds}`);
  for (const bn of nodes.values()) {
    if (bn.applied !== leader.node.status().commit) throw new Error('a follower fell behind');
  }
  return (committed / ms) * 1000;
}

const figures: Figure[] = [];
figures.push({
  name: 'BenchmarkRawNode, 1 voter (propose 3 B + ready/persist/ack/advance)',
  value: rawNodeBench([1]),
  unit: 'µs/op',
  target: '<= 3 µs/op (etcd ~1.5)',
});
figures.push({
  name: 'BenchmarkRawNode, 2 voters',
  value: rawNodeBench([1, 2]),
  unit: 'µs/op',
  target: '<= 5.2 µs/op (etcd ~2.6)',
});
for (const size of [3, 5]) {
  for (const batch of [1, 64]) {
    // best of 3
    const runs = [0, 1, 2].map(() => clusterThroughput(size, batch, batch === 1 ? 20_000 : 1_000));
    figures.push({
      name: `${size}-node cluster, 128 B entries, ${batch} proposal(s) per Ready round`,
      value: Math.max(...runs),
      unit: 'proposals/s',
      notes: 'one process, perfect network, MemoryStorage',
    });
  }
}
report('raft', figures);
