// Small pure helpers shared by the core: entry sizes (as etcd's protobuf encoding counts them),
// message classification, and byte-string keys.
import type { Entry, Message, MessageType } from './types';

export const NONE = 0;
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/** Bytes of a varint holding `x` (protobuf's sov). */
function varintSize(x: number): number {
  let n = 1;
  while (x >= 128) {
    x = Math.floor(x / 128);
    n++;
  }
  return n;
}

const entryTypeCode = { EntryNormal: 0, EntryConfChange: 1, EntryConfChangeV2: 2 } as const;

/**
 * The encoded size of an entry, matching etcd's raftpb Entry.Size() so that maxSizePerMsg cuts
 * batches at the same places etcd does. An empty payload counts as absent (Go's nil).
 */
export function entrySize(e: Entry): number {
  let n = 1 + varintSize(entryTypeCode[e.type]) + 1 + varintSize(e.term) + 1 + varintSize(e.index);
  const l = e.data.length;
  if (l > 0) n += 1 + l + varintSize(l);
  return n;
}

export function entriesSize(ents: readonly Entry[]): number {
  let s = 0;
  for (const e of ents) s += entrySize(e);
  return s;
}

/** Payload bytes only, as etcd's payloadsSize (used for inflight byte accounting). */
export function payloadsSize(ents: readonly Entry[]): number {
  let s = 0;
  for (const e of ents) s += e.data.length;
  return s;
}

/**
 * The longest prefix of `ents` whose total size is at most `maxSize`, but always at least one
 * entry (so a single oversized entry still makes progress). Returns `ents` itself when nothing is
 * cut, to avoid a copy on the hot path.
 */
export function limitSize(ents: Entry[], maxSize: number): Entry[] {
  if (ents.length === 0 || maxSize === Infinity) return ents;
  let size = entrySize(ents[0] as Entry);
  let limit = 1;
  for (; limit < ents.length; limit++) {
    size += entrySize(ents[limit] as Entry);
    if (size > maxSize) break;
  }
  return limit === ents.length ? ents : ents.slice(0, limit);
}

const localTypes: ReadonlySet<MessageType> = new Set<MessageType>([
  'MsgHup',
  'MsgBeat',
  'MsgUnreachable',
  'MsgSnapStatus',
  'MsgCheckQuorum',
]);
const responseTypes: ReadonlySet<MessageType> = new Set<MessageType>([
  'MsgAppResp',
  'MsgVoteResp',
  'MsgHeartbeatResp',
  'MsgUnreachable',
  'MsgPreVoteResp',
]);

/** Messages that only the node itself may generate (timers and local reports). */
export function isLocalMsg(t: MessageType): boolean {
  return localTypes.has(t);
}

export function isResponseMsg(t: MessageType): boolean {
  return responseTypes.has(t);
}

export function voteRespMsgType(t: MessageType): MessageType {
  if (t === 'MsgVote') return 'MsgVoteResp';
  if (t === 'MsgPreVote') return 'MsgPreVoteResp';
  throw new Error(`not a vote message: ${t}`);
}

/** A map key for a byte string (read contexts); latin1 keeps it one char per byte. */
export function bytesKey(b: Uint8Array | undefined): string {
  if (b === undefined || b.length === 0) return '';
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i] as number);
  return s;
}

export function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  const la = a?.length ?? 0;
  if (la !== (b?.length ?? 0)) return false;
  for (let i = 0; i < la; i++) if ((a as Uint8Array)[i] !== (b as Uint8Array)[i]) return false;
  return true;
}

/** A message with every field at its zero value except those given. */
export function newMessage(m: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    type: m.type,
    to: m.to ?? NONE,
    from: m.from ?? NONE,
    term: m.term ?? 0,
    logTerm: m.logTerm ?? 0,
    index: m.index ?? 0,
    entries: m.entries ?? [],
    commit: m.commit ?? 0,
    snapshot: m.snapshot,
    reject: m.reject ?? false,
    rejectHint: m.rejectHint ?? 0,
    context: m.context,
  };
}
