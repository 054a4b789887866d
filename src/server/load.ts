// What serving clients costs a member: simulated CPU time and bytes on its client connections
// (source article 001: the gRPC proxy "effectively eliminates CPU load on the etcd server" under a
// storm of serializable gets, and coalesced watches cut the traffic from the cluster).
//
// The CPU figure per request comes from etcd's own v3 benchmark: one member on a GCE
// n1-highcpu-2 (2 CPUs) served 16,622 single-key reads per second with 256 clients, "nearly the
// same as the one with empty server handler" (etcd.io/docs/v3.3/benchmarks/etcd-3-demo-benchmarks),
// so it was CPU-bound on request handling, not storage: 2 CPU-seconds / 16,622 ≈ 120 µs of CPU
// per request answered. A request/response pair is two messages through gRPC; one watch response
// pushed on an open stream is one, so it costs half: 60 µs. The store's own work (keys scanned,
// bytes read) is timed separately, by the backend model (src/mvcc/backend).
//
// The meter measures; it does not queue: a member's answers are not delayed by it (its backend
// model already times the store), so adding it changed no latency in any scenario. Load above
// 100% of the member's cores means the member would be saturated.

/** CPU to take one client request and send its answer (gRPC unmarshal, handler, marshal). */
export const REQUEST_CPU_US = 120;
/** CPU to push one more response on an open watch stream (one message marshalled and sent). */
export const WATCH_RESPONSE_CPU_US = 60;

/** A protobuf-like size of a request or response: bytes of keys and values plus field overhead. */
export function approxBytes(v: unknown): number {
  if (v instanceof Uint8Array) return v.length + 2;
  switch (typeof v) {
    case 'number':
      return 5; // a tag and a varint of typical size
    case 'boolean':
      return 2;
    case 'string':
      return v.length + 2;
    case 'object': {
      if (v === null) return 0;
      let n = 2;
      if (Array.isArray(v)) for (const x of v) n += approxBytes(x);
      else for (const x of Object.values(v as Record<string, unknown>)) n += approxBytes(x);
      return n;
    }
    default:
      return 0;
  }
}

/** Client-facing work since the last report. */
export interface LoadReport {
  cpuUs: number;
  requests: number;
  watchResponses: number;
  bytesIn: number;
  bytesOut: number;
}

export class LoadMeter {
  private r: LoadReport = emptyReport();

  /** A client's request arrived. */
  request(request: unknown): void {
    this.r.requests++;
    this.r.bytesIn += approxBytes(request);
  }

  /** An answer went to a client: the request's own, or one more response of a watch stream. */
  answered(response: unknown, streamed: boolean): void {
    if (streamed) {
      this.r.watchResponses++;
      this.r.cpuUs += WATCH_RESPONSE_CPU_US;
    } else this.r.cpuUs += REQUEST_CPU_US;
    this.r.bytesOut += approxBytes(response);
  }

  /** The work since the last call, if there was any; starts counting again. */
  take(): LoadReport | undefined {
    const r = this.r;
    if (r.requests === 0 && r.cpuUs === 0) return undefined;
    this.r = emptyReport();
    return r;
  }
}

function emptyReport(): LoadReport {
  return { cpuUs: 0, requests: 0, watchResponses: 0, bytesIn: 0, bytesOut: 0 };
}
