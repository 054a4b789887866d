// Applies membership changes to a tracker configuration, producing a new configuration and
// progress map (the inputs are never mutated, so a failed change leaves no trace).
//
// Simple changes alter at most one voter and apply directly. Anything bigger goes through a
// joint configuration: enterJoint copies the current voters into the outgoing half and applies
// the changes to the incoming half; leaveJoint later drops the outgoing half.
import { isJoint } from '../quorum';
import { Inflights, ProgressState, cloneTrackerConfig } from '../tracker';
import type { ProgressMap, ProgressTracker, TrackerConfig } from '../tracker';
import type { ConfChangeSingle } from '../types';

export type ChangeResult = [TrackerConfig, ProgressMap];

export class Changer {
  constructor(
    readonly tracker: ProgressTracker,
    /** Our last log index: new peers start probing from here. */
    readonly lastIndex: number,
  ) {}

  /** Enters a joint configuration applying `ccs` to the incoming half. */
  enterJoint(autoLeave: boolean, ccs: readonly ConfChangeSingle[]): ChangeResult {
    const [cfg, prs] = this.checkAndCopy();
    if (isJoint(cfg.voters)) throw new Error('config is already joint');
    if (cfg.voters.incoming.size === 0) {
      // Not a joint config but the empty one: there is nothing to transition from.
      throw new Error("can't make a zero-voter config joint");
    }
    cfg.voters.outgoing = new Set(cfg.voters.incoming);
    this.apply(cfg, prs, ccs);
    cfg.autoLeave = autoLeave;
    return checkAndReturn(cfg, prs);
  }

  /** Leaves a joint configuration: outgoing voters not in the incoming half are removed. */
  leaveJoint(): ChangeResult {
    const [cfg, prs] = this.checkAndCopy();
    if (!isJoint(cfg.voters)) throw new Error("can't leave a non-joint config");
    for (const id of cfg.learnersNext) {
      cfg.learners.add(id);
      (prs.get(id) as ProgressState).isLearner = true;
    }
    cfg.learnersNext = new Set();
    for (const id of cfg.voters.outgoing) {
      if (!cfg.voters.incoming.has(id) && !cfg.learners.has(id)) prs.delete(id);
    }
    cfg.voters.outgoing = new Set();
    cfg.autoLeave = false;
    return checkAndReturn(cfg, prs);
  }

  /** Applies changes that alter at most one voter, without a joint configuration. */
  simple(ccs: readonly ConfChangeSingle[]): ChangeResult {
    const [cfg, prs] = this.checkAndCopy();
    if (isJoint(cfg.voters)) throw new Error("can't apply simple config change in joint config");
    this.apply(cfg, prs, ccs);
    const before = this.tracker.config.voters.incoming;
    let changed = 0;
    for (const id of before) if (!cfg.voters.incoming.has(id)) changed++;
    for (const id of cfg.voters.incoming) if (!before.has(id)) changed++;
    if (changed > 1) throw new Error('more than one voter changed without entering joint config');
    return checkAndReturn(cfg, prs);
  }

  private apply(cfg: TrackerConfig, prs: ProgressMap, ccs: readonly ConfChangeSingle[]): void {
    for (const cc of ccs) {
      // A zero node id is etcd's way of turning a refused change into a no-op.
      if (cc.nodeId === 0) continue;
      switch (cc.type) {
        case 'ConfChangeAddNode':
          this.makeVoter(cfg, prs, cc.nodeId);
          break;
        case 'ConfChangeAddLearnerNode':
          this.makeLearner(cfg, prs, cc.nodeId);
          break;
        case 'ConfChangeRemoveNode':
          remove(cfg, prs, cc.nodeId);
          break;
        case 'ConfChangeUpdateNode':
          break;
        default:
          throw new Error(`unexpected conf type ${String((cc as ConfChangeSingle).type)}`);
      }
    }
    if (cfg.voters.incoming.size === 0) throw new Error('removed all voters');
  }

