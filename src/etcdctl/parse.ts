// etcdctl (v3, as etcd 3.4 ships it) command lines -> the ClientRequest they send. Pure: no UI,
// no clock. Errors use etcdctl's own wording where it has one ("Error: " is added when printed).
import type { ClientRequest } from '../server/requests';
import type {
  Compare,
  CompareResult,
  CompareTarget,
  RangeRequest,
  RequestOp,
  SortOrder,
  SortTarget,
  TxnRequest,
} from '../mvcc/types';

/** A malformed command, worded as etcdctl words it (without the "Error: " etcdctl prints). */
export class EtcdctlError extends Error {
  override readonly name = 'EtcdctlError';
}

export type OutputFormat = 'simple' | 'json' | 'table';

/** The commands etcdctl prints as a table with -w table; the others refuse it. */
const TABLE_COMMANDS: ReadonlySet<string> = new Set(['member list', 'endpoint status']);

/** How etcdctl prints the answer: what the flags ask beyond the request itself. */
export interface PrintOptions {
  keysOnly?: boolean;
  valueOnly?: boolean;
  countOnly?: boolean;
  /** lease timetolive --keys */
  keys?: boolean;
  /** lease keep-alive without --once: etcdctl would go on renewing. */
  loop?: boolean;
  /** member add: the new member's name and peer URLs. */
  memberName?: string;
  peerURLs?: string[];
}

/** A command that sends one request. `name` is etcdctl's command path: "get", "lease grant". */
export interface EtcdctlCommand {
  name: string;
  request: ClientRequest;
  output: OutputFormat;
  print: PrintOptions;
}

/** A command answered in the console itself (help), with no request. */
export interface LocalCommand {
  name: 'help';
  text: string;
}

// ---- tokens ----

/**
 * Splits a command line as a POSIX shell would: blanks separate words; 'single quotes' keep
 * everything; "double quotes" keep everything but \" \\ \$ \`; outside quotes a backslash keeps
 * the next character.
 */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new EtcdctlError("unterminated quote: a ' has no closing '");
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        cur += line[j];
      }
      if (j >= line.length) throw new EtcdctlError('unterminated quote: a " has no closing "');
      i = j;
    } else if (c === '\\') {
      if (i + 1 < line.length) cur += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

// ---- flags (spf13/pflag's rules: --name=value, --name value, -x value, bools without value) ----

type FlagKind = 'bool' | 'string' | 'int';
interface FlagSpec {
  kind: FlagKind;
  short?: string;
}

const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  'write-out': { kind: 'string', short: 'w' },
};

interface Parsed {
  args: string[];
  flags: Map<string, string | boolean | number>;
}

function parseFlags(words: string[], specs: Record<string, FlagSpec>): Parsed {
  const all = { ...GLOBAL_FLAGS, ...specs };
  const byShort = new Map<string, string>();
  for (const [name, s] of Object.entries(all)) if (s.short) byShort.set(s.short, name);
  const args: string[] = [];
  const flags = new Map<string, string | boolean | number>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      args.push(...words.slice(i + 1));
      break;
    }
    if (!w.startsWith('-') || w === '-') {
      args.push(w);
      continue;
    }
    let name: string;
    let value: string | undefined;
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      if (eq >= 0) value = w.slice(eq + 1);
      if (!(name in all)) throw new EtcdctlError(`unknown flag: --${name}`);
    } else {
      const short = w[1]!;
      const long = byShort.get(short);
      if (!long) throw new EtcdctlError(`unknown shorthand flag: '${short}' in ${w}`);
      name = long;
      const rest = w.slice(2);
      if (rest !== '') value = rest.startsWith('=') ? rest.slice(1) : rest;
    }
    const spec = all[name]!;
    const shown = w.startsWith('--') ? `--${name}` : `-${spec.short}, --${name}`;
    if (spec.kind === 'bool') {
      if (value === undefined || value === 'true') flags.set(name, true);
      else if (value === 'false') flags.set(name, false);
      else
        throw new EtcdctlError(
          `invalid argument "${value}" for "${shown}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`,
        );
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= words.length) throw new EtcdctlError(`flag needs an argument: ${w}`);
      value = words[++i]!;
    }
    if (spec.kind === 'int') {
      if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
        throw new EtcdctlError(
          `invalid argument "${value}" for "${shown}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`,
        );
      flags.set(name, Number(value));
    } else flags.set(name, value);
  }
  return { args, flags };
}

