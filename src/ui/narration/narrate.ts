// One plain English sentence per trace record, in etcd's and Raft's words, for the event feed.
// `narrate(record, ctx)` takes the context as it was just before the record (see context.ts):
// fold each record in with advanceContext after narrating it.
//
// Records are untrusted shapes (a worker's copies, a future version's fields), so every field is
// read defensively: a missing field makes a shorter sentence, never "undefined" or "NaN". Text
// from a record (an error message) passes through plainText; the result is a plain string for
// the UI to render as text.
import type { TraceRecord } from '../../sim/conductor';
import type { NarrationContext } from './context';
import { messagePurpose } from './messages';
import {
  narrateClientLoad,
  narrateProxyCache,
  narrateProxyFanout,
  narrateProxyRequest,
  narrateProxyResponse,
  narrateProxyWatchers,
  narrateProxyCoalesce,
} from './proxy';
import { describeNodeSettings, describeSettings } from './settings';
import { humanizeBytes } from '../../etcdctl/format';
import { count, duration, nodeList, nodeName, num, plainText, rpcName, str } from './words';

type Narrator = (r: TraceRecord, ctx: NarrationContext) => string;

const ROLES: ReadonlyMap<string, string> = new Map([
  ['StateFollower', 'follower'],
  ['StatePreCandidate', 'pre-candidate'],
  ['StateCandidate', 'candidate'],
  ['StateLeader', 'leader'],
]);

function role(state: unknown): string {
  const s = str(state);
  if (s === undefined) return 'an unknown state';
  return ROLES.get(s) ?? plainText(s, 40);
}

/** The voters other than `node`: whom a campaign asks. */
function peersOf(ctx: NarrationContext, node: unknown): number[] {
  return (ctx.voters ?? ctx.nodes).filter((id) => id !== node);
}

function clientName(id: unknown): string {
  return typeof id === 'number' ? `client ${id}` : 'a client';
}

function requestOf(r: TraceRecord): string {
  const id = num(r.requestId);
  return id === undefined
    ? `${clientName(r.clientId)}'s request`
    : `${clientName(r.clientId)}'s request ${id}`;
}

/** An error message without its class name: "StepPeerNotFoundError: raft: x" -> "raft: x". */
function errorText(v: unknown): string {
  const s = str(v);
  if (s === undefined) return 'no reason given';
  const colon = s.indexOf(': ');
  const head = colon > 0 ? s.slice(0, colon) : '';
  return plainText(head.endsWith('Error') && head.indexOf(' ') < 0 ? s.slice(colon + 2) : s);
}

function msgType(r: TraceRecord): string {
  const t = str(r.type);
  return t === undefined ? 'a message' : plainText(t, 40);
}

// ---- elections ----

/** A node back to follower, by the role it left: what it does, why in the same term, why else. */
const FOLLOWER_AGAIN: ReadonlyMap<string, readonly [string, string, string]> = new Map([
  [
    'StateLeader',
    [
      'steps down from leader to follower',
      'it lost touch with a quorum (CheckQuorum)',
      'a higher term reached it, or it lost touch with a quorum (CheckQuorum)',
    ],
  ],
  [
    'StateCandidate',
    [
      'stops campaigning and becomes a follower',
      'another node won this term, or a quorum refused its vote',
      'another node won, a quorum refused its vote, or a higher term reached it',
    ],
  ],
  [
    'StatePreCandidate',
    [
      'is a follower again',
      'its pre-vote failed, or it heard from a leader',
      'its pre-vote failed, or it heard from a leader',
    ],
  ],
]);

