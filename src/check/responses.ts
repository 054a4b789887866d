// What the checker reads out of requests and responses: whether an answer says the call wrote
// (made a revision), the key-values it shows, the key ranges a request touches, and where the
// model's answer differs from the observed one.
import type { KeyRange } from '../mvcc/bytes';
import { bytesToBinary, EMPTY_BYTES, toKeyRange } from '../mvcc/bytes';
import type {
  KeyValue,
  PutRequest,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from '../mvcc/types';
import type { KvRequest, KvResponse, Operation } from './history';
import { bytesText } from './kv-model';

/** Whether a successful answer says its call made a new revision (changed something). */
export function answerWrote(req: KvRequest, resp: KvResponse): boolean {
  switch (req.method) {
    case 'range':
      return false;
    case 'put':
      return true;
    case 'deleteRange':
      return 'deleted' in resp && resp.deleted > 0;
    case 'txn':
      return 'responses' in resp && responseOpsWrote(resp.responses);
  }
}

function responseOpsWrote(ops: readonly ResponseOp[]): boolean {
  for (const r of ops) {
    if ('response_put' in r) return true;
    if ('response_delete_range' in r && r.response_delete_range.deleted > 0) return true;
    if ('response_txn' in r && responseOpsWrote(r.response_txn.responses)) return true;
  }
  return false;
}

/** Whether a request can change the store at all (has a put or a delete anywhere). */
export function requestMayWrite(req: KvRequest): boolean {
  if (req.method === 'range') return false;
  if (req.method !== 'txn') return true;
  const walk = (t: TxnRequest): boolean =>
    [...(t.success ?? []), ...(t.failure ?? [])].some(
      (op) => !('request_range' in op) && (!('request_txn' in op) || walk(op.request_txn)),
    );
  return walk(req.body);
}

/**
 * Whether the request can have left `kv` (its key with its value; any value when the answer
 * was keys-only and shows none): a put of it, plain or in a txn branch, or an ignore_value put.
 */
export function mayHaveWritten(req: KvRequest, kv: KeyValue): boolean {
  const fits = (p: PutRequest): boolean =>
    sameBytes(p.key, kv.key) &&
    (p.ignore_value === true ||
      kv.value.length === 0 ||
      sameBytes(p.value ?? EMPTY_BYTES, kv.value));
  const ops = (list: readonly RequestOp[] | undefined): boolean =>
    (list ?? []).some(
      (op) =>
        ('request_put' in op && fits(op.request_put)) ||
        ('request_txn' in op && ops(op.request_txn.success)) ||
        ('request_txn' in op && ops(op.request_txn.failure)),
    );
  if (req.method === 'put') return fits(req.body);
  if (req.method === 'txn') return ops(req.body.success) || ops(req.body.failure);
  return false;
}

/** Every key-value an answer shows (range kvs, prev_kv, prev_kvs, nested), keys-only ones too. */
export function shownKvs(resp: KvResponse, out: KeyValue[] = []): KeyValue[] {
  if ('kvs' in resp) for (const kv of resp.kvs) out.push(kv);
  if ('prev_kv' in resp && resp.prev_kv) out.push(resp.prev_kv);
  if ('prev_kvs' in resp && resp.prev_kvs) for (const kv of resp.prev_kvs) out.push(kv);
  if ('responses' in resp) {
    for (const r of resp.responses) {
      if ('response_range' in r) shownKvs(r.response_range, out);
      else if ('response_put' in r) shownKvs(r.response_put, out);
      else if ('response_delete_range' in r) shownKvs(r.response_delete_range, out);
      else shownKvs(r.response_txn, out);
    }
  }
  return out;
}

/** A key-value an answer shows, and a revision at which it was certainly still the key's state. */
export interface ShownAt {
  readonly kv: KeyValue;
  readonly at: number;
}

/**
 * Every key-value an answer shows, as shownKvs, each with the latest revision at which the
 * answer proves it was still the key's state: a range's read revision (its header's, or the past
 * revision it asked for), the revision before a write for its prev_kv(s); inside a txn that
 * wrote, the revision before the txn's (its ranges may have read before or after its writes).
 */
export function shownKvsAt(req: KvRequest, resp: KvResponse): ShownAt[] {
  const out: ShownAt[] = [];
  const head = resp.header.revision;
  const push = (kvs: readonly KeyValue[] | undefined, at: number): void => {
    for (const kv of kvs ?? []) out.push({ kv, at: Math.max(at, kv.mod_revision) });
  };
  const txn = (t: TxnRequest, r: TxnResponse, base: number): void => {
    const ops = (r.succeeded ? t.success : t.failure) ?? [];
    r.responses.forEach((ro, i) => {
      const q = ops[i];
      if ('response_range' in ro) {
        const past = q && 'request_range' in q ? (q.request_range.revision ?? 0) : 0;
        push(ro.response_range.kvs, past > 0 ? past : base);
      } else if ('response_put' in ro) {
        if (ro.response_put.prev_kv) push([ro.response_put.prev_kv], base);
      } else if ('response_delete_range' in ro) {
        push(ro.response_delete_range.prev_kvs, base);
      } else if (q && 'request_txn' in q) {
        txn(q.request_txn, ro.response_txn, base);
      }
    });
  };
  switch (req.method) {
    case 'range': {
      const past = req.body.revision ?? 0;
      if ('kvs' in resp) push(resp.kvs, past > 0 ? past : head);
      break;
    }
    case 'put':
      if ('prev_kv' in resp && resp.prev_kv) push([resp.prev_kv], head - 1);
      break;
    case 'deleteRange':
      if ('prev_kvs' in resp) push(resp.prev_kvs, head - 1);
      break;
    case 'txn':
      if ('responses' in resp) txn(req.body, resp, answerWrote(req, resp) ? head - 1 : head);
      break;
  }
  return out;
}

/** The keys (binary) an answered write put, as its answer tells (a txn's branch by its answer). */
export function answeredPuts(req: KvRequest, resp: KvResponse): string[] {
  if (req.method === 'put') return [bytesToBinary(req.body.key)];
  if (req.method !== 'txn' || !('responses' in resp)) return [];
  const out: string[] = [];
  const txn = (t: TxnRequest, r: TxnResponse): void => {
    const ops = (r.succeeded ? t.success : t.failure) ?? [];
    r.responses.forEach((ro, i) => {
      const q = ops[i];
      if ('response_put' in ro && q && 'request_put' in q)
        out.push(bytesToBinary(q.request_put.key));
      else if ('response_txn' in ro && q && 'request_txn' in q) txn(q.request_txn, ro.response_txn);
    });
  };
  txn(req.body, resp);
  return out;
}

/** The key ranges a request reads or writes, compares of txns included. */
export function requestRanges(req: KvRequest): KeyRange[] {
  const out: KeyRange[] = [];
  const ops = (list: readonly RequestOp[] | undefined): void => {
    for (const op of list ?? []) {
      if ('request_range' in op)
        out.push(toKeyRange(op.request_range.key, op.request_range.range_end));
      else if ('request_put' in op) out.push(toKeyRange(op.request_put.key, undefined));
      else if ('request_delete_range' in op) {
        const d = op.request_delete_range;
        out.push(toKeyRange(d.key, d.range_end));
      } else txn(op.request_txn);
    }
  };
  const txn = (t: TxnRequest): void => {
    for (const c of t.compare ?? []) out.push(toKeyRange(c.key, c.range_end));
    ops(t.success);
    ops(t.failure);
  };
  switch (req.method) {
    case 'range':
    case 'deleteRange':
      out.push(toKeyRange(req.body.key, req.body.range_end));
      break;
    case 'put':
      out.push(toKeyRange(req.body.key, undefined));
      break;
    case 'txn':
      txn(req.body);
      break;
  }
  return out;
}

/** Whether two key ranges share a key. */
export function rangesMeet(a: KeyRange, b: KeyRange): boolean {
  const endA = a.end === undefined ? a.key + '\0' : a.end;
  const endB = b.end === undefined ? b.key + '\0' : b.end;
  return (endB === '' || a.key < endB) && (endA === '' || b.key < endA);
}

/** A short text of a request for people: "put key/00000003", "range key/1..key/5". */
export function describeOp(op: Operation): string {
  const req = op.request;
  if (req.method === 'txn') {
    const c = req.body.compare?.[0];
    return c ? `txn on ${bytesText(c.key)}` : 'txn';
  }
  const b = req.body;
  const end = 'range_end' in b && b.range_end && b.range_end.length > 0;
  const key = bytesText(b.key) + (end ? `..${bytesText(b.range_end as Uint8Array)}` : '');
  const what = req.method === 'range' ? (end ? 'range' : 'get') : req.method;
  return `${what} ${key}`;
}

/** A field's value as text for people. */
function show(v: unknown): string {
  if (v instanceof Uint8Array) return `'${bytesText(v)}'`;
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `${v.length} item(s)`;
  if (typeof v === 'object' && v !== null) return 'a value';
  return String(v);
}

export interface Difference {
  /** Where, as a path into the answer: "kvs[0].value", "header.revision". */
  path: string;
  model: string;
  observed: string;
  /** The key of the key-value the difference is in, if it is in one. */
  key?: Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The first place the model's answer and the observed one differ, or null when they agree in
 * everything that matters (every field, with headers compared by revision only).
 */
export function answerDifference(
  model: unknown,
  observed: unknown,
  path = '',
  key?: Uint8Array,
): Difference | null {
  const differ = (): Difference => ({
    path,
    model: show(model),
    observed: show(observed),
    ...(key ? { key } : {}),
  });
  if (model instanceof Uint8Array || observed instanceof Uint8Array) {
    if (!(model instanceof Uint8Array && observed instanceof Uint8Array)) return differ();
    return sameBytes(model, observed) ? null : differ();
  }
  if (Array.isArray(model) || Array.isArray(observed)) {
    if (!Array.isArray(model) || !Array.isArray(observed)) return differ();
    if (model.length !== observed.length) return { ...differ(), path: `${path}.length` };
    for (let i = 0; i < model.length; i++) {
      const d = answerDifference(model[i], observed[i], `${path}[${i}]`, key);
      if (d) return d;
    }
    return null;
  }
  if (typeof model === 'object' && model !== null && typeof observed === 'object' && observed) {
    const m = model as Record<string, unknown>;
    const o = observed as Record<string, unknown>;
    const keys = new Set([...Object.keys(m), ...Object.keys(o)]);
    // inside a key-value: say whose (the observed key, else the model's)
    const inKv = 'mod_revision' in o ? o.key : 'mod_revision' in m ? m.key : undefined;
    if (inKv instanceof Uint8Array) key = inKv;
    for (const k of keys) {
      const p = path ? `${path}.${k}` : k;
      if (k === 'header') {
        const mr = (m[k] as { revision?: number } | undefined)?.revision;
        const or = (o[k] as { revision?: number } | undefined)?.revision;
        if (mr !== or) return { path: `${p}.revision`, model: show(mr), observed: show(or) };
        continue;
      }
      if (m[k] === undefined && o[k] === undefined) continue;
      const d = answerDifference(m[k], o[k], p, key);
      if (d) return d;
    }
    return null;
  }
  return model === observed ? null : differ();
}

/** The binary key of a key-value (for indexes keyed like the model's). */
export function kvKey(kv: KeyValue): string {
  return bytesToBinary(kv.key);
}
