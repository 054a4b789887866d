// A node's answer -> the text etcdctl 3.4 prints for it: its "simple" output, its -w json
// (Go's encoding/json over etcd's structs: fields in struct order, zero values left out, bytes in
// base64, int64 as numbers), and its -w table for member list and endpoint status. Checked
// against a real etcd 3.4.23 (see format.test.ts).
import type {
  DeleteRangeResponse,
  KeyValue,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseTimeToLiveResponse,
  PutResponse,
  RangeResponse,
  ResponseOp,
  TxnResponse,
  Event,
} from '../mvcc/types';
import type {
  ClientResponse,
  Member,
  MemberAddResponse,
  MemberChangeResponse,
  MemberListResponse,
  ServerResponseHeader,
  StatusResponse,
  WatchStreamResponse,
} from '../server/requests';
import type { EtcdctlCommand } from './parse';

const text = new TextDecoder();
const str = (b: Uint8Array): string => text.decode(b);

export function toBase64(b: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < b.length; i++) bin += String.fromCharCode(b[i]!);
  return btoa(bin);
}

/** Go's %016x. */
export const hex16 = (n: number): string => n.toString(16).padStart(16, '0');
/** Go's %16x: padded with spaces. */
const hexPad = (n: number): string => n.toString(16).padStart(16, ' ');
/** Go's %x (types.ID's String). */
const hex = (n: number): string => n.toString(16);

/** Where the console addresses a node; raftlab's nodes have no network addresses. */
export const endpointOf = (node: number): string => `n${node}`;
export const peerURL = (name: string): string => `http://${name}:2380`;
export const clientURL = (name: string): string => `http://${name}:2379`;

/** go-humanize's Bytes (SI units), as etcdctl prints DB SIZE; Go rounds half to even. */
export function humanizeBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const sizes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const val = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  const digits = val < 10 ? 1 : 0;
  return `${roundHalfEven(val, digits)} ${sizes[e]!}`;
}

function roundHalfEven(v: number, digits: number): string {
  const scaled = v * 10 ** digits;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const r =
    Math.abs(diff - 0.5) < 1e-9 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled);
  return (r / 10 ** digits).toFixed(digits);
}

// ---- JSON as Go's encoding/json writes etcd's structs (omitempty everywhere) ----

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** An object with the zero values (0, false, '', empty bytes, undefined) left out. */
function omitEmpty(fields: [string, Json | Uint8Array | undefined][]): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of fields) {
    if (v === undefined || v === 0 || v === false || v === '') continue;
    if (v instanceof Uint8Array) {
      if (v.length > 0) out[k] = toBase64(v);
    } else if (Array.isArray(v)) {
      if (v.length > 0) out[k] = v;
    } else out[k] = v;
  }
  return out;
}

type AnyHeader = Partial<ServerResponseHeader> & { revision: number };

function headerFields(h: AnyHeader): [string, number | undefined][] {
  return [
    ['cluster_id', h.cluster_id],
    ['member_id', h.member_id],
    ['revision', h.revision],
    ['raft_term', h.raft_term],
  ];
}
const headerJson = (h: AnyHeader) => omitEmpty(headerFields(h));

function kvJson(kv: KeyValue): Json {
  return omitEmpty([
    ['key', kv.key],
    ['create_revision', kv.create_revision],
    ['mod_revision', kv.mod_revision],
    ['version', kv.version],
    ['value', kv.value],
    ['lease', kv.lease],
  ]);
}

function rangeJson(r: RangeResponse): Json {
  return omitEmpty([
    ['header', headerJson(r.header)],
    ['kvs', r.kvs.map(kvJson)],
    ['more', r.more],
    ['count', r.count],
  ]);
}

function putJson(r: PutResponse): Json {
  return omitEmpty([
    ['header', headerJson(r.header)],
    ['prev_kv', r.prev_kv && kvJson(r.prev_kv)],
  ]);
}

function delJson(r: DeleteRangeResponse): Json {
  return omitEmpty([
    ['header', headerJson(r.header)],
    ['deleted', r.deleted],
    ['prev_kvs', r.prev_kvs?.map(kvJson)],
  ]);
}

function opJson(op: ResponseOp): Json {
  if ('response_range' in op) return { Response: { ResponseRange: rangeJson(op.response_range) } };
  if ('response_put' in op) return { Response: { ResponsePut: putJson(op.response_put) } };
  if ('response_delete_range' in op)
    return { Response: { ResponseDeleteRange: delJson(op.response_delete_range) } };
  return { Response: { ResponseTxn: txnJson(op.response_txn) } };
}

