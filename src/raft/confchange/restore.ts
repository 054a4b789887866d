// Rebuilds a tracker configuration from a ConfState (at startup or from a snapshot) by replaying
// it as a sequence of changes, so restoring goes through exactly the same checks as changing.
import type { ConfChangeSingle, ConfState } from '../types';
import type { ProgressTracker } from '../tracker';
import { Changer } from './confchange';
import type { ChangeResult } from './confchange';

/**
 * Outgoing changes rebuild the outgoing half as if it were the whole config; incoming changes
 * are then applied on top: as one joint transition if there is an outgoing half, else one by one.
 */
function toConfChangeSingle(cs: ConfState): [ConfChangeSingle[], ConfChangeSingle[]] {
  const out: ConfChangeSingle[] = [];
  const inc: ConfChangeSingle[] = [];
  for (const id of cs.votersOutgoing) out.push({ type: 'ConfChangeAddNode', nodeId: id });
  // The joint transition starts from the outgoing config, so first undo it entirely...
  for (const id of cs.votersOutgoing) inc.push({ type: 'ConfChangeRemoveNode', nodeId: id });
  // ...then build the incoming config.
  for (const id of cs.voters) inc.push({ type: 'ConfChangeAddNode', nodeId: id });
  for (const id of cs.learners) inc.push({ type: 'ConfChangeAddLearnerNode', nodeId: id });
  // learnersNext are outgoing voters: adding them as learners stages them in learnersNext.
  for (const id of cs.learnersNext) inc.push({ type: 'ConfChangeAddLearnerNode', nodeId: id });
  return [out, inc];
}

/** Applies `cs` to the (empty) tracker, returning the resulting config and progress map. */
export function restore(tracker: ProgressTracker, lastIndex: number, cs: ConfState): ChangeResult {
  const [outgoing, incoming] = toConfChangeSingle(cs);
  const step = (f: (c: Changer) => ChangeResult): void => {
    const [cfg, prs] = f(new Changer(tracker, lastIndex));
    tracker.config = cfg;
    tracker.progress = prs;
  };
  if (outgoing.length === 0) {
    for (const cc of incoming) step((c) => c.simple([cc]));
  } else {
    for (const cc of outgoing) step((c) => c.simple([cc]));
    step((c) => c.enterJoint(cs.autoLeave, incoming));
  }
  return [tracker.config, tracker.progress];
}
