// Sentences for the gRPC proxy's records (src/sim/proxy-node.ts, src/proxy) and for the members'
// client load (src/server/load.ts).
import type { TraceRecord } from '../../sim/conductor';
import { count, duration, num, plainText, rpcName, str } from './words';

function client(r: TraceRecord): string {
  const id = num(r.clientId);
  const req = num(r.requestId);
  return `${id === undefined ? 'a client' : `client ${id}`}${req === undefined ? '' : `'s request ${req}`}`;
}

export function narrateProxyRequest(r: TraceRecord): string {
  const method = str(r.method);
  const what = method === undefined ? 'a request' : `a ${rpcName(plainText(method, 40))}`;
  const key = str(r.key);
  return `${client(r).replace(/'s request \d+$/, '')} sends ${what}${key === undefined ? '' : ` for key "${plainText(key)}"`} to the proxy`;
}

export function narrateProxyResponse(r: TraceRecord): string {
  const error = str(r.error);
  if (r.ok === false || error !== undefined)
    return `The proxy answers ${client(r)} with an error${error === undefined ? '' : `: ${plainText(error)}`}`;
  const revision = num(r.revision);
  return `The proxy answers ${client(r)}${revision === undefined ? '' : ` at revision ${revision}`}`;
}

export function narrateProxyCache(r: TraceRecord): string {
  const hits = num(r.hits);
  const misses = num(r.misses);
  const rate =
    hits !== undefined && misses !== undefined && hits + misses > 0
      ? ` (hit rate ${Math.round((100 * hits) / (hits + misses))}%)`
      : '';
  if (r.compacted === true)
    return `The proxy refuses ${client(r)}: the revision asked for is compacted`;
  return r.hit === true
    ? `The proxy answers ${client(r)} from its cache${rate}`
    : `${client(r)} is not in the proxy's cache: it goes to a member${rate}`;
}

export function narrateProxyWatchers(r: TraceRecord): string {
  const watchers = num(r.watchers) ?? 0;
  const ranges = num(r.ranges);
  const upstream = num(r.upstream) ?? 0;
  const streams = count(upstream, 'watch stream', 'watch streams');
  if (ranges === undefined)
    return `The proxy serves ${count(watchers, 'watcher', 'watchers')} on ${streams} to the cluster`;
  const share = upstream === ranges ? (ranges === 1 ? ', one' : ', one per range') : '';
  return `The proxy serves ${count(watchers, 'watcher', 'watchers')} on ${count(ranges, 'key range', 'key ranges')} with ${streams} to the cluster${share}`;
}

export function narrateProxyCoalesce(r: TraceRecord): string {
  const moved = num(r.moved) ?? 0;
  const key = str(r.key);
  const end = str(r.rangeEnd);
  const range =
    key === undefined
      ? 'its range'
      : end === undefined
        ? `key "${plainText(key)}"`
        : `keys "${plainText(key)}" to "${plainText(end)}"`;
  return `The proxy hands ${count(moved, 'watcher', 'watchers')} of ${range} over to an older watch stream that has caught up, and cancels the stream ${moved === 1 ? 'it' : 'they'} came on`;
}

export function narrateProxyFanout(r: TraceRecord): string {
  const n = num(r.responses) ?? 0;
  return `The proxy sends one watch response on to ${count(n, 'watcher', 'watchers')}`;
}

export function narrateClientLoad(r: TraceRecord): string {
  const node = num(r.node);
  const requests = num(r.requests) ?? 0;
  const cpu = num(r.cpuUs) ?? 0;
  const who = node === undefined ? 'A member' : `n${node}`;
  return `${who} served ${count(requests, 'client request', 'client requests')} since its last tick: ${duration(cpu)} of CPU`;
}