function narrateState(r: TraceRecord, ctx: NarrationContext): string {
  const n = nodeName(r.node);
  const from = str(r.from);
  const term = num(r.term);
  const inTerm = term === undefined ? '' : ` in term ${term}`;
  switch (str(r.to)) {
    case 'StatePreCandidate': {
      const next = term === undefined ? 'the next term' : `term ${term + 1}`;
      const stays = term === undefined ? '' : `; its term stays ${term}`;
      const peers = peersOf(ctx, r.node);
      if (peers.length === 0) {
        return `${n}'s election timer fired; it becomes a pre-candidate for ${next}${stays}`;
      }
      return `${n}'s election timer fired; it becomes a pre-candidate and asks ${nodeList(peers)} whether they would vote for it in ${next} (a pre-vote${stays})`;
    }
    case 'StateCandidate': {
      const peers = peersOf(ctx, r.node);
      const ask =
        peers.length === 0
          ? 'votes for itself, the only voter'
          : `asks ${nodeList(peers)} for votes`;
      const forTerm = term === undefined ? '' : ` for term ${term}`;
      const t = ctx.timeoutNow;
      let cause: string;
      if (from === 'StatePreCandidate') cause = `${n} won the pre-vote`;
      else if (t && t.node === r.node && t.atUs === r.atUs)
        cause = `${n} got MsgTimeoutNow: leadership is being transferred to it`;
      else if (ctx.preVote === true) cause = `${n} campaigns without a pre-vote`;
      else cause = `${n}'s election timer fired`;
      return `${cause}; it becomes a candidate${forTerm} and ${ask}`;
    }
    case 'StateLeader': {
      const forTerm = term === undefined ? '' : ` for term ${term}`;
      return `${n} won the election with a quorum of votes; it becomes leader${forTerm} and appends an empty entry to commit its term`;
    }
    case 'StateFollower': {
      // The term before this record says why: a higher term arrived, or the same term went on.
      const prev = typeof r.node === 'number' ? ctx.terms?.[r.node] : undefined;
      const known = term !== undefined && prev !== undefined;
      const left = FOLLOWER_AGAIN.get(from ?? '');
      if (!left) return `${n} becomes a follower${inTerm}`;
      const [what, sameTerm, unknownTerm] = left;
      const why = !known
        ? unknownTerm
        : term > prev
          ? `a message with term ${term} reached it`
          : sameTerm;
      return `${n} ${what}${inTerm}: ${why}`;
    }
    default:
      return `${n} goes from ${role(r.from)} to ${role(r.to)}${inTerm}`;
  }
}

function narrateLeaderChange(r: TraceRecord, ctx: NarrationContext): string {
  const n = nodeName(r.node);
  const from = num(r.from) ?? 0;
  const to = num(r.to) ?? 0;
  // The new leader's term: this node's own may be stale until it persists the leader's.
  const term = to === 0 ? undefined : ctx.terms?.[to];
  const inTerm = term === undefined ? '' : ` in term ${term}`;
  if (to === r.node) {
    return from === 0
      ? `${n} is the leader now${inTerm}: it serves proposals and ReadIndex requests`
      : `${n} is the leader now${inTerm}, taking over from n${from}`;
  }
  if (from === r.node) {
    return to === 0
      ? `${n} is no longer the leader and knows no other yet`
      : `${n} is no longer the leader; it follows n${to}${inTerm}`;
  }
  if (to === 0) {
    return from === 0
      ? `${n} knows no leader`
      : `${n} no longer knows a leader (it followed n${from}); it cannot take proposals until one is elected`;
  }
  return from === 0
    ? `${n} learns that n${to} is the leader${inTerm}`
    : `${n} now follows n${to}${inTerm} instead of n${from}`;
}

function narrateTransfer(r: TraceRecord): string {
  const to = nodeName(r.to);
  return `${nodeName(r.node)} starts moving leadership to ${to}: it brings ${to}'s log up to date, then sends it MsgTimeoutNow`;
}

function narrateGracefulStop(r: TraceRecord): string {
  const to = nodeName(r.transferTo);
  return `${nodeName(r.node)} is stopping gracefully: as leader it first hands leadership to ${to}, the most up-to-date voter`;
}

// ---- messages ----

function narrateSend(r: TraceRecord, ctx: NarrationContext): string {
  const type = msgType(r);
  let what = messagePurpose(type);
  const term = typeof r.node === 'number' ? ctx.terms?.[r.node] : undefined;
  if (term !== undefined) {
    if (type === 'MsgVote') what = `a request for its vote in term ${term}`;
    else if (type === 'MsgPreVote')
      what = `a pre-vote request, asking whether it would vote in term ${term + 1}`;
  }
  what = withFields(type, r) ?? what;
  const readCtx = str(r.ctx);
  if (readCtx !== undefined && (type === 'MsgHeartbeat' || type === 'MsgHeartbeatResp'))
    what += `, carrying read context ${plainText(readCtx, 40)}: a quorum of acks fixes that round's read index`;
  const copies = Array.isArray(r.deliverAtUs) ? r.deliverAtUs.length : 1;
  const dup = copies > 1 ? `; the network delivers it ${copies} times` : '';
  return `${nodeName(r.node)} sends ${nodeName(r.to)} ${type}: ${what}${dup}`;
}

