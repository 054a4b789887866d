// The proxy inside the simulation (source article 001): a conductor-level component, not a Raft
// member, that clients call instead of a member. It runs src/proxy's GrpcProxy on the
// conductor's clock: a client's call takes the proxy's CPU for REQUEST_CPU_US (its cores serve in
// parallel, as a member's do), and the proxy's calls to members and their answers travel links
// with the members' latency model (Conductor.wire), drawn as messages. Everything it does is a
// trace record, so a replay, a share link and either host give the same run.
import { GrpcProxy, type ProxyOutput, type ProxyStats } from '../proxy/grpc-proxy';
import { CpuModel } from '../server/auth';
import { REQUEST_CPU_US, WATCH_RESPONSE_CPU_US } from '../server/load';
import type { PeerMessage } from '../server/peer';
import type { ClientRequest, ClientResponse, WatchStreamResponse } from '../server/requests';
import { describeRequest, describeResponse } from '../server/requests';
import type { Conductor } from './conductor';

/** The proxy's place in trace records and the view: never a member's id (those start at 1). */
export const PROXY_NODE = 0;
/** The client id the proxy's calls carry at the members: one connection, as etcd's proxy has. */
export const PROXY_CLIENT = 900_000;

export type ProxyAnswer = (r: {
  clientId: number;
  requestId: number;
  response: ClientResponse;
  atUs: number;
}) => void;

export class ProxyNode {
  private readonly core: GrpcProxy;
  private readonly cpu: CpuModel;

  constructor(
    private readonly conductor: Conductor<PeerMessage, ClientRequest, ClientResponse>,
    private readonly answer: ProxyAnswer,
    cores: number,
  ) {
    this.core = new GrpcProxy(() => conductor.nodeIds());
    this.cpu = new CpuModel(cores);
    // The proxy reacts to a member's answer at once (a cached get, a fan-out), sooner than a
    // client's trip: members' inputs are not independent within one, so none run side by side.
    conductor.crossNodeAhead = false;
  }

  stats(): ProxyStats {
    return this.core.stats();
  }

  /** A client's call arrives now; the proxy takes it up when a core is free. */
  request(clientId: number, requestId: number, request: ClientRequest): void {
    const c = this.conductor;
    c.note('proxy-request', { clientId, requestId, ...describeRequest(request) });
    const { doneUs } = this.cpu.run(c.now, REQUEST_CPU_US);
    c.later(doneUs, 'proxy', () => this.absorb(this.core.request(clientId, requestId, request)));
  }

  /** A member answered one of the proxy's calls (a watch's every response, too). */
  fromMember(member: number, upId: number, response: ClientResponse): void {
    this.conductor.wire(
      member,
      PROXY_NODE,
      'ProxyReply',
      () => this.absorb(this.core.upstreamResponse(upId, response)),
      replyFields(response),
    );
  }

  /** One of the proxy's calls found its member down: the refusal comes back at once. */
  refused(upId: number, response: ClientResponse): void {
    this.absorb(this.core.upstreamLost(upId, response));
  }

  /** A member crashed: its connections to the proxy broke. */
  memberDown(member: number): void {
    this.absorb(this.core.memberDown(member));
  }

  private absorb(out: ProxyOutput): void {
    const c = this.conductor;
    for (const t of out.trace) c.note(String(t.kind), t);
    for (const call of out.upstream) {
      c.wire(
        PROXY_NODE,
        call.to,
        'ProxyCall',
        // the call's trip was the wire's: it reaches the member as the wire delivers it
        () => c.request(call.to, PROXY_CLIENT, call.upId, call.request, c.now),
        describeRequest(call.request),
      );
    }
    // a watch's stream responses fan out to many watchers: one record for all of them
    let fannedOut = 0;
    for (const r of out.responses) {
      const body = r.response.ok ? (r.response.body as WatchStreamResponse) : undefined;
      if (r.response.method === 'watch' && body && !body.created && !body.canceled) fannedOut++;
      else
        c.note('proxy-response', {
          clientId: r.clientId,
          requestId: r.requestId,
          ...describeResponse(r.response),
        });
    }
    if (fannedOut > 0) {
      // CPU the fan-out takes (metered, not queued: it is the proxy's, not a member's)
      c.note('proxy-fanout', { responses: fannedOut, cpuUs: fannedOut * WATCH_RESPONSE_CPU_US });
    }
    for (const r of out.responses) this.answer({ ...r, atUs: c.now });
  }
}

function replyFields(response: ClientResponse): Record<string, unknown> {
  const out: Record<string, unknown> = { method: response.method };
  if (response.ok && response.method === 'watch') {
    const n = (response.body as WatchStreamResponse).events.length;
    if (n > 0) out.events = n;
  }
  return out;
}