const bool = (p: Parsed, name: string): boolean => p.flags.get(name) === true;
const int = (p: Parsed, name: string): number | undefined =>
  p.flags.get(name) as number | undefined;
const str = (p: Parsed, name: string): string | undefined =>
  p.flags.get(name) as string | undefined;

function output(p: Parsed, name: string): OutputFormat {
  const w = str(p, 'write-out') ?? 'simple';
  if (w === 'simple' || w === 'json') return w;
  // etcdctl sends the request and then fails to print it; the console refuses before sending.
  if (w === 'table') {
    if (TABLE_COMMANDS.has(name)) return w;
    throw new EtcdctlError('table not supported as output format');
  }
  if (w === 'fields' || w === 'protobuf')
    throw new EtcdctlError(
      `output format ${w} is not supported in raftlab's console (simple, json, table)`,
    );
  throw new EtcdctlError('unsupported output format');
}

// ---- helpers ----

const utf8 = new TextEncoder();
const bytes = (s: string): Uint8Array => utf8.encode(s);

/** clientv3's GetPrefixRangeEnd: the key just past every key with this prefix. */
export function prefixEnd(key: Uint8Array): Uint8Array {
  const end = Uint8Array.from(key);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.slice(0, i + 1);
    }
  }
  return new Uint8Array([0]); // every byte 0xff: to the end of the keyspace
}

