// The client side of watches: each open watch is a stream of answers to one `watch` call
// (src/server/watch.ts). A stream ends on a canceled response, an error, the member going down
// (a crash ends it with no answer, as a dropped connection does), or an interrupt (etcdctl's
// Ctrl+C: the client stops listening at once and tells the member to cancel, as clientv3 does
// when a watch's context is cancelled). Everything here happens at the simulated time of the
// event that causes it, so a replay ends every stream at the same place.
import type { ClientRequest, ClientResponse, WatchStreamResponse } from '../server/requests';

export interface StreamHandlers {
  /** Every response of the stream, the created one and the last (canceled) one included. */
  onResponse(r: ClientResponse): void;
  /** The stream ended with no response to say so (its member went down). */
  onEnd(reason: string): void;
}

interface Stream {
  node: number;
  clientId: number;
  /** From the created response; undefined until it has come. */
  watchId: number | undefined;
  /** Interrupted before its created response came: cancel it as soon as its id is known. */
  interrupted: boolean;
  handlers: StreamHandlers | undefined;
}

export class WatchStreams {
  private readonly streams = new Map<string, Stream>();

  /** `send` puts a request on its way now and returns its request id. */
  constructor(
    private readonly send: (node: number, clientId: number, request: ClientRequest) => number,
  ) {}

  /** How many streams are open (interrupted ones awaiting their id not counted). */
  get open(): number {
    let n = 0;
    for (const s of this.streams.values()) if (!s.interrupted) n++;
    return n;
  }

  watch(
    node: number,
    clientId: number,
    request: ClientRequest & { method: 'watch' },
    handlers: StreamHandlers,
  ): void {
    const requestId = this.send(node, clientId, request);
    this.streams.set(`${clientId}/${requestId}`, {
      node,
      clientId,
      watchId: undefined,
      interrupted: false,
      handlers,
    });
  }

  /** Hands a response to its stream; false if it belongs to none. */
  answer(clientId: number, requestId: number, response: ClientResponse): boolean {
    const key = `${clientId}/${requestId}`;
    const s = this.streams.get(key);
    if (!s) return false;
    const body = response.ok ? (response.body as WatchStreamResponse) : undefined;
    if (body?.created) s.watchId = body.watch_id;
    const ended = !body || body.canceled === true;
    if (ended) this.streams.delete(key);
    if (s.interrupted) {
      if (!ended) this.cancel(s);
      this.streams.delete(key);
      return true;
    }
    s.handlers?.onResponse(response);
    return true;
  }

  /** Ends every stream open on `node` (it went down); each hears `reason(node)`. */
  memberDown(node: number, reason: string): void {
    for (const [key, s] of this.streams) {
      if (s.node !== node) continue;
      this.streams.delete(key);
      if (!s.interrupted) s.handlers?.onEnd(reason);
    }
  }

  /** Stops listening to every stream of `clientId` now and cancels each; how many there were. */
  interrupt(clientId: number): number {
    let n = 0;
    for (const [key, s] of this.streams) {
      if (s.clientId !== clientId || s.interrupted) continue;
      n++;
      s.handlers = undefined;
      if (s.watchId === undefined) s.interrupted = true;
      else {
        this.streams.delete(key);
        this.cancel(s);
      }
    }
    return n;
  }

  private cancel(s: Stream): void {
    this.send(s.node, s.clientId, { method: 'watchCancel', body: { watch_id: s.watchId! } });
  }
}
