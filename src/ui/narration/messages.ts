// What each message between members is for, in etcd's and Raft's words. The conductor's send,
// recv and drop records carry only the type, so the narration says what a message of that type
// carries (narrate.ts adds the term to vote requests when the context knows it).

/** What a message of each type carries, as a noun phrase ("log entries to append ..."). */
const MESSAGE_PURPOSE: ReadonlyMap<string, string> = new Map([
  ['MsgApp', "log entries to append (or an empty probe), with the leader's commit index"],
  ['MsgAppResp', "how far its log now matches the leader's, or a rejection with a hint"],
  [
    'MsgHeartbeat',
    "the leader's heartbeat, which holds off elections and carries the commit index",
  ],
  ['MsgHeartbeatResp', "an acknowledgement of the leader's heartbeat"],
  ['MsgVote', 'a request for its vote'],
  ['MsgVoteResp', 'its answer to a vote request, granting or refusing the vote'],
  ['MsgPreVote', 'a pre-vote request, asking whether it would vote in the next term'],
  ['MsgPreVoteResp', 'its answer to a pre-vote'],
  ['MsgTimeoutNow', 'an order to campaign at once, as leadership is being transferred to it'],
  ['MsgReadIndex', 'a request to the leader for a read index, to serve linearizable reads'],
  ['MsgReadIndexResp', 'the read index for its reads, once the leader has confirmed it leads'],
  ['MsgSnap', 'a snapshot of the store, because the entries it lacks were compacted away'],
  ['MsgProp', 'a proposal for the leader to append to its log'],
  ['MsgForward', 'a client call that must run on the leader (lease or membership)'],
  ['MsgForwardResp', 'the answer to a client call it forwarded'],
  ['MsgTransferLeader', 'a request to move leadership'],
  ['MsgSnapStatus', 'a report on a snapshot it sent'],
  ['MsgUnreachable', 'a report that a peer is unreachable'],
]);

/** What a message of type `type` carries; a plain description for a type raftlab does not know. */
export function messagePurpose(type: string): string {
  return MESSAGE_PURPOSE.get(type) ?? 'a message';
}