  private makeVoter(cfg: TrackerConfig, prs: ProgressMap, id: number): void {
    const pr = prs.get(id);
    if (pr === undefined) {
      this.initProgress(cfg, prs, id, false);
      return;
    }
    pr.isLearner = false;
    cfg.learners.delete(id);
    cfg.learnersNext.delete(id);
    cfg.voters.incoming.add(id);
  }

  /**
   * Makes `id` a learner. A voter still in the outgoing half cannot become a learner yet (it
   * would be both); it is staged in learnersNext and converted when the joint config is left.
   */
  private makeLearner(cfg: TrackerConfig, prs: ProgressMap, id: number): void {
    const pr = prs.get(id);
    if (pr === undefined) {
      this.initProgress(cfg, prs, id, true);
      return;
    }
    if (pr.isLearner) return;
    remove(cfg, prs, id);
    // Keep the progress: the node stays in the cluster.
    prs.set(id, pr);
    if (cfg.voters.outgoing.has(id)) {
      cfg.learnersNext.add(id);
    } else {
      pr.isLearner = true;
      cfg.learners.add(id);
    }
  }

  private initProgress(cfg: TrackerConfig, prs: ProgressMap, id: number, isLearner: boolean): void {
    if (isLearner) cfg.learners.add(id);
    else cfg.voters.incoming.add(id);
    // Start probing at our last index (the new peer's log is likely empty; probing walks back).
    const pr = new ProgressState(
      Math.max(this.lastIndex, 1),
      new Inflights(this.tracker.maxInflight, this.tracker.maxInflightBytes),
      isLearner,
    );
    // A new peer counts as recently active, so CheckQuorum does not fire before it could talk.
    pr.recentActive = true;
    prs.set(id, pr);
  }

  private checkAndCopy(): ChangeResult {
    const cfg = cloneTrackerConfig(this.tracker.config);
    const prs: ProgressMap = new Map();
    for (const [id, pr] of this.tracker.progress) prs.set(id, pr.clone());
    checkInvariants(cfg, prs);
    return [cfg, prs];
  }
}

function remove(cfg: TrackerConfig, prs: ProgressMap, id: number): void {
  if (!prs.has(id)) return;
  cfg.voters.incoming.delete(id);
  cfg.learners.delete(id);
  cfg.learnersNext.delete(id);
  // A node still voting in the outgoing half keeps its progress until the joint config is left.
  if (!cfg.voters.outgoing.has(id)) prs.delete(id);
}

function checkAndReturn(cfg: TrackerConfig, prs: ProgressMap): ChangeResult {
  checkInvariants(cfg, prs);
  return [cfg, prs];
}

/** The structural rules every configuration obeys; a violation is a bug or a corrupt input. */
export function checkInvariants(cfg: TrackerConfig, prs: ProgressMap): void {
  for (const ids of [cfg.voters.incoming, cfg.voters.outgoing, cfg.learners, cfg.learnersNext]) {
    for (const id of ids) {
      if (!prs.has(id)) throw new Error(`no progress for ${id}`);
    }
  }
  for (const id of cfg.learnersNext) {
    if (!cfg.voters.outgoing.has(id))
      throw new Error(`${id} is in LearnersNext, but not Voters[1]`);
    if ((prs.get(id) as ProgressState).isLearner) {
      throw new Error(`${id} is in LearnersNext, but is already marked as learner`);
    }
  }
  for (const id of cfg.learners) {
    if (cfg.voters.outgoing.has(id)) throw new Error(`${id} is in Learners and Voters[1]`);
    if (cfg.voters.incoming.has(id)) throw new Error(`${id} is in Learners and Voters[0]`);
    if (!(prs.get(id) as ProgressState).isLearner) {
      throw new Error(`${id} is in Learners, but is not marked as learner`);
    }
  }
  if (!isJoint(cfg.voters)) {
    if (cfg.learnersNext.size > 0) throw new Error('cfg.LearnersNext must be empty when not joint');
    if (cfg.autoLeave) throw new Error('AutoLeave must be false when not joint');
  }
}