/** strconv.ParseInt(s, 10, 64), with its error text. */
function parseInt10(s: string): number {
  if (!/^[+-]?\d+$/.test(s))
    throw new EtcdctlError(`strconv.ParseInt: parsing "${s}": invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n))
    throw new EtcdctlError(`strconv.ParseInt: parsing "${s}": value out of range`);
  return n;
}

/**
 * An ID as etcdctl reads it: hexadecimal, strconv.ParseInt(s, 16, 64) for leases and
 * ParseUint for members, with its error text.
 */
function parseHex(s: string, fn: 'ParseInt' | 'ParseUint' = 'ParseInt'): number {
  const sign = fn === 'ParseInt' ? '[+-]?' : '';
  if (!new RegExp(`^${sign}[0-9a-fA-F]+$`).test(s))
    throw new EtcdctlError(`strconv.${fn}: parsing "${s}": invalid syntax`);
  const n = parseInt(s, 16);
  if (!Number.isSafeInteger(n))
    throw new EtcdctlError(`strconv.${fn}: parsing "${s}": value out of range`);
  return n;
}

/** A lease ID; `what` is etcdctl's words for a bad one ("bad lease ID" for put's --lease). */
function leaseId(s: string, what = 'bad lease ID arg'): number {
  try {
    return parseHex(s);
  } catch (e) {
    throw new EtcdctlError(`${what} (${(e as Error).message}), expecting ID in Hex`, { cause: e });
  }
}

function memberId(s: string): number {
  try {
    return parseHex(s, 'ParseUint');
  } catch (e) {
    throw new EtcdctlError(`bad member ID arg (${(e as Error).message}), expecting ID in Hex`, {
      cause: e,
    });
  }
}

// ---- commands ----

interface Sub {
  flags: Record<string, FlagSpec>;
  /** Builds the request (and what to print) from the arguments and flags. */
  build(p: Parsed): { request: ClientRequest; print?: PrintOptions };
  summary: string;
}

const GET_FLAGS: Record<string, FlagSpec> = {
  consistency: { kind: 'string' },
  'from-key': { kind: 'bool' },
  'keys-only': { kind: 'bool' },
  limit: { kind: 'int' },
  order: { kind: 'string' },
  prefix: { kind: 'bool' },
  'print-value-only': { kind: 'bool' },
  rev: { kind: 'int' },
  'sort-by': { kind: 'string' },
  'count-only': { kind: 'bool' },
};
const PUT_FLAGS: Record<string, FlagSpec> = {
  lease: { kind: 'string' },
  'prev-kv': { kind: 'bool' },
  'ignore-value': { kind: 'bool' },
  'ignore-lease': { kind: 'bool' },
};
const DEL_FLAGS: Record<string, FlagSpec> = {
  prefix: { kind: 'bool' },
  'prev-kv': { kind: 'bool' },
  'from-key': { kind: 'bool' },
};

const SORT_TARGETS: Record<string, SortTarget> = {
  CREATE: 'CREATE',
  KEY: 'KEY',
  MODIFY: 'MOD',
  VALUE: 'VALUE',
  VERSION: 'VERSION',
};

/** The key range of get and del: key, [range_end], --prefix, --from-key. */
function keyRange(p: Parsed, command: string): { key: Uint8Array; range_end?: Uint8Array } {
  if (p.args.length < 1 || p.args.length > 2)
    throw new EtcdctlError(
      `${command} command needs one argument as key and an optional argument as range_end`,
    );
  const prefix = bool(p, 'prefix');
  const fromKey = bool(p, 'from-key');
  if (prefix && fromKey)
    throw new EtcdctlError(
      '`--prefix` and `--from-key` cannot be set at the same time, choose one',
    );
  if ((prefix || fromKey) && p.args.length > 1)
    throw new EtcdctlError(
      'too many arguments, only accept one argument when `--prefix` or `--from-key` is set',
    );
  let key = bytes(p.args[0]!);
  if (prefix) {
    if (key.length === 0) return { key: new Uint8Array([0]), range_end: new Uint8Array([0]) };
    return { key, range_end: prefixEnd(key) };
  }
  if (fromKey) {
    if (key.length === 0) key = new Uint8Array([0]);
    return { key, range_end: new Uint8Array([0]) };
  }
  return p.args.length > 1 ? { key, range_end: bytes(p.args[1]!) } : { key };
}

function getRequest(p: Parsed): { request: ClientRequest; print: PrintOptions } {
  const body: RangeRequest = keyRange(p, 'get');
  const consistency = str(p, 'consistency') ?? 'l';
  if (consistency === 's') body.serializable = true;
  else if (consistency !== 'l') throw new EtcdctlError(`unknown consistency flag "${consistency}"`);
  const limit = int(p, 'limit');
  if (limit) body.limit = limit;
  const rev = int(p, 'rev');
  if (rev) body.revision = rev;
  const sortBy = str(p, 'sort-by');
  const order = str(p, 'order');
  let sortOrder: SortOrder = 'NONE';
  if (order !== undefined && order !== '') {
    if (order !== 'ASCEND' && order !== 'DESCEND')
      throw new EtcdctlError(`bad sort order ${order}`);
    sortOrder = order;
  }
  if (sortBy !== undefined && sortBy !== '') {
    const target = SORT_TARGETS[sortBy];
    if (!target) throw new EtcdctlError(`bad sort target ${sortBy}`);
    body.sort_target = target;
    if (sortOrder === 'NONE') sortOrder = 'ASCEND';
  }
  if (sortOrder !== 'NONE') body.sort_order = sortOrder;
  if (bool(p, 'keys-only')) body.keys_only = true;
  if (bool(p, 'count-only')) body.count_only = true;
  if (bool(p, 'keys-only') && bool(p, 'count-only'))
    throw new EtcdctlError(
      '`--keys-only` and `--count-only` cannot be set at the same time, choose one',
    );
  const print: PrintOptions = {};
  if (bool(p, 'keys-only')) print.keysOnly = true;
  if (bool(p, 'print-value-only')) print.valueOnly = true;
  if (bool(p, 'count-only')) print.countOnly = true;
  return { request: { method: 'range', body }, print };
}

function putRequest(p: Parsed): { request: ClientRequest } {
  const ignoreValue = bool(p, 'ignore-value');
  const wanted = ignoreValue ? 1 : 2;
  if (p.args.length !== wanted)
    throw new EtcdctlError(
      ignoreValue
        ? 'put command needs 1 argument when --ignore-value is set'
        : 'put command needs 1 argument and input from stdin or 2 arguments',
    );
  const body: ClientRequest & { method: 'put' } = {
    method: 'put',
    body: { key: bytes(p.args[0]!) },
  };
  if (!ignoreValue) body.body.value = bytes(p.args[1]!);
  else body.body.ignore_value = true;
  const lease = str(p, 'lease');
  if (lease !== undefined && lease !== '0') {
    const id = leaseId(lease, 'bad lease ID');
    if (id !== 0) body.body.lease = id;
  }
  if (bool(p, 'prev-kv')) body.body.prev_kv = true;
  if (bool(p, 'ignore-lease')) body.body.ignore_lease = true;
  return { request: body };
}

function delRequest(p: Parsed): { request: ClientRequest } {
  const range = keyRange(p, 'del');
  return {
    request: {
      method: 'deleteRange',
      body: bool(p, 'prev-kv') ? { ...range, prev_kv: true } : range,
    },
  };
}

const COMPARE_OPS: Record<string, CompareResult> = {
  '=': 'EQUAL',
  '==': 'EQUAL',
  '!=': 'NOT_EQUAL',
  '>': 'GREATER',
  '<': 'LESS',
};
const COMPARE_TARGETS: Record<string, CompareTarget> = {
  ver: 'VERSION',
  version: 'VERSION',
  c: 'CREATE',
  create: 'CREATE',
  m: 'MOD',
  mod: 'MOD',
  val: 'VALUE',
  value: 'VALUE',
  lease: 'LEASE',
};

/** A Go %q string at the start of `s`: its value and the rest of `s`. */
function goQuoted(s: string): [string, string] | undefined {
  const m = /^"((?:[^"\\]|\\.)*)"/.exec(s);
  if (!m) return undefined;
  try {
    return [JSON.parse(`"${m[1]!}"`) as string, s.slice(m[0].length)];
  } catch {
    return undefined;
  }
}

/** One line of a txn's compares, as etcdctl's parseCompare reads it: value("k") = "v". */
export function parseCompare(line: string): Compare {
  const paren = line.indexOf('(');
  if (paren < 0) throw new EtcdctlError(`malformed comparison: ${line}`);
  const targetName = line.slice(0, paren).trim();
  // etcdctl reads the rest with fmt.Sscanf("%q) %s %q"), saying what it got when that fails;
  // text after the operand is ignored, as Sscanf ignores it.
  const k = goQuoted(line.slice(paren + 1));
  const m = k && /^\)\s+(\S+)\s+(.*)$/.exec(k[1]);
  const v = m && goQuoted(m[2]!);
  if (!k || !m || !v) {
    const got = `${line.slice(0, paren)}(${JSON.stringify(k?.[0] ?? '')}) ${m?.[1] ?? ''} ""`;
    throw new EtcdctlError(`malformed comparison: ${line}; got ${got}`);
  }
  const target = COMPARE_TARGETS[targetName];
  if (!target)
    throw new EtcdctlError(`malformed comparison: ${line} (unknown target ${targetName})`);
  const result = COMPARE_OPS[m[1]!];
  if (!result) throw new EtcdctlError(`malformed comparison: ${line} (unknown op ${m[1]!})`);
  const cmp: Compare = { key: bytes(k[0]), target, result };
  const val = v[0];
  const number = (parse: (s: string) => number) => {
    try {
      return parse(val);
    } catch {
      throw new EtcdctlError(`invalid txn compare request: ${line}`);
    }
  };
  if (target === 'VALUE') cmp.value = bytes(val);
  else if (target === 'VERSION') cmp.version = number(parseInt10);
  else if (target === 'CREATE') cmp.create_revision = number(parseInt10);
  else if (target === 'MOD') cmp.mod_revision = number(parseInt10);
  else cmp.lease = number(parseHex);
  return cmp;
}

/** One line of a txn's success or failure ops: a put, get or del command line. */
export function parseRequestOp(line: string): RequestOp {
  let words: string[];
  try {
    words = tokenize(line);
  } catch {
    throw new EtcdctlError(`invalid txn request: ${line}`);
  }
  const [name, ...rest] = words;
  try {
    if (name === 'put') {
      const r = putRequest(parseFlags(rest, PUT_FLAGS)).request;
      if (r.method === 'put') return { request_put: r.body };
    } else if (name === 'get') {
      const r = getRequest(parseFlags(rest, GET_FLAGS)).request;
      if (r.method === 'range') return { request_range: r.body };
    } else if (name === 'del' || name === 'delete') {
      const r = delRequest(parseFlags(rest, DEL_FLAGS)).request;
      if (r.method === 'deleteRange') return { request_delete_range: r.body };
    }
  } catch (e) {
    throw new EtcdctlError(`invalid txn request: ${line} (${(e as Error).message})`);
  }
  throw new EtcdctlError(`invalid txn request: ${line}`);
}

/** A txn section's lines: split on newlines, and on ';' outside quotes. */
export function txnLines(section: string): string[] {
  const lines: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < section.length; i++) {
    const c = section[i]!;
    if (quote) {
      if (c === '\\' && quote === '"' && i + 1 < section.length) {
        cur += c + section[++i]!;
        continue;
      }
      if (c === quote) quote = undefined;
      cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === ';' || c === '\n') {
      lines.push(cur);
      cur = '';
    } else cur += c;
  }
  lines.push(cur);
  return lines.map((l) => l.trim()).filter((l) => l !== '');
}

function txnRequest(p: Parsed): { request: ClientRequest } {
  if (bool(p, 'interactive'))
    throw new EtcdctlError(
      "txn -i reads a terminal; here give compares, success and failure ops as three arguments: txn 'value(\"k\") = \"v\"' 'put k v2; get k' 'del k'",
    );
  if (p.args.length > 3)
    throw new EtcdctlError(
      "txn takes at most 3 arguments: 'compares' 'success ops' 'failure ops' (lines separated by ;)",
    );
  const [compares = '', success = '', failure = ''] = p.args;
  const body: TxnRequest = {
    compare: txnLines(compares).map(parseCompare),
    success: txnLines(success).map(parseRequestOp),
    failure: txnLines(failure).map(parseRequestOp),
  };
  return { request: { method: 'txn', body } };
}

/**
 * watch [options] <key> [range_end]: etcdctl's getWatchChan. etcdctl quietly ignores a third
 * argument (it would be an exec-command after --); the console says so instead.
 */
function watchRequest(p: Parsed): { request: ClientRequest } {
  if (bool(p, 'interactive'))
    throw new EtcdctlError(
      "watch -i (interactive) is not supported in raftlab's console: run one watch per line",
    );
  if (p.args.length < 1) throw new EtcdctlError('bad number of arguments');
  if (p.args.length > 2)
    throw new EtcdctlError(
      "watch takes a key and an optional range_end; raftlab's console runs no exec-command",
    );
  const prefix = bool(p, 'prefix');
  if (prefix && p.args.length === 2)
    throw new EtcdctlError('`range_end` and `--prefix` are mutually exclusive');
  let key = bytes(p.args[0]!);
  let rangeEnd = p.args.length === 2 ? bytes(p.args[1]!) : undefined;
  if (prefix) {
    // clientv3.WithPrefix: an empty prefix watches every key
    if (key.length === 0) [key, rangeEnd] = [new Uint8Array([0]), new Uint8Array([0])];
    else rangeEnd = prefixEnd(key);
  }
  const body: ClientRequest & { method: 'watch' } = { method: 'watch', body: { key } };
  if (rangeEnd) body.body.range_end = rangeEnd;
  const rev = int(p, 'rev');
  if (rev) body.body.start_revision = rev;
  if (bool(p, 'prev-kv')) body.body.prev_kv = true;
  return { request: body };
}

function needs(p: Parsed, n: number, message: string): void {
  if (p.args.length !== n) throw new EtcdctlError(message);
}

const noFlags: Record<string, FlagSpec> = {};

/** member remove and member promote: one member ID, in hex. */
function memberCall(method: 'memberRemove' | 'memberPromote', what: string): Sub {
  const name = method === 'memberRemove' ? 'remove' : 'promote';
  return {
    summary: `member ${name} <memberID>: ${what} (ID in hex)`,
    flags: noFlags,
    build: (p) => {
      if (p.args.length !== 1) throw new EtcdctlError('member ID is not provided');
      return { request: { method, body: { ID: memberId(p.args[0]!) } } };
    },
  };
}

export const COMMANDS: Record<string, Sub> = {
  get: {
    summary: 'get [options] <key> [range_end]: gets the key or a range of keys',
    flags: GET_FLAGS,
    build: getRequest,
  },
  put: {
    summary: 'put [options] <key> <value>: puts the given key into the store',
    flags: PUT_FLAGS,
    build: putRequest,
  },
  del: {
    summary: 'del [options] <key> [range_end]: removes the key or a range of keys',
    flags: DEL_FLAGS,
    build: delRequest,
  },
  txn: {
    summary: "txn '<compares>' '<success ops>' '<failure ops>': a transaction; lines split by ;",
    flags: { interactive: { kind: 'bool', short: 'i' } },
    build: txnRequest,
  },
  watch: {
    summary:
      'watch [options] <key> [range_end]: streams events on a key, range or --prefix (--prev-kv, --rev); Ctrl+C stops',
    flags: {
      prefix: { kind: 'bool' },
      'prev-kv': { kind: 'bool' },
      rev: { kind: 'int' },
      interactive: { kind: 'bool', short: 'i' },
    },
    build: watchRequest,
  },
  compaction: {
    summary: 'compaction [options] <revision>: compacts the event history',
    flags: { physical: { kind: 'bool' } },
    build: (p) => {
      needs(p, 1, 'compaction command needs 1 argument');
      const revision = parseInt10(p.args[0]!);
      const body = bool(p, 'physical') ? { revision, physical: true } : { revision };
      return { request: { method: 'compact', body } };
    },
  },
  'lease grant': {
    summary: 'lease grant <ttl>: creates a lease of ttl seconds',
    flags: noFlags,
    build: (p) => {
      needs(p, 1, 'lease grant command needs TTL argument');
      let TTL: number;
      try {
        TTL = parseInt10(p.args[0]!);
      } catch (e) {
        throw new EtcdctlError(`bad TTL (${(e as Error).message})`);
      }
      return { request: { method: 'leaseGrant', body: { TTL } } };
    },
  },
  'lease revoke': {
    summary: 'lease revoke <leaseID>: revokes a lease (ID in hex)',
    flags: noFlags,
    build: (p) => {
      needs(p, 1, 'lease revoke command needs 1 argument');
      return {
        request: { method: 'leaseRevoke', body: { ID: leaseId(p.args[0]!) } },
      };
    },
  },
  'lease timetolive': {
    summary: 'lease timetolive [--keys] <leaseID>: the lease’s remaining TTL (and keys)',
    flags: { keys: { kind: 'bool' } },
    build: (p) => {
      needs(p, 1, 'lease timetolive command needs lease ID as argument');
      const ID = leaseId(p.args[0]!);
      const keys = bool(p, 'keys');
      return {
        request: { method: 'leaseTimeToLive', body: keys ? { ID, keys } : { ID } },
        print: keys ? { keys } : {},
      };
    },
  },
  'lease list': {
    summary: 'lease list: lists every active lease',
    flags: noFlags,
    build: () => ({ request: { method: 'leaseLeases', body: {} } }),
  },
  'lease keep-alive': {
    summary: 'lease keep-alive [--once] <leaseID>: renews a lease once (etcdctl would loop)',
    flags: { once: { kind: 'bool' } },
    build: (p) => {
      needs(p, 1, 'lease keep-alive command needs lease ID as argument');
      const ID = leaseId(p.args[0]!);
      return {
        request: { method: 'leaseKeepAlive', body: { ID } },
        print: bool(p, 'once') ? {} : { loop: true },
      };
    },
  },
  'member list': {
    summary: 'member list: lists the members of the cluster',
    flags: noFlags,
    build: () => ({ request: { method: 'memberList', body: {} } }),
  },
  'member add': {
    summary: 'member add <n<id>> [--learner]: adds member n<id> (raftlab starts it)',
    flags: { 'peer-urls': { kind: 'string' }, learner: { kind: 'bool' } },
    build: (p) => {
      if (p.args.length < 1) throw new EtcdctlError('member name not provided');
      if (p.args.length > 1)
        throw new EtcdctlError(
          'member add command requires only one argument as the name of the new member',
        );
      const name = p.args[0]!;
      const m = /^n([1-9]\d*)$/.exec(name);
      if (!m)
        throw new EtcdctlError(
          `member name ${JSON.stringify(name)}: raftlab's members are named n<id>, such as n4`,
        );
      const ID = Number(m[1]);
      const urls = str(p, 'peer-urls');
      const peerURLs = urls ? urls.split(',') : [`http://${name}:2380`];
      const body = bool(p, 'learner') ? { ID, isLearner: true } : { ID };
      return { request: { method: 'memberAdd', body }, print: { memberName: name, peerURLs } };
    },
  },
  'member remove': memberCall('memberRemove', 'removes a member'),
  'member promote': memberCall('memberPromote', 'promotes a learner to a voter'),
  'endpoint status': {
    summary: 'endpoint status: the status of the chosen node',
    flags: noFlags,
    build: () => ({ request: { method: 'status', body: {} } }),
  },
  'move-leader': {
    summary: 'move-leader <transferee-member-id>: transfers leadership (ask the leader)',
    flags: noFlags,
    build: (p) => {
      needs(p, 1, 'move-leader command needs 1 argument');
      const targetID = parseHex(p.args[0]!, 'ParseUint');
      return { request: { method: 'moveLeader', body: { targetID } } };
    },
  },
};

