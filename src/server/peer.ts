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
