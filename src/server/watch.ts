// The watches one member serves (etcd api/v3rpc/watch.go's serverWatchStream over the member's own
// watchable store). A watch is served by the member it was opened on, from that member's applied
// state: its events go out as that member applies writes, so a lagging member's watchers lag with
// it, as in etcd. Each client is one stream: its watch ids count from 0, as a gRPC stream's do.
// Every response of a watch answers the one `watch` call that opened it; the last one says
// canceled (a cancel, a compacted start revision, the member removed). A crash ends the stream
// with no response at all: the client sees its connection go.
import type { MvccStore, ResponseHeader, Watcher, WatchRequest } from '../mvcc';
import type { WatchStreamResponse } from './requests';

interface Served<W> {
  caller: W;
  watchId: number;
  watcher: Watcher | undefined;
}

export class WatchServer<W extends { clientId: number }> {
  private readonly served = new Map<string, Served<W>>();
  /** The next watch id of each client's stream. */
  private readonly nextIds = new Map<number, number>();

  /** `send` answers the call `caller` made with one more response of its stream. */
  constructor(private readonly send: (caller: W, body: WatchStreamResponse) => void) {}

  /** How many watches are open. */
  get size(): number {
    return this.served.size;
  }

  /**
   * Opens a watch: the created response, then (from an old revision) the catch-up, then events
   * as the store applies writes. Call it where the store's work is timed: the catch-up is a read.
   */
  open(caller: W, req: WatchRequest, store: MvccStore, header: ResponseHeader): void {
    const watchId = this.nextIds.get(caller.clientId) ?? 0;
    this.nextIds.set(caller.clientId, watchId + 1);
    const key = `${caller.clientId}/${watchId}`;
    this.send(caller, { header, watch_id: watchId, created: true, events: [] });
    const served: Served<W> = { caller, watchId, watcher: undefined };
    this.served.set(key, served);
    served.watcher = store.watch(req, (resp) => {
      // a compacted start revision: the store has already ended the watcher
      if (resp.canceled) this.served.delete(key);
      this.send(caller, { ...resp, watch_id: watchId });
    });
  }

  /**
   * etcd's WatchCancelRequest: the watch's stream gets a canceled response and ends; the cancel
   * call is answered the same way (also for a watch that has already ended).
   */
  cancel(caller: W, watchId: number, header: ResponseHeader): void {
    const key = `${caller.clientId}/${watchId}`;
    const body: WatchStreamResponse = { header, watch_id: watchId, canceled: true, events: [] };
    const s = this.served.get(key);
    if (s) {
      this.served.delete(key);
      s.watcher?.cancel();
      this.send(s.caller, body);
    }
    this.send(caller, body);
  }

  /** Ends every watch with `reason` (a member removed from the cluster serves nothing more). */
  endAll(header: ResponseHeader, reason: string): void {
    for (const s of this.served.values()) {
      s.watcher?.cancel();
      this.send(s.caller, {
        header,
        watch_id: s.watchId,
        canceled: true,
        cancel_reason: reason,
        events: [],
      });
    }
    this.served.clear();
  }
}