/** Commands with subcommands, and the subcommands etcdctl has that the console does not. */
const GROUPS: Record<string, string[]> = {
  lease: ['grant', 'revoke', 'timetolive', 'list', 'keep-alive'],
  member: ['list', 'add', 'remove', 'promote'],
  endpoint: ['status', 'health', 'hashkv'],
};

/** etcdctl commands the console knows of but cannot run, and why. */
const UNSUPPORTED: Record<string, string> = {
  'endpoint health': "endpoint health is not supported yet in raftlab's console",
  'endpoint hashkv': "endpoint hashkv is not supported yet in raftlab's console",
};

export const HELP_TEXT = [
  'raftlab speaks etcdctl (v3, as etcd 3.4): each command goes to the chosen node.',
  '',
  ...Object.values(COMMANDS).map((c) => '  ' + c.summary),
  '  help: this list; clear: empties the console',
  '',
  'Every command takes -w json (--write-out=json); member list and endpoint status take -w table.',
  'Lease and member IDs are hex, as etcdctl prints them.',
  "txn in one line: txn 'value(\"k\") = \"v\"' 'put k v2; get k' 'del k' (compares, success, failure).",
  'watch streams events into the console as the node applies them; other commands can run meanwhile.',
  'Ctrl+C in the command input (or the Stop watches button) stops every running watch.',
].join('\n');