function txnJson(r: TxnResponse): Json {
  return omitEmpty([
    ['header', headerJson(r.header)],
    ['succeeded', r.succeeded],
    ['responses', r.responses.map(opJson)],
  ]);
}

function memberJson(m: Member, started = true): Json {
  return omitEmpty([
    ['ID', m.ID],
    ['name', started ? m.name : ''],
    ['peerURLs', [peerURL(m.name)]],
    ['clientURLs', started ? [clientURL(m.name)] : []],
    ['isLearner', m.isLearner === true],
  ]);
}

function statusJson(node: number, r: StatusResponse): Json {
  return [
    {
      Endpoint: endpointOf(node),
      Status: omitEmpty([
        ['header', headerJson(r.header)],
        ['version', r.version],
        ['dbSize', r.dbSize],
        ['leader', r.leader],
        ['raftIndex', r.raftIndex],
        ['raftTerm', r.raftTerm],
        ['raftAppliedIndex', r.raftAppliedIndex],
        ['errors', r.errors ?? []],
        ['isLearner', r.isLearner],
      ]),
    },
  ];
}

/** clientv3's lease responses embed *pb.ResponseHeader: its fields come first, flattened. */
const flatHeader = (h: AnyHeader) => headerFields(h);

// ---- simple output ----

function kvLines(kv: KeyValue, valueOnly = false): string[] {
  return valueOnly ? [str(kv.value)] : [str(kv.key), str(kv.value)];
}

function getLines(r: RangeResponse, cmd: EtcdctlCommand): string[] {
  if (cmd.print.countOnly) return [String(r.count)];
  return r.kvs.flatMap((kv) => kvLines(kv, cmd.print.valueOnly === true));
}

function txnLines(r: TxnResponse): string[] {
  const lines = [r.succeeded ? 'SUCCESS' : 'FAILURE'];
  for (const op of r.responses) {
    lines.push('');
    if ('response_range' in op) lines.push(...op.response_range.kvs.flatMap((kv) => kvLines(kv)));
    else if ('response_put' in op) {
      lines.push('OK');
      if (op.response_put.prev_kv) lines.push(...kvLines(op.response_put.prev_kv));
    } else if ('response_delete_range' in op) {
      const d = op.response_delete_range;
      lines.push(String(d.deleted), ...(d.prev_kvs ?? []).flatMap((kv) => kvLines(kv)));
    } else lines.push(...txnLines(op.response_txn));
  }
  return lines;
}

function memberCells(m: Member): string[] {
  return [
    hex(m.ID),
    'started',
    m.name,
    peerURL(m.name),
    clientURL(m.name),
    String(m.isLearner === true),
  ];
}

/**
 * olekukonko/tablewriter as etcdctl sets it up: a border of + - |, headers centred (the odd space
 * to the right), cells aligned right.
 */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const centre = (s: string, w: number) => {
    const left = Math.floor((w - s.length) / 2);
    return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
  };
  const line = (cells: string[], pad: (s: string, w: number) => string) =>
    '| ' + cells.map((c, i) => pad(c, widths[i]!)).join(' | ') + ' |';
  return lines([
    rule,
    line(headers, centre),
    rule,
    ...rows.map((r) => line(r, (s, w) => s.padStart(w))),
    rule,
  ]);
}