/** A message's own fields, when the send record carries them, make the sentence specific. */
function withFields(type: string, r: TraceRecord): string | undefined {
  const index = num(r.index) ?? 0;
  const entries = num(r.entries) ?? 0;
  const commit = num(r.commit) ?? 0;
  const reject = r.reject === true;
  switch (type) {
    case 'MsgApp':
      if (num(r.term) === undefined) return undefined;
      return entries > 0
        ? `${entries === 1 ? `entry ${index + 1}` : `entries ${index + 1}-${index + entries}`} to append after index ${index}, commit ${commit}`
        : `an empty append probing after index ${index}, commit ${commit}`;
    case 'MsgAppResp':
      if (num(r.term) === undefined) return undefined;
      return reject
        ? `it rejects the append at index ${index}; its log ends near ${num(r.rejectHint) ?? 0}`
        : `its log matches the leader's up to index ${index}`;
    case 'MsgHeartbeat':
      return num(r.term) === undefined
        ? undefined
        : `a heartbeat for term ${num(r.term)}, commit ${commit}`;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      if (num(r.term) === undefined) return undefined;
      return reject
        ? `it refuses the ${type === 'MsgVoteResp' ? 'vote' : 'pre-vote'}`
        : `it grants the ${type === 'MsgVoteResp' ? 'vote' : 'pre-vote'}`;
    default:
      return undefined;
  }
}

function narrateRecv(r: TraceRecord): string {
  const type = msgType(r);
  return `${nodeName(r.node)} receives ${type} from ${nodeName(r.from)}: ${messagePurpose(type)}`;
}

function narrateDuplicate(r: TraceRecord): string {
  return `A message from ${nodeName(r.node)} to ${nodeName(r.to)} is duplicated by hand: ${nodeName(r.to)} will receive it twice`;
}

function narrateDrop(r: TraceRecord): string {
  const type = msgType(r);
  // Dropped as it was sent, the record is the sender's and names `to`; dropped on arrival, it is
  // the recipient's (and names `from` only if the conductor adds it).
  const atSend = r.to !== undefined;
  const sender = atSend ? r.node : r.from;
  const recipient = nodeName(atSend ? r.to : r.node);
  const msg =
    sender === undefined
      ? `A ${type} on its way to ${recipient}`
      : `${nodeName(sender)}'s ${type} to ${recipient}`;
  switch (str(r.reason)) {
    case 'cut':
      return atSend
        ? `${msg} is dropped: the link ${nodeName(sender)} → ${recipient} is cut`
        : `${msg} dies in flight: the link was cut after it was sent`;
    case 'loss':
      return `${msg} is lost: the network drops it at random (packet loss)`;
    case 'node-down':
      return `${msg} is lost: ${recipient} is down`;
    case 'no-such-node':
      return `${msg} is dropped: there is no node ${recipient}`;
    case 'user':
      return `${msg} is dropped by hand, on the wire`;
    default: {
      const reason = str(r.reason);
      return reason === undefined
        ? `${msg} is dropped`
        : `${msg} is dropped (${plainText(reason, 40)})`;
    }
  }
}

function narrateStepRefused(r: TraceRecord): string {
  return `${nodeName(r.node)} ignores ${msgType(r)} from ${nodeName(r.from)}: ${errorText(r.error)}`;
}

// ---- replication and the disk ----