/** Strips a leading `etcdctl` (and `ETCDCTL_API=3`) so pasted command lines work as well. */
function commandWords(line: string): string[] {
  const words = tokenize(line);
  if (words[0] === 'ETCDCTL_API=3') words.shift();
  if (words[0] === 'etcdctl') words.shift();
  return words;
}

/** Parses one etcdctl command line; throws EtcdctlError for a malformed one. */
export function parseEtcdctl(line: string): EtcdctlCommand | LocalCommand {
  const words = commandWords(line);
  const first = words[0];
  if (first === undefined) throw new EtcdctlError('no command given; type help for the list');
  if (first === 'help' || first === '--help' || first === '-h')
    return { name: 'help', text: HELP_TEXT };
  let name = first === 'delete' ? 'del' : first;
  let rest = words.slice(1);
  const subs = GROUPS[first];
  if (subs) {
    const sub = rest.find((w) => !w.startsWith('-'));
    if (sub === undefined)
      throw new EtcdctlError(`${first} needs a subcommand: ${subs.join(', ')}`);
    const at = rest.indexOf(sub);
    rest = rest.filter((_, i) => i !== at);
    name = `${first} ${sub}`;
    if (!(name in COMMANDS) && !(name in UNSUPPORTED))
      throw new EtcdctlError(`unknown command "${sub}" for "etcdctl ${first}"`);
  }
  const why = UNSUPPORTED[name];
  if (why) throw new EtcdctlError(why);
  const cmd = COMMANDS[name];
  if (!cmd) throw new EtcdctlError(`unknown command "${first}" for "etcdctl"`);
  const p = parseFlags(rest, cmd.flags);
  const out = output(p, name);
  const built = cmd.build(p);
  return { name, request: built.request, output: out, print: built.print ?? {} };
}

