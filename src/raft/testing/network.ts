// An in-memory cluster for tests (like etcd's `network` test helper): every node is a RawNode
// over a MemoryStorage, messages are delivered breadth-first, and each node's Ready is fully
// handled (persist, apply, advance) after every message. Links can be cut and message types
// dropped. Not part of the public API.
import { decodeConfChange } from '../confchange';
import { ProposalDroppedError, StepPeerNotFoundError } from '../errors';
import { RawNode } from '../rawnode';
import type { RaftConfig } from '../config';
import { MemoryStorage } from '../storage';
import type { ConfState, Entry, Message, MessageType, ReadState, Ready } from '../types';

/** A small seeded PRNG (mulberry32) so tests are reproducible. */
export function seededRand(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TestNode {
  id: number;
  node: RawNode;
  storage: MemoryStorage;
  /** Every entry applied so far, in order (entries before a snapshot are not included). */
  applied: Entry[];
  confState: ConfState | undefined;
  /** Read states handed out in Readies and not yet taken by the test. */
  readStates: ReadState[];
}

export type ConfigOverrides = Partial<Omit<RaftConfig, 'id' | 'storage'>>;

export function newTestNode(
  id: number,
  storage: MemoryStorage,
  overrides: ConfigOverrides = {},
  seed = id,
): RawNode {
  return new RawNode({
    id,
    electionTick: 10,
    heartbeatTick: 1,
    storage,
    rand: seededRand(seed * 7919),
    ...overrides,
  });
}

/** Persists a Ready into storage, as the application must before sending its messages. */
export function persistReady(storage: MemoryStorage, rd: Ready): void {
  if (rd.snapshot) storage.applySnapshot(rd.snapshot);
  storage.append(rd.entries);
  if (rd.hardState) storage.setHardState(rd.hardState);
}

export class Network {
  readonly nodes = new Map<number, TestNode>();
  private readonly cut = new Set<string>();
  private readonly droppedTypes = new Set<MessageType>();
  /** Every message delivered, for tests that look at traffic. */
  readonly delivered: Message[] = [];
  /** Optional hook deciding whether to deliver a message (false drops it). */
  filter: ((m: Message) => boolean) | undefined;

  constructor(
    ids: number[],
    readonly overrides: ConfigOverrides = {},
    learners: number[] = [],
  ) {
    for (const id of ids) {
      const storage = new MemoryStorage({ confState: { voters: ids, learners } });
      this.add(id, storage);
    }
    for (const id of learners) {
      const storage = new MemoryStorage({ confState: { voters: ids, learners } });
      this.add(id, storage);
    }
  }

  /** Adds (or restarts) a node over `storage`. */
  add(id: number, storage: MemoryStorage, overrides: ConfigOverrides = {}): TestNode {
    const prev = this.nodes.get(id);
    const node = newTestNode(id, storage, { ...this.overrides, ...overrides });
    const tn: TestNode = {
      id,
      node,
      storage,
      applied: prev?.applied ?? [],
      confState: undefined,
      readStates: [],
    };
    this.nodes.set(id, tn);
    return tn;
  }

  /**
   * Crashes `id` and restarts it from its storage (what was persisted survives). Like an etcd
   * server, the state machine restarts from the last snapshot and the log after it is applied
   * again, which also rebuilds the configuration; pass `applied` to resume later (only safe when
   * the storage's ConfState is current at that index).
   */
  restart(id: number, overrides: ConfigOverrides = {}): TestNode {
    const tn = this.get(id);
    const applied = overrides.applied ?? tn.storage.firstIndex() - 1;
    tn.applied.splice(tn.applied.findIndex((e) => e.index > applied) >>> 0);
    return this.add(id, tn.storage, { ...overrides, applied });
  }

  get(id: number): TestNode {
    const tn = this.nodes.get(id);
    if (!tn) throw new Error(`no node ${id}`);
    return tn;
  }

  raw(id: number): RawNode {
    return this.get(id).node;
  }

  isolate(id: number): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}-${other}`);
      this.cut.add(`${other}-${id}`);
    }
  }

  cutLink(a: number, b: number): void {
    this.cut.add(`${a}-${b}`);
    this.cut.add(`${b}-${a}`);
  }

  ignore(t: MessageType): void {
    this.droppedTypes.add(t);
  }

  recover(): void {
    this.cut.clear();
    this.droppedTypes.clear();
  }

  /** Handles every pending Ready of `id` and returns the messages it emitted. */
  drain(id: number): Message[] {
    const tn = this.get(id);
    const out: Message[] = [];
    for (let guard = 0; tn.node.hasReady(); guard++) {
      if (guard > 1000) throw new Error(`node ${id} never stops having Ready`);
      const rd = tn.node.ready();
      persistReady(tn.storage, rd);
      for (const m of rd.messages) out.push(m);
      for (const rs of rd.readStates) tn.readStates.push(rs);
      for (const e of rd.committedEntries) {
        tn.applied.push(e);
        if (e.type !== 'EntryNormal') tn.confState = tn.node.applyConfChange(decodeConfChange(e));
      }
      tn.node.advance(rd);
    }
    return out;
  }

  /** Delivers messages (and everything they cause) until the network is quiet. */
  send(...msgs: Message[]): void {
    const queue: Message[] = [...msgs];
    for (let i = 0; i < queue.length; i++) {
      if (i > 100000) throw new Error('message storm');
      const m = queue[i] as Message;
      if (!this.deliverable(m)) continue;
      const tn = this.nodes.get(m.to);
      if (!tn) continue;
      this.delivered.push(m);
      try {
        tn.node.step(m);
      } catch (err) {
        // Dropped proposals and messages from removed peers are expected in tests.
        if (!(err instanceof ProposalDroppedError || err instanceof StepPeerNotFoundError))
          throw err;
      }
      for (const out of this.drain(m.to)) queue.push(out);
    }
  }

  private deliverable(m: Message): boolean {
    if (this.cut.has(`${m.from}-${m.to}`)) return false;
    if (this.droppedTypes.has(m.type)) return false;
    return this.filter ? this.filter(m) : true;
  }

  /** Runs `f` on node `id`, then delivers everything it caused. */
  act(id: number, f: (n: RawNode) => void): void {
    f(this.raw(id));
    this.send(...this.drain(id));
  }

  campaign(id: number): void {
    this.act(id, (n) => n.campaign());
  }

  propose(id: number, data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.act(id, (n) => n.propose(bytes));
  }

  tick(id: number, times = 1): void {
    for (let i = 0; i < times; i++) this.act(id, (n) => n.tick());
  }

  /** Ticks every node once, then delivers. */
  tickAll(): void {
    for (const id of this.nodes.keys()) this.tick(id);
  }

  /** One heartbeat round from `leader`. */
  heartbeat(leader: number): void {
    this.act(leader, (node) => {
      node.internal.step({
        type: 'MsgBeat',
        to: 0,
        from: leader,
        term: 0,
        logTerm: 0,
        index: 0,
        entries: [],
        commit: 0,
        reject: false,
        rejectHint: 0,
      });
    });
  }

  /** Log entries (index, term) of a node, from storage plus unstable tail. */
  log(id: number): Entry[] {
    return this.raw(id).internal.raftLog.allEntries();
  }
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
