// Helpers for unit tests that drive the Raft state machine directly (like etcd's newTestRaft):
// persisted state is not written anywhere; self-addressed responses are stepped right away.
import type { ConfigOverrides } from './network';
import { seededRand } from './network';
import { Raft } from '../raft';
import { MemoryStorage } from '../storage';
import type { ConfState, Entry, Message, MessageInput } from '../types';
import { EMPTY_BYTES, newMessage } from '../util';

export function newTestStorage(voters: number[], learners: number[] = []): MemoryStorage {
  return new MemoryStorage({ confState: { voters, learners } });
}

export function newTestRaft(
  id: number,
  election: number,
  heartbeat: number,
  storage: MemoryStorage,
  overrides: ConfigOverrides = {},
): Raft {
  return new Raft({
    id,
    electionTick: election,
    heartbeatTick: heartbeat,
    storage,
    rand: seededRand(id * 31 + 7),
    ...overrides,
  });
}

/** Entries with the given terms at indexes start, start + 1, ... */
export function entsWithTerms(terms: number[], start = 1): Entry[] {
  return terms.map((term, i) => ({
    term,
    index: start + i,
    type: 'EntryNormal',
    data: EMPTY_BYTES,
  }));
}

/** A storage whose log holds entries of the given terms (index 1..n). */
export function storageWithTerms(voters: number[], terms: number[]): MemoryStorage {
  const s = newTestStorage(voters);
  s.append(entsWithTerms(terms));
  return s;
}

export function mkMsg(m: MessageInput): Message {
  return newMessage(m);
}

/**
 * Steps self-addressed responses (own votes, own append acks) back in, as if the Ready that
 * carried them had been persisted, and returns the outgoing messages.
 */
export function readMessages(r: Raft): Message[] {
  for (let guard = 0; r.msgsAfterAppend.length > 0; guard++) {
    if (guard > 100) throw new Error('self messages never settle');
    const after = r.msgsAfterAppend;
    r.msgsAfterAppend = [];
    for (const m of after) {
      if (m.to === r.id) r.step(m);
      else r.msgs.push(m);
    }
  }
  const msgs = r.msgs;
  r.msgs = [];
  return msgs;
}

/** Steps a local proposal of normal entries with the given payloads (or of `entries`). */
export function proposeOn(r: Raft, ...payloads: Array<string | Uint8Array | Entry>): void {
  const entries = payloads.map((p): Entry => {
    if (typeof p === 'string') {
      return { term: 0, index: 0, type: 'EntryNormal', data: new TextEncoder().encode(p) };
    }
    if (p instanceof Uint8Array) return { term: 0, index: 0, type: 'EntryNormal', data: p };
    return p;
  });
  r.step(newMessage({ type: 'MsgProp', from: r.id, to: r.id, entries }));
}

/** Answers each MsgApp in `msgs` with a successful MsgAppResp at `term` (default r.term). */
export function ackAppends(r: Raft, msgs: Message[], term = r.term): void {
  for (const m of msgs) {
    if (m.type !== 'MsgApp') continue;
    const index = m.index + m.entries.length;
    r.step(newMessage({ type: 'MsgAppResp', from: m.to, to: r.id, term, index }));
  }
}

/** Makes `r` leader of its term without a real election (etcd tests' becomeCandidate+Leader). */
export function forceLeader(r: Raft): void {
  r.becomeCandidate();
  r.becomeLeader();
  readMessages(r);
}

export function confStateOf(voters: number[], learners: number[] = []): ConfState {
  return { voters, learners, votersOutgoing: [], learnersNext: [], autoLeave: false };
}

/** Entries (index, term) of r's log, for compact comparisons. */
export function logIdTerm(r: Raft): Array<[number, number]> {
  return r.raftLog.allEntries().map((e) => [e.index, e.term]);
}
