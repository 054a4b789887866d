// The in-process host with stepMany: it runs a node's inputs ahead in batches through runBatch,
// exactly as the node worker does, so that Node can prove batching changes nothing (the same
// trace hash as one input at a time; src/host/batching.test.ts, scripts/trace-hashes.ts).
import type { PeerMessage } from '../server/peer';
import type { ClientRequest } from '../server/requests';
import { runBatch, type BatchBounds, type TimedInput } from '../sim/batch';
import { InProcessHost } from './inproc-host';

export class BatchingInProcessHost extends InProcessHost {
  /** How many inputs each stepMany call ran. */
  readonly ran: number[] = [];
  /** How many stepMany calls were under way as each began (itself included): above 1, the
   *  conductor handed several nodes their inputs at once, as it does the worker host's. */
  readonly together: number[] = [];
  private underWay = 0;

  async stepMany(
    id: number,
    inputs: TimedInput<PeerMessage, ClientRequest>[],
    bounds: BatchBounds,
  ) {
    this.together.push(++this.underWay);
    try {
      const r = await runBatch(inputs, bounds, (atUs, input) => this.step(id, atUs, input));
      this.ran.push(r.outputs.length);
      return r;
    } finally {
      this.underWay--;
    }
  }
}