const MEMBER_HEADERS = ['ID', 'STATUS', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEARNER'];
const STATUS_HEADERS = [
  'ENDPOINT',
  'ID',
  'VERSION',
  'DB SIZE',
  'IS LEADER',
  'IS LEARNER',
  'RAFT TERM',
  'RAFT INDEX',
  'RAFT APPLIED INDEX',
  'ERRORS',
];

// ---- the answer ----

/** The error line etcdctl prints for a failed call. */
function errorText(cmd: EtcdctlCommand, message: string, node: number): string {
  if (cmd.name === 'lease revoke') return `Error: failed to revoke lease (${message})\n`;
  // etcdctl looks for the leader among its endpoints before it asks; the console's one endpoint
  // is the node picked.
  if (cmd.name === 'move-leader' && message === 'etcdserver: not leader')
    return `Error: no leader endpoint given at [${endpointOf(node)}]\n`;
  return `Error: ${message}\n`;
}

const lines = (ls: string[]): string => ls.map((l) => l + '\n').join('');

/**
 * What etcdctl prints for `cmd` given the node's answer, stdout and stderr together, each line
 * ending in a newline. `node` is the node the console sent the command to.
 */
export function formatResponse(cmd: EtcdctlCommand, r: ClientResponse, node: number): string {
  if (!r.ok) return errorText(cmd, r.error.message, node);
  const json = cmd.output === 'json';
  const out = (v: Json) => JSON.stringify(v) + '\n';
  const body = r.body as { header: AnyHeader };
  const h = body.header;
  switch (cmd.name) {
    case 'get': {
      const b = body as RangeResponse;
      return json ? out(rangeJson(b)) : lines(getLines(b, cmd));
    }
    case 'put': {
      const b = body as PutResponse;
      if (json) return out(putJson(b));
      return lines(['OK', ...(b.prev_kv ? kvLines(b.prev_kv) : [])]);
    }
    case 'del': {
      const b = body as DeleteRangeResponse;
      if (json) return out(delJson(b));
      return lines([String(b.deleted), ...(b.prev_kvs ?? []).flatMap((kv) => kvLines(kv))]);
    }
    case 'txn': {
      const b = body as TxnResponse;
      return json ? out(txnJson(b)) : lines(txnLines(b));
    }
    case 'compaction': {
      // etcdctl prints compaction in the simple form whatever -w says.
      const rev = cmd.request.method === 'compact' ? cmd.request.body.revision : 0;
      return `compacted revision ${rev}\n`;
    }
    case 'lease grant': {
      const b = body as LeaseGrantResponse;
      if (json) return out(grantJson(b));
      return `lease ${hex16(b.ID)} granted with TTL(${b.TTL}s)\n`;
    }
    case 'lease revoke': {
      const id = cmd.request.method === 'leaseRevoke' ? cmd.request.body.ID : 0;
      return json ? out({ header: headerJson(h) }) : `lease ${hex16(id)} revoked\n`;
    }
    case 'lease timetolive': {
      const b = body as LeaseTimeToLiveResponse;
      if (json) {
        const o = omitEmpty(flatHeader(h));
        Object.assign(o, {
          id: b.ID,
          ttl: b.TTL,
          'granted-ttl': b.grantedTTL,
          keys: b.keys && b.keys.length > 0 ? b.keys.map(toBase64) : null,
        });
        return out(o);
      }
      if (b.grantedTTL === 0 && b.TTL === -1) return `lease ${hex16(b.ID)} already expired\n`;
      let t = `lease ${hex16(b.ID)} granted with TTL(${b.grantedTTL}s), remaining(${b.TTL}s)`;
      if (cmd.print.keys) t += `, attached keys([${(b.keys ?? []).map(str).join(' ')}])`;
      return t + '\n';
    }
    case 'lease keep-alive': {
      const b = body as LeaseKeepAliveResponse;
      if (b.TTL <= 0) {
        // clientv3's KeepAliveOnce answers a lease that is gone with ErrLeaseNotFound; the
        // looping form prints this.
        return cmd.print.loop
          ? `lease ${hex16(b.ID)} expired or revoked.\n`
          : 'Error: etcdserver: requested lease not found\n';
      }
      const note =
        cmd.print.loop && !json
          ? "(raftlab's console renews once; etcdctl would go on renewing until interrupted)\n"
          : '';
      if (json) {
        const o = omitEmpty(flatHeader(h));
        Object.assign(o, { ID: b.ID, TTL: b.TTL });
        return out(o) + note;
      }
      return `lease ${hex16(b.ID)} keepalived with TTL(${b.TTL})\n` + note;
    }
    case 'lease list': {
      const b = body as LeaseLeasesResponse;
      if (json) {
        const o = omitEmpty(flatHeader(h));
        o.leases = b.leases.map((l) => ({ id: l.ID }));
        return out(o);
      }
      return lines([`found ${b.leases.length} leases`, ...b.leases.map((l) => hex16(l.ID))]);
    }
    case 'member list': {
      const b = body as MemberListResponse;
      if (json) return out({ header: headerJson(h), members: b.members.map((m) => memberJson(m)) });
      const rows = b.members.map(memberCells);
      if (cmd.output === 'table') return table(MEMBER_HEADERS, rows);
      return lines(rows.map((r) => r.join(', ')));
    }
    case 'member add': {
      const a = body as Partial<MemberAddResponse> & MemberChangeResponse;
      const newId = cmd.request.method === 'memberAdd' ? cmd.request.body.ID : 0;
      const b = { ...a, member: a.member ?? { ID: newId, name: `n${newId}` } };
      const newName = cmd.print.memberName ?? b.member.name;
      const peers = cmd.print.peerURLs ?? [peerURL(newName)];
      const added: Member = { ...b.member, name: newName };
      if (json) {
        const unstarted = (m: Member) => memberJson(m, m.ID !== b.member.ID);
        return out(
          omitEmpty([
            ['header', headerJson(h)],
            ['member', unstarted(added)],
            ['members', b.members.map(unstarted)],
          ]),
        );
      }
      const cluster = b.members
        .map((m) =>
          m.ID === b.member.ID ? `${newName}=${peers.join(',')}` : `${m.name}=${peerURL(m.name)}`,
        )
        .join(',');
      return lines([
        `Member ${hexPad(b.member.ID)} added to cluster ${hexPad(h.cluster_id ?? 0)}`,
        '',
        `ETCD_NAME="${newName}"`,
        `ETCD_INITIAL_CLUSTER="${cluster}"`,
        `ETCD_INITIAL_ADVERTISE_PEER_URLS="${peers.join(',')}"`,
        `ETCD_INITIAL_CLUSTER_STATE="existing"`,
      ]);
    }
    case 'member remove':
    case 'member promote': {
      const b = body as MemberChangeResponse;
      if (json) return out({ header: headerJson(h), members: b.members.map((m) => memberJson(m)) });
      const id = cmd.request.body as { ID: number };
      const verb = cmd.name === 'member remove' ? 'removed from' : 'promoted in';
      return `Member ${hexPad(id.ID)} ${verb} cluster ${hexPad(h.cluster_id ?? 0)}\n`;
    }
    case 'endpoint status': {
      const b = body as StatusResponse;
      if (json) return out(statusJson(node, b));
      const row = [
        endpointOf(node),
        hex(h.member_id ?? node),
        b.version,
        humanizeBytes(b.dbSize),
        String(b.leader === (h.member_id ?? node)),
        String(b.isLearner),
        String(b.raftTerm),
        String(b.raftIndex),
        String(b.raftAppliedIndex),
        (b.errors ?? []).join(', '),
      ];
      if (cmd.output === 'table') return table(STATUS_HEADERS, [row]);
      return row.join(', ') + '\n';
    }
    case 'watch':
      return watchText(body as WatchStreamResponse, json);
    case 'move-leader': {
      if (json) return out({ header: headerJson(h) });
      const to = cmd.request.method === 'moveLeader' ? cmd.request.body.targetID : 0;
      return `Leadership transferred from ${hex(h.member_id ?? node)} to ${hex(to)}\n`;
    }
    default:
      return json ? out(headerJson(h)) : 'OK\n';
  }
}

// ---- watch: one response of the stream at a time ----

/** mvccpb.Event as encoding/json writes it: type is an enum number (PUT, 0, left out). */
function eventJson(e: Event): Json {
  return omitEmpty([
    ['type', e.type === 'DELETE' ? 1 : 0],
    ['kv', kvJson(e.kv)],
    ['prev_kv', e.prev_kv ? kvJson(e.prev_kv) : undefined],
  ]);
}

/** clientv3.WatchResponse's Err(), the words of etcdctl's "watch was canceled (...)". */
function watchErr(w: WatchStreamResponse): string {
  if (w.compact_revision) return 'etcdserver: mvcc: required revision has been compacted';
  if (w.cancel_reason) return w.cancel_reason;
  return 'etcdserver: mvcc: required revision is a future revision';
}

/**
 * What etcdctl watch prints for one response: nothing for the created one (clientv3 keeps it);
 * for events, each event's type, its prev_kv's key and value lines (--prev-kv) and its kv's; with
 * -w json the clientv3.WatchResponse struct (Go field names: no json tags, nothing left out). A
 * canceled response ends the command: "watch was canceled (<why>)" on stderr, the response, and
 * "Error: watch is canceled by the server".
 */
function watchText(w: WatchStreamResponse, json: boolean): string {
  if (w.created) return '';
  let text = '';
  if (w.canceled) text += `watch was canceled (${watchErr(w)})\n`;
  if (json) {
    text +=
      JSON.stringify({
        Header: headerJson(w.header),
        Events: w.events.map(eventJson),
        CompactRevision: w.compact_revision ?? 0,
        Canceled: w.canceled ?? false,
        Created: false,
      }) + '\n';
  } else {
    for (const e of w.events) {
      text += lines([e.type, ...(e.prev_kv ? kvLines(e.prev_kv) : []), ...kvLines(e.kv)]);
    }
  }
  if (w.canceled) text += 'Error: watch is canceled by the server\n';
  return text;
}

function grantJson(b: LeaseGrantResponse): Json {
  // clientv3.LeaseGrantResponse: the header's fields, then ID, TTL and Error with no omitempty.
  const o = omitEmpty(flatHeader(b.header));
  Object.assign(o, { ID: b.ID, TTL: b.TTL, Error: '' });
  return o;
}

/** What the console prints for a command that never reached a node (a malformed one). */
export function formatError(message: string): string {
  return `Error: ${message}\n`;
}
