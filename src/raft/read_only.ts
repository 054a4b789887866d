// Linearizable reads without a log entry (ReadIndex, Raft thesis section 6.4). A read records
// the commit index when it arrives; the leader then confirms it is still leader with one
// heartbeat round carrying the read's context. Reads queue in arrival order, and an ack for a
// later read also confirms every earlier one, so pending reads share heartbeat rounds.
import type { Message, ReadOnlyOption } from './types';
import { bytesKey } from './util';

export interface ReadIndexStatus {
  req: Message;
  index: number;
  /** Ids that acknowledged the heartbeat carrying this read's context (the leader included). */
  acks: Map<number, boolean>;
  /** The leader's tick count when the round began (lease-based reads run from there). */
  tick: number;
}

export class ReadOnly {
  private pendingReadIndex = new Map<string, ReadIndexStatus>();
  private readIndexQueue: string[] = [];

  constructor(readonly option: ReadOnlyOption) {}

  /** Queues a read at commit index `index`; a duplicate context is ignored. */
  addRequest(index: number, m: Message, tick = 0): void {
    const key = bytesKey(m.entries[0]?.data);
    if (this.pendingReadIndex.has(key)) return;
    this.pendingReadIndex.set(key, { index, req: m, acks: new Map(), tick });
    this.readIndexQueue.push(key);
  }

  /** Records that `id` acked the heartbeat with `context`; returns the acks so far. */
  recvAck(id: number, context: Uint8Array | undefined): Map<number, boolean> | undefined {
    const rs = this.pendingReadIndex.get(bytesKey(context));
    if (rs === undefined) return undefined;
    rs.acks.set(id, true);
    return rs.acks;
  }

  /**
   * The read with `m.context` reached a quorum: it and every read queued before it are
   * answered, and leave the queue.
   */
  advance(m: Message): ReadIndexStatus[] {
    const ctx = bytesKey(m.context);
    const at = this.readIndexQueue.indexOf(ctx);
    if (at < 0) return [];
    const done = this.readIndexQueue.splice(0, at + 1);
    const rss: ReadIndexStatus[] = [];
    for (const key of done) {
      const rs = this.pendingReadIndex.get(key);
      if (rs === undefined)
        throw new Error('cannot find corresponding read state from pending map');
      rss.push(rs);
      this.pendingReadIndex.delete(key);
    }
    return rss;
  }

  /** The context of the newest pending read, so a heartbeat can confirm all of them. */
  lastPendingRequestCtx(): string | undefined {
    return this.readIndexQueue[this.readIndexQueue.length - 1];
  }

  /** The newest pending read's request message (its context as bytes). */
  lastPendingRequest(): Message | undefined {
    const key = this.lastPendingRequestCtx();
    return key === undefined ? undefined : this.pendingReadIndex.get(key)?.req;
  }

  pendingCount(): number {
    return this.readIndexQueue.length;
  }
}
