// Speaks etcd's JSON gateway to a running cluster, one line at a time: each input line is
// {"path": "/v3/kv/put", "body": {...}} (sent to the cluster, answered with {"status", "body"}
// exactly as etcd's gateway would answer) or {"sleep_ms": N} (advances simulated time, answers
// nothing). Requests go to one member, as an etcdctl with one endpoint would send them.
import {
  GatewayError,
  gatewayRequest,
  gatewayResponse,
  httpStatusFromCode,
} from '../server/gateway';
import type { Cluster } from './cluster';

export interface GatewayAnswer {
  status: number;
  body: unknown;
}

function errorAnswer(message: string, code = 3): GatewayAnswer {
  return { status: httpStatusFromCode(code), body: { error: message, message, code } };
}

export class GatewaySession {
  constructor(
    private readonly cluster: Cluster,
    private readonly node: number,
  ) {}

  /** Runs the cluster until some member is leader, as a client waits for one. */
  awaitLeader(maxUs = 30_000_000): Promise<number> {
    return this.cluster.leaderOf(undefined, maxUs);
  }

  /** Handles one input line; undefined for a sleep (no output line). */
  async line(text: string): Promise<GatewayAnswer | undefined> {
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (err) {
      return errorAnswer(`invalid JSON line: ${(err as Error).message}`);
    }
    if (typeof input !== 'object' || input === null)
      return errorAnswer('a line must be a JSON object');
    const o = input as Record<string, unknown>;
    if ('sleep_ms' in o) {
      const ms = o.sleep_ms;
      if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms))
        return errorAnswer('sleep_ms must be a number >= 0');
      await this.cluster.conductor.runUntil(this.cluster.conductor.now + Math.round(ms * 1000));
      return undefined;
    }
    if (typeof o.path !== 'string') return errorAnswer('a line needs "path" (or "sleep_ms")');
    try {
      const request = gatewayRequest(o.path, o.body);
      return gatewayResponse(await this.cluster.call(this.node, request));
    } catch (err) {
      if (err instanceof GatewayError) return errorAnswer(err.message, err.code);
      throw err;
    }
  }
}