/** Every command name, for completion: "get", "lease grant", ... and "help". */
export function commandNames(): string[] {
  return [...Object.keys(COMMANDS), 'help', 'clear'];
}

/** The long flags a command takes (with the global -w/--write-out), for completion. */
export function commandFlags(name: string): string[] {
  const cmd = COMMANDS[name];
  return cmd ? [...Object.keys(cmd.flags), ...Object.keys(GLOBAL_FLAGS)].map((f) => `--${f}`) : [];
}

/**
 * Tab completion: the longest common completion of the last word of `line`, and every candidate
 * (command names at the start, a command's --flags after it). The line comes back unchanged
 * when nothing matches.
 */
export function complete(line: string): { line: string; candidates: string[] } {
  const lead = /^(\s*(?:etcdctl\s+)?)(.*)$/.exec(line)!;
  const prefix = lead[1]!;
  const body = lead[2]!;
  const parts = body.split(/\s+/);
  const last = parts[parts.length - 1] ?? '';
  const before = parts.slice(0, -1);
  let candidates: string[];
  if (before.length === 0) {
    candidates = [...new Set(commandNames().map((n) => n.split(' ')[0]!))].filter((n) =>
      n.startsWith(last),
    );
  } else if (before.length === 1 && GROUPS[before[0]!] && !last.startsWith('-')) {
    candidates = GROUPS[before[0]!]!.filter(
      (s) => s.startsWith(last) && `${before[0]!} ${s}` in COMMANDS,
    );
  } else if (last.startsWith('-')) {
    const first = before[0] === 'delete' ? 'del' : before[0]!;
    const name = GROUPS[first] ? `${first} ${before[1] ?? ''}` : first;
    candidates = commandFlags(name).filter((f) => f.startsWith(last));
  } else candidates = [];
  if (candidates.length === 0) return { line, candidates };
  let common = candidates[0]!;
  for (const c of candidates) while (!c.startsWith(common)) common = common.slice(0, -1);
  const done = candidates.length === 1;
  const completed = [...before, common].join(' ') + (done ? ' ' : '');
  return { line: prefix + completed, candidates };
}
