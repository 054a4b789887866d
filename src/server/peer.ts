// What members say to each other besides Raft. etcd members keep HTTP streams to every peer;
// here the one thing that travels outside Raft is a forwarded client call: a member hands a call
// that must run on the leader (lease keep-alive and time-to-live, as etcd 3.4 forwards them, and
// membership changes, whose health check needs the leader's view of who is active) to the
// leader, and relays the answer.
import type { Message } from '../raft';
import type { ClientRequest, ClientResponse } from './requests';

export interface ForwardMessage {
  type: 'MsgForward';
  from: number;
  to: number;
  fwdId: number;
  request: ClientRequest;
}

export interface ForwardRespMessage {
  type: 'MsgForwardResp';
  from: number;
  to: number;
  fwdId: number;
  response: ClientResponse;
}

export type PeerMessage = Message | ForwardMessage | ForwardRespMessage;

export function isForward(m: PeerMessage): m is ForwardMessage | ForwardRespMessage {
  return m.type === 'MsgForward' || m.type === 'MsgForwardResp';
}

/**
 * Whether a message of this type carries a client's call (a proposal, a forwarded call): such a
 * message is never delivered twice, as etcd's transport (TCP) never does, or the cluster would act
 * on the call twice.
 */
export function carriesClientCall(type: string): boolean {
  return type === 'MsgProp' || type === 'MsgForward';
}

/**
 * The fields of a message worth a trace record: a Raft message's term and what it carries
 * (index, log term, entry count, commit, rejection), so the feed and the message panel can say
 * "MsgApp with 3 entries after index 4, commit 4". Zero and false fields are left out.
 */
export function describeMessage(m: PeerMessage): Record<string, unknown> {
  if (isForward(m)) return { fwdId: m.fwdId };
  const d: Record<string, unknown> = { term: m.term };
  if (m.index) d.index = m.index;
  if (m.logTerm) d.logTerm = m.logTerm;
  if (m.entries.length > 0) d.entries = m.entries.length;
  if (m.commit) d.commit = m.commit;
  if (m.reject) d.reject = true;
  if (m.rejectHint) d.rejectHint = m.rejectHint;
  if (m.snapshot) d.snapshotIndex = m.snapshot.metadata.index;
  const ctx = readContext(m);
  if (ctx !== undefined) d.ctx = ctx;
  return d;
}

const ctxText = new TextDecoder();

/**
 * The ReadIndex context a message carries, as text: a heartbeat (and its ack) confirming reads
 * carries the newest pending read's context; MsgReadIndex and its response carry it as their one
 * entry's data. The server makes contexts as text (`<boot tag>.r<n>`).
 */
function readContext(m: Message): string | undefined {
  let bytes: Uint8Array | undefined;
  if (m.type === 'MsgHeartbeat' || m.type === 'MsgHeartbeatResp') bytes = m.context;
  else if (m.type === 'MsgReadIndex' || m.type === 'MsgReadIndexResp') bytes = m.entries[0]?.data;
  return bytes && bytes.length > 0 ? ctxText.decode(bytes) : undefined;
}