function hardStateText(hs: Record<string, unknown>, node: unknown, ctx: NarrationContext): string {
  const parts: string[] = [];
  const term = num(hs.term);
  if (term !== undefined) {
    const prev = typeof node === 'number' ? ctx.terms?.[node] : undefined;
    parts.push(
      prev !== undefined && term > prev ? `term ${term}, up from ${prev}` : `term ${term}`,
    );
  }
  const vote = num(hs.vote);
  if (vote !== undefined)
    parts.push(vote === 0 ? 'no vote' : vote === node ? 'voted for itself' : `voted for n${vote}`);
  const commit = num(hs.commit);
  if (commit !== undefined) parts.push(`commit ${commit}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function narratePersist(r: TraceRecord, ctx: NarrationContext): string {
  const n = nodeName(r.node);
  const entries = num(r.entries) ?? 0;
  const hs =
    typeof r.hardState === 'object' && r.hardState !== null
      ? hardStateText(r.hardState as Record<string, unknown>, r.node, ctx)
      : undefined;
  const writeId = num(r.writeId);
  const write = writeId === undefined ? '' : ` (write ${writeId})`;
  if (entries > 0 && hs !== undefined)
    return `${n} appends ${count(entries, 'entry', 'entries')} to its WAL with its hard state${hs} and waits for fsync${write}`;
  if (entries > 0)
    return `${n} appends ${count(entries, 'entry', 'entries')} to its WAL and waits for fsync${write}`;
  if (hs !== undefined && r.sync === false)
    return `${n} writes its hard state${hs} to its WAL without waiting for fsync: only the commit index moved, which Raft learns again after a crash (raft.MustSync)${write}`;
  if (hs !== undefined)
    return `${n} writes its hard state${hs} to its WAL and waits for fsync${write}`;
  return `${n} writes a snapshot to its disk and waits for fsync${write}`;
}

function narrateDurable(r: TraceRecord): string {
  const id = num(r.writeId);
  return id === undefined
    ? `${nodeName(r.node)}'s fsync completes: its write is durable`
    : `${nodeName(r.node)}'s fsync completes: write ${id} is durable`;
}

function narrateTickMissed(r: TraceRecord): string {
  const id = num(r.writeId);
  const write = id === undefined ? 'its fsync' : `the fsync of write ${id}`;
  return `${nodeName(r.node)} misses a tick: its Raft loop is still waiting for ${write} (a leader sends no heartbeat meanwhile)`;
}

function narratePropose(r: TraceRecord): string {
  const n = nodeName(r.node);
  const method = str(r.method);
  if (method === 'range')
    return `${n} proposes a Range read through the Raft log (the log read path, as in etcd 3.0); it is answered once applied`;
  const what = method === undefined ? 'a request' : `a ${rpcName(plainText(method, 40))}`;
  return `${n} proposes ${what} to Raft; once a quorum has it in the log, every member applies it`;
}

function narrateApply(r: TraceRecord): string {
  const n = nodeName(r.node);
  const index = num(r.index);
  const entry = index === undefined ? 'an entry' : `entry ${index}`;
  if (r.empty === true)
    return `${n} applies ${entry}, a new leader's empty entry: nothing to store`;
  const method = str(r.method);
  const failed = r.ok === false ? '; the store refuses it with an error' : '';
  if (method === 'range')
    return `${n} applies ${entry}, a Range read through the log, and can answer it${failed}`;
  if (method === 'leaseRevoke')
    return `${n} applies ${entry} (LeaseRevoke): the lease and every key attached to it are deleted${failed}`;
  const rpc = method === undefined ? '' : ` (${rpcName(plainText(method, 40))})`;
  return `${n} applies ${entry}${rpc} to its key-value store${failed}`;
}

// ---- reads ----

const READ_WAYS: ReadonlyMap<string, string> = new Map([
  ['read-index', 'it waits at this member for the next ReadIndex round'],
  ['lease', 'it waits for the next read round, which the leader answers on its lease'],
  ['log', 'it goes through the Raft log as a proposal (the log read path, as in etcd 3.0)'],
  ['serializable', "the serializable read path answers it from this member's own store"],
  ['local', "unsafe local-reads answers it from this member's own store, without a round"],
]);

function narrateRead(r: TraceRecord): string {
  const path = str(r.path);
  const way = READ_WAYS.get(path ?? '');
  const head = `${nodeName(r.node)} takes ${requestOf(r)}, a linearizable read`;
  return way === undefined ? head : `${head}: ${way}`;
}

function narrateReadIndex(r: TraceRecord, ctx: NarrationContext): string {
  const reads = count(num(r.batch) ?? 1, 'read', 'reads');
  const n = nodeName(r.node);
  if (ctx.readPath === 'lease')
    return `${n} starts a read round for ${reads}: on the lease read path the leader answers with its commit index at once, trusting its lease`;
  return `${n} starts a ReadIndex round for ${reads}: the leader notes its commit index and confirms it still leads with a heartbeat round to a quorum`;
}

function narrateReadState(r: TraceRecord): string {
  const index = num(r.index);
  const at = index === undefined ? 'its read index' : `index ${index}`;
  return `${nodeName(r.node)} gets its ReadState: the reads of its round may be served once it has applied ${at}`;
}

function narrateReadServed(r: TraceRecord): string {
  const index = num(r.index);
  const batch = num(r.batch) ?? 1;
  const reads = batch === 1 ? 'the read' : `all ${batch} reads`;
  const applied = index === undefined ? 'its read index' : `index ${index}`;
  return `${nodeName(r.node)} has applied ${applied} and serves ${reads} of its round`;
}

// ---- clients ----

function narrateRequest(r: TraceRecord): string {
  const method = str(r.method);
  if (method === 'configure')
    return `${nodeName(r.node)} is sent new settings (request ${num(r.requestId) ?? 0})`;
  const what = method === undefined ? 'a request' : `a ${rpcName(plainText(method, 40))}`;
  const key = str(r.key);
  const onKey = key === undefined ? '' : ` for key "${plainText(key)}"`;
  const id = num(r.requestId);
  const tag = id === undefined ? '' : ` (request ${id})`;
  return `${capitalize(clientName(r.clientId))} sends ${what}${onKey} to ${nodeName(r.node)}${tag}`;
}

function narrateRequestLost(r: TraceRecord): string {
  const n = nodeName(r.node);
  return `${n} is down, so ${requestOf(r)} is lost; no answer will come`;
}

function narrateResponse(r: TraceRecord): string {
  const n = nodeName(r.node);
  const error = str(r.error);
  if (r.ok === false || error !== undefined)
    return `${n} answers ${requestOf(r)} with an error${error === undefined ? '' : `: ${plainText(error)}`}`;
  const revision = num(r.revision);
  const at = revision === undefined ? '' : ` at revision ${revision}`;
  const watchId = num(r.watchId);
  if (watchId !== undefined) return narrateWatchResponse(r, `${n}`, watchId, at);
  return `${n} answers ${requestOf(r)}${at}`;
}

/** One response of a watch stream: created, events, or its end. */
function narrateWatchResponse(r: TraceRecord, n: string, watchId: number, at: string): string {
  const who = clientName(r.clientId);
  if (r.created === true) return `${n} starts watch ${watchId} for ${who}${at}`;
  const compacted = num(r.compactRevision);
  if (r.canceled === true)
    return compacted === undefined
      ? `${n} ends watch ${watchId} of ${who}`
      : `${n} cancels watch ${watchId} of ${who}: revision ${compacted} is compacted`;
  const events = num(r.events) ?? 0;
  return `${n} streams ${events} event${events === 1 ? '' : 's'} to ${who} on watch ${watchId}${at}`;
}

function narrateAuth(r: TraceRecord): string {
  const n = nodeName(r.node);
  const who = clientName(r.clientId);
  const cost = num(r.costUs);
  const cpu = cost === undefined ? '' : `, ${duration(cost)} of CPU`;
  const check =
    r.check === 'password'
      ? `checks ${who}'s password (bcrypt${cpu})`
      : r.check === 'token'
        ? `checks ${who}'s auth token${cpu === '' ? '' : ` (${cpu.slice(2)})`}`
        : `authenticates ${who}${cpu === '' ? '' : ` (${cpu.slice(2)})`}`;
  const ready = num(r.readyUs);
  if (ready === undefined) return `${n} ${check}`;
  const waitUs = ready - r.atUs;
  const queued = cost !== undefined && waitUs > cost ? ', after waiting for a free core' : '';
  return `${n} ${check}; the request goes ahead in ${duration(waitUs)}${queued}`;
}

function capitalize(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

// ---- storage ----

const TXN_WORDS: ReadonlyMap<string, string> = new Map([
  ['read', 'read'],
  ['write', 'write'],
  ['commit', 'batch commit'],
  ['defrag', 'defragmentation'],
]);

function narrateLock(r: TraceRecord): string {
  const n = nodeName(r.node);
  const txn = TXN_WORDS.get(str(r.txn) ?? '') ?? 'transaction';
  const id = num(r.txnId);
  const who = id === undefined ? `${n}'s ${txn}` : `${n}'s ${txn} (txn ${id})`;
  const lock = plainText(str(r.lock) ?? 'a lock', 40);
  const at = num(r.lockAtUs);
  const when =
    at === undefined || at === r.atUs
      ? ''
      : at > r.atUs
        ? ` in ${duration(at - r.atUs)}`
        : ` ${duration(r.atUs - at)} ago`;
  const phase = str(r.phase);
  if (r.mode === 'none') {
    // etcd 3.4's concurrentReadTx: the read runs on its own copy of the read buffer, lock-free.
    if (phase === 'released') return `${who} finishes reading its copy of the read buffer${when}`;
    if (phase === 'granted')
      return `${who} reads its own copy of the read buffer with no lock held (${lock})${when}`;
    return `${who} moves on to its copy of the read buffer (${lock}, no lock)${when}`;
  }
  const mode = r.mode === 'exclusive' ? 'exclusively' : r.mode === 'shared' ? 'shared' : '';
  const how = mode === '' ? '' : ` ${mode}`;
  if (phase === 'requested') return `${who} asks for the ${lock} lock${how}${when}`;
  if (phase === 'granted') return `${who} gets the ${lock} lock${how}${when}`;
  if (phase === 'released') return `${who} releases the ${lock} lock${when}`;
  return `${who} uses the ${lock} lock${when}`;
}

function narrateSnapshot(r: TraceRecord): string {
  const index = num(r.index);
  const bytes = num(r.bytes);
  const at = index === undefined ? '' : ` at applied index ${index}`;
  const size = bytes === undefined ? '' : ` (${count(bytes, 'byte', 'bytes')})`;
  return `${nodeName(r.node)} snapshots its store${at}${size} and compacts its Raft log, keeping a tail for slow followers`;
}

function narrateSnapshotRestored(r: TraceRecord): string {
  const index = num(r.index);
  const at = index === undefined ? '' : ` at index ${index}`;
  return `${nodeName(r.node)} replaces its store with the leader's snapshot${at} and continues its log from there`;
}

function narrateSnapshotFailed(r: TraceRecord): string {
  const to = nodeName(r.to);
  return `${nodeName(r.node)} heard nothing back about its snapshot to ${to} within an election timeout; it reports the snapshot failed and will probe ${to} and send it again`;
}

// ---- membership ----

const CONF_CHANGES: ReadonlyMap<string, (node: string) => string> = new Map([
  ['ConfChangeAddNode', (node: string) => `make ${node} a voter`],
  ['ConfChangeAddLearnerNode', (node: string) => `add ${node} as a learner`],
  ['ConfChangeRemoveNode', (node: string) => `remove ${node}`],
]);

function narrateProposeConf(r: TraceRecord): string {
  const change = str(r.change);
  const target = nodeName(r.nodeId);
  const effect = CONF_CHANGES.get(change ?? '');
  const what = change === undefined ? 'a configuration change' : plainText(change, 40);
  return effect === undefined
    ? `${nodeName(r.node)} proposes ${what} for ${target}`
    : `${nodeName(r.node)} proposes ${what}: ${effect(target)}`;
}

function idList(v: unknown): readonly number[] {
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
}

function narrateApplyConf(r: TraceRecord): string {
  const index = num(r.index);
  const entry = index === undefined ? '' : ` in entry ${index}`;
  const voters = idList(r.voters);
  const learners = idList(r.learners);
  const v = voters.length === 0 ? 'no voters' : `voters ${nodeList(voters)}`;
  const l = learners.length === 0 ? '' : `; learners ${nodeList(learners)}`;
  return `${nodeName(r.node)} applies the configuration change${entry}: ${v}${l}`;
}

const REFUSALS: ReadonlyMap<string, string> = new Map([
  ['MemberExist', 'that member ID already exists'],
  ['MemberNotFound', 'there is no such member'],
  ['NotEnoughStartedMembers', 'too few members have started for the change to be safe'],
  [
    'Unhealthy',
    'the health check fails: without an active quorum after it, the change could stall the cluster',
  ],
  ['MemberNotLearner', 'only a learner can be promoted'],
  ['LearnerNotReady', "the learner's log is not yet in sync with the leader's"],
]);

function narrateMembershipRefused(r: TraceRecord): string {
  const name = str(r.error);
  const why = name === undefined ? undefined : REFUSALS.get(name);
  const n = nodeName(r.node);
  if (why !== undefined) return `${n} refuses the membership change: ${why} (${name})`;
  return name === undefined
    ? `${n} refuses the membership change`
    : `${n} refuses the membership change (${plainText(name, 60)})`;
}

function narrateNodeAdded(r: TraceRecord): string {
  return `${nodeName(r.node)} joins as a new member with an empty disk; it will learn the log from the leader`;
}

function narrateRemoved(r: TraceRecord): string {
  return `${nodeName(r.node)} has applied its own removal from the cluster and stops serving`;
}

// ---- the space quota ----

function narrateAlarmRaise(r: TraceRecord): string {
  const size = num(r.dbSize);
  const at = size === undefined ? '' : ` at ${humanizeBytes(size)}`;
  return `${nodeName(r.node)}'s backend is out of its space quota${at}: it refuses the write with "database space exceeded" and proposes a NOSPACE alarm through Raft`;
}

function narrateAlarm(r: TraceRecord): string {
  const n = nodeName(r.node);
  if (r.action === 'ACTIVATE')
    return `${n} applied a NOSPACE alarm for ${nodeName(r.memberID)}: from here it refuses puts, txns with puts and lease grants; reads, deletes and compaction go on`;
  const alarms = num(r.disarmed) === 1 ? 'an alarm' : `${num(r.disarmed) ?? 'its'} alarms`;
  return `${n} applied the disarming of ${alarms}: writes are accepted again while they fit`;
}

function narrateDefrag(r: TraceRecord): string {
  const before = num(r.dbSize);
  const after = num(r.after);
  const sizes =
    before === undefined || after === undefined
      ? ''
      : `: ${humanizeBytes(before)} down to ${humanizeBytes(after)}`;
  return `${nodeName(r.node)} defragments its backend, copying every key into a compact new file${sizes}; reads and writes wait for it`;
}

// ---- leases ----

function narrateLeaseExpired(r: TraceRecord): string {
  const id = num(r.lease);
  const lease = id === undefined ? 'A lease' : `Lease ${id.toString(16)}`;
  return `${lease} has expired: leader ${nodeName(r.node)} proposes a LeaseRevoke so every member deletes its keys at the same revision`;
}

// ---- faults and the node's life ----

function narrateNodeStart(r: TraceRecord): string {
  const n = nodeName(r.node);
  const epoch = num(r.epoch);
  return epoch === undefined || epoch <= 1
    ? `${n} starts, reading its log and hard state from its disk`
    : `${n} restarts from its disk alone: what was not yet durable when it went down is gone`;
}

function narrateStartFailed(r: TraceRecord): string {
  return `${nodeName(r.node)} fails to start and stays down: ${errorText(r.error)}`;
}

function narrateCrash(r: TraceRecord): string {
  return `${nodeName(r.node)} crashes: whatever it had not made durable is lost, and messages to it are dropped until it restarts`;
}

function narratePause(r: TraceRecord): string {
  return `${nodeName(r.node)} pauses: its clock stops and messages and requests wait until it resumes`;
}

function narrateResume(r: TraceRecord): string {
  return `${nodeName(r.node)} resumes and works through everything that arrived while it was paused`;
}

function narrateSlowDisk(r: TraceRecord): string {
  const factor = num(r.factor);
  const n = nodeName(r.node);
  if (factor === undefined) return `${n}'s disk speed changes`;
  if (factor <= 1) return `${n}'s disk is back to normal speed`;
  return `${n}'s disk becomes ${factor}x slower: every fsync takes ${factor} times as long`;
}

const ACTION_PHRASES: ReadonlyMap<string, string> = new Map([
  ['crash', 'Action: crash a node'],
  ['restart', 'Action: restart a crashed node'],
  ['pause', 'Action: pause a node'],
  ['resume', 'Action: resume a paused node'],
  ['cut', 'Action: cut a link between two nodes'],
  ['heal', 'Action: heal a link between two nodes'],
  ['partition', 'Action: partition the network into groups'],
  ['heal-all', 'Action: heal every cut link and partition'],
  ['crash-leader', 'Action: crash whichever node leads now'],
  ['graceful-stop-leader', 'Action: stop whichever node leads now, gracefully'],
  ['isolate-leader', 'Action: cut the leader off from every other node'],
  ['slow-disk-leader', 'Action: slow down the disk of whichever node leads now'],
  ['restart-all', 'Action: restart every crashed node'],
  ['resume-all', 'Action: resume every paused node'],
  ['slow-disk', "Action: change a node's disk speed"],
  ['set-network', "Action: change every link's latency, jitter, loss, duplication and reordering"],
  ['set-disk', "Action: change every node's fsync latency"],
  ['set-timing', 'Action: change the heartbeat, the election timeout, PreVote or CheckQuorum'],
  ['set-read-path', 'Action: change the read path'],
  ['set-backend', "Action: change the backend's lock mode or batching"],
  ['set-auth', 'Action: change the auth mode'],
  ['drop-message', 'Action: drop a message on the wire'],
  ['duplicate-message', 'Action: deliver a message on the wire twice'],
  ['campaign', 'Action: make a node campaign now'],
  ['put', 'Action: put a key'],
  ['get', 'Action: get a key'],
  ['delete', 'Action: delete a key'],
  ['add-member', 'Action: add a member'],
  ['lease-put', 'Action: grant a lease and put a key under it'],
  ['start-member', 'The new member starts, with an empty disk, to catch up from the leader'],
  ['remove-member', 'Action: remove a member'],
  ['promote-member', 'Action: promote a learner to a voter'],
  ['transfer-leader', 'Action: move leadership to another member'],
  ['graceful-stop', 'Action: stop a node gracefully'],
  ['etcdctl', 'Action: run an etcdctl command'],
  ['snapshot-save', "Action: save a snapshot file of a member's backend"],
  ['snapshot-restore', 'Action: restore every member from a snapshot file'],
  ['etcdctl-interrupt', 'Action: Ctrl+C in the console'],
  ['arrival', 'A workload client sends its next request'],
  ['client-start', 'A workload client starts'],
  ['watcher-start', 'A workload watcher opens its watch'],
  ['client-retry', 'A workload client tries again after a failed request'],
  ['start-workload', 'Action: start a workload'],
  ['stop-workload', 'Action: stop a workload'],
]);

function narrateSettings(r: TraceRecord): string {
  const what = describeSettings(r);
  return what === '' ? 'The settings change' : `The settings change from here on: ${what}`;
}

function narrateConfigured(r: TraceRecord): string {
  const what = describeNodeSettings(r);
  const n = nodeName(r.node);
  return what === ''
    ? `${n} takes up new settings, keeping its log and its state`
    : `${n} takes up new settings, keeping its log and its state: ${what}`;
}

function narrateAction(r: TraceRecord): string {
  const label = str(r.label);
  if (label === undefined) return 'An action runs';
  return ACTION_PHRASES.get(label) ?? `Action: ${plainText(label, 60)}`;
}

function narrateActionFailed(r: TraceRecord): string {
  const action = str(r.action);
  const what = action === undefined ? 'An action' : `The action "${plainText(action, 40)}"`;
  return `${what} could not be done: ${errorText(r.error)}`;
}

function narrateEtcdctl(r: TraceRecord): string {
  const command = str(r.command);
  const n = nodeName(r.node);
  return command === undefined
    ? `${n} gets an etcdctl command from the console`
    : `${n} gets an etcdctl command from the console: ${plainText(command, 120)}`;
}

function narrateSnapshotSaved(r: TraceRecord): string {
  const file = plainText(str(r.file) ?? 'a file', 80);
  return `etcdctl snapshot save: ${nodeName(r.node)}'s backend at revision ${num(r.revision) ?? '?'} is saved to ${file} (${num(r.bytes) ?? '?'} bytes, its sha256 at the end)`;
}

function narrateClusterRestored(r: TraceRecord): string {
  const file = plainText(str(r.file) ?? 'a file', 80);
  const members = Array.isArray(r.members) ? r.members.map((m) => nodeName(m)).join(', ') : '';
  return `etcdctl snapshot restore: ${members || 'every member'} start again from ${file} as a new cluster, at revision ${num(r.revision) ?? '?'}, with a fresh Raft log`;
}

function narrateEtcdctlInterrupt(r: TraceRecord): string {
  const n = num(r.watches) ?? 0;
  return n === 0
    ? 'Ctrl+C in the console: no watch is running'
    : `Ctrl+C in the console stops ${n === 1 ? 'its watch' : `its ${n} watches`}`;
}

function narrateInvariantViolated(r: TraceRecord): string {
  const name = str(r.invariant) ?? 'a safety property';
  return `Safety broken (${plainText(name, 40)}): ${plainText(str(r.message) ?? '', 300)}`;
}

const NARRATORS: ReadonlyMap<string, Narrator> = new Map<string, Narrator>([
  // the conductor
  ['node-start', narrateNodeStart],
  ['start-failed', narrateStartFailed],
  ['node-added', narrateNodeAdded],
  ['send', narrateSend],
  ['recv', narrateRecv],
  ['drop', narrateDrop],
  ['duplicate', narrateDuplicate],
  ['durable', narrateDurable],
  ['tick-missed', narrateTickMissed],
  ['request', narrateRequest],
  ['request-lost', narrateRequestLost],
  ['response', narrateResponse],
  ['crash', narrateCrash],
  ['pause', narratePause],
  ['resume', narrateResume],
  ['slow-disk', narrateSlowDisk],
  ['action', narrateAction],
  ['action-failed', narrateActionFailed],
  ['etcdctl', narrateEtcdctl],
  ['etcdctl-interrupt', narrateEtcdctlInterrupt],
  ['invariant-violated', narrateInvariantViolated],
  ['settings', narrateSettings],
  ['snapshot-saved', narrateSnapshotSaved],
  ['cluster-restored', narrateClusterRestored],
  // the etcd server
  ['persist', narratePersist],
  ['apply', narrateApply],
  ['apply-conf', narrateApplyConf],
  ['propose', narratePropose],
  ['propose-conf', narrateProposeConf],
  ['read', narrateRead],
  ['read-index', narrateReadIndex],
  ['read-state', narrateReadState],
  ['read-served', narrateReadServed],
  ['state', narrateState],
  ['leader-change', narrateLeaderChange],
  ['lock', narrateLock],
  ['lease-expired', narrateLeaseExpired],
  ['snapshot', narrateSnapshot],
  ['snapshot-restored', narrateSnapshotRestored],
  ['snapshot-failed', narrateSnapshotFailed],
  ['membership-refused', narrateMembershipRefused],
  ['transfer-leader', narrateTransfer],
  ['graceful-stop', narrateGracefulStop],
  ['removed', narrateRemoved],
  ['auth', narrateAuth],
  ['step-refused', narrateStepRefused],
  ['configured', narrateConfigured],
  ['alarm-raise', narrateAlarmRaise],
  ['alarm', narrateAlarm],
  ['defrag', narrateDefrag],
  ['client-load', narrateClientLoad],
  // the gRPC proxy
  ['proxy-request', narrateProxyRequest],
  ['proxy-response', narrateProxyResponse],
  ['proxy-cache', narrateProxyCache],
  ['proxy-watchers', narrateProxyWatchers],
  ['proxy-coalesce', narrateProxyCoalesce],
  ['proxy-fanout', narrateProxyFanout],
]);

/** Every record kind narrate has a sentence for (others get a generic one). */
export const NARRATED_KINDS: ReadonlySet<string> = new Set(NARRATORS.keys());

/**
 * One plain sentence for `record`, naming nodes n1, n2, ...; `ctx` is the context as it stood
 * just before the record. A kind this version does not know gets a generic sentence.
 */
export function narrate(record: TraceRecord, ctx: NarrationContext): string {
  const narrator = NARRATORS.get(record.kind);
  if (narrator) return narrator(record, ctx);
  const kind = plainText(String(record.kind), 40);
  return record.node === undefined
    ? `Event "${kind}"`
    : `${nodeName(record.node)} records "${kind}"`;
}
