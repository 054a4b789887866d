// etcd's JSON gateway (grpc-gateway v1, as etcd 3.4 serves it on /v3/...), both ways. Requests:
// bytes as base64, int64 as decimal strings or numbers, enums by name or number, unknown fields
// ignored. Responses: bytes as base64, every integer as a decimal string, zero values left out,
// errors as {"error", "message", "code"} with grpc-gateway's HTTP status. Checked against a real
// etcd 3.4.23's gateway.
import type { ClientRequest, ClientResponse } from './requests';

export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code = 3,
  ) {
    super(message);
  }
}

/** grpc-gateway v1's runtime.HTTPStatusFromCode. */
export function httpStatusFromCode(code: number): number {
  const table: Record<number, number> = {
    0: 200,
    1: 408,
    2: 500,
    3: 400,
    4: 504,
    5: 404,
    6: 409,
    7: 403,
    8: 429,
    9: 412,
    10: 409,
    11: 400,
    12: 501,
    13: 500,
    14: 503,
    15: 500,
    16: 401,
  };
  return table[code] ?? 500;
}

const ENUMS: Record<string, { proto: string; names: readonly string[] }> = {
  sort_order: {
    proto: 'etcdserverpb.RangeRequest_SortOrder',
    names: ['NONE', 'ASCEND', 'DESCEND'],
  },
  sort_target: {
    proto: 'etcdserverpb.RangeRequest_SortTarget',
    names: ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE'],
  },
  result: {
    proto: 'etcdserverpb.Compare_CompareResult',
    names: ['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL'],
  },
  target: {
    proto: 'etcdserverpb.Compare_CompareTarget',
    names: ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE'],
  },
  action: {
    proto: 'etcdserverpb.AlarmRequest_AlarmAction',
    names: ['GET', 'ACTIVATE', 'DEACTIVATE'],
  },
  alarm: { proto: 'etcdserverpb.AlarmType', names: ['NONE', 'NOSPACE', 'CORRUPT'] },
};
const BYTES = new Set(['key', 'range_end', 'value']);
const INT64 = new Set([
  'limit',
  'revision',
  'lease',
  'min_mod_revision',
  'max_mod_revision',
  'min_create_revision',
  'max_create_revision',
  'version',
  'create_revision',
  'mod_revision',
  'ID',
  'TTL',
  'memberID',
]);
const BOOL = new Set([
  'serializable',
  'keys_only',
  'count_only',
  'prev_kv',
  'ignore_value',
  'ignore_lease',
  'physical',
  'keys',
]);
const NESTED = new Set([
  'compare',
  'success',
  'failure',
  'request_range',
  'request_put',
  'request_delete_range',
  'request_txn',
]);

function fromBase64(s: unknown, field: string): Uint8Array {
  if (typeof s !== 'string')
    throw new GatewayError(`bad input for bytes field ${field}: not a string`);
  const clean = s.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean))
    throw new GatewayError(`illegal base64 data in field ${field}`);
  let bin: string;
  try {
    bin = atob(clean);
  } catch {
    throw new GatewayError(`illegal base64 data in field ${field}`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(b: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < b.length; i++) bin += String.fromCharCode(b[i]!);
  return btoa(bin);
}

function int64(v: unknown, field: string): number {
  const n =
    typeof v === 'string' && /^-?\d+$/.test(v)
      ? Number(v)
      : typeof v === 'number' && Number.isInteger(v)
        ? v
        : NaN;
  if (!Number.isSafeInteger(n))
    throw new GatewayError(`bad input for int64 field ${field}: ${JSON.stringify(v)}`);
  return n;
}

/** Decodes one gateway request object (recursively for txn operations). */
function decodeObject(o: unknown, where: string): Record<string, unknown> {
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new GatewayError(`${where}: expected a JSON object`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if (v === null) continue;
    if (BYTES.has(k)) out[k] = fromBase64(v, k);
    else if (INT64.has(k)) out[k] = int64(v, k);
    else if (BOOL.has(k)) {
      if (typeof v !== 'boolean')
        throw new GatewayError(`bad input for bool field ${k}: ${JSON.stringify(v)}`);
      out[k] = v;
    } else if (k in ENUMS) {
      const e = ENUMS[k]!;
      const name =
        typeof v === 'number'
          ? e.names[v]
          : typeof v === 'string' && e.names.includes(v)
            ? v
            : undefined;
      if (name === undefined)
        throw new GatewayError(`unknown value ${JSON.stringify(v)} for enum ${e.proto}`);
      out[k] = name;
    } else if (NESTED.has(k)) {
      out[k] = Array.isArray(v)
        ? v.map((x, i) => decodeObject(x, `${k}[${i}]`))
        : decodeObject(v, k);
    }
    // Anything else is ignored, as etcd's gateway ignores unknown fields.
  }
  return out;
}

const ROUTES: Record<string, ClientRequest['method']> = {
  '/v3/kv/range': 'range',
  '/v3/kv/put': 'put',
  '/v3/kv/deleterange': 'deleteRange',
  '/v3/kv/txn': 'txn',
  '/v3/kv/compaction': 'compact',
  '/v3/lease/grant': 'leaseGrant',
  '/v3/lease/revoke': 'leaseRevoke',
  '/v3/kv/lease/revoke': 'leaseRevoke',
  '/v3/lease/timetolive': 'leaseTimeToLive',
  '/v3/kv/lease/timetolive': 'leaseTimeToLive',
  '/v3/lease/leases': 'leaseLeases',
  '/v3/kv/lease/leases': 'leaseLeases',
  '/v3/maintenance/status': 'status',
  '/v3/maintenance/alarm': 'alarm',
  '/v3/maintenance/defragment': 'defragment',
  '/v3/cluster/member/list': 'memberList',
};

export function gatewayRequest(path: string, body: unknown): ClientRequest {
  const method = ROUTES[path];
  if (!method) throw new GatewayError(`Not Found: no gateway route ${path}`, 5);
  return { method, body: decodeObject(body ?? {}, 'body') } as ClientRequest;
}

/** Encodes a response value as grpc-gateway does (zero values omitted). Undefined: omit it. */
function encodeValue(v: unknown): unknown {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return undefined;
  if (typeof v === 'number') return String(v);
  if (v instanceof Uint8Array) return v.length === 0 ? undefined : toBase64(v);
  if (Array.isArray(v)) {
    return v.length === 0
      ? undefined
      : v.map((x) =>
          typeof x === 'object' && x !== null && !(x instanceof Uint8Array)
            ? encodeObject(x)
            : encodeValue(x),
        );
  }
  if (typeof v === 'object') return encodeObject(v as Record<string, unknown>);
  return v;
}

function encodeObject(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const e = encodeValue(v);
    if (e !== undefined) out[k] = e;
  }
  return out;
}

export function gatewayResponse(r: ClientResponse): { status: number; body: unknown } {
  if (!r.ok) {
    const { message, code } = r.error;
    return { status: httpStatusFromCode(code), body: { error: message, message, code } };
  }
  const body = r.body as unknown as Record<string, unknown>;
  // etcd's Alarm and Defragment answer with no header: {"alarms":[...]} and {}.
  if (r.method === 'alarm' || r.method === 'defragment') {
    const { header: _header, ...rest } = body;
    return { status: 200, body: encodeObject(rest) };
  }
  return { status: 200, body: encodeObject(body) };
}
