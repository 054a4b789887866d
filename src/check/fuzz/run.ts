// One fuzz run: a scenario played in process, every invariant checked at every trace record
// (the run stops at the first that breaks), then the client history checked for linearizability.
import type { Scenario } from '../../scenario/schema';
import { Session } from '../../sim/session';
import type { Violation } from '../invariants';

export interface Finding {
  kind: 'invariant' | 'linearizability' | 'crash';
  /** One line: what broke. */
  message: string;
  /** When it broke (for the share link's cursor), in simulated microseconds. */
  atUs: number;
  violation?: Violation;
}

export interface RunOutcome {
  finding?: Finding;
  /** Key-value calls the clients made. */
  ops: number;
  /** How far the run got, in simulated microseconds. */
  endUs: number;
  traceHash: string;
  /** Set when the history check ran out of budget: nothing was proven either way. */
  unknown?: string;
}

/** Checks a finished run's client history; undefined when it is linearizable. */
export type HistoryCheck = (
  session: Session,
) => { finding?: Finding; unknown?: string } | Promise<{ finding?: Finding; unknown?: string }>;

export async function runOnce(
  scenario: Scenario,
  untilUs: number,
  checkHistory?: HistoryCheck,
): Promise<RunOutcome> {
  const session = await Session.start(scenario);
  try {
    const broken = () => session.invariants.violation !== undefined;
    let thrown: unknown;
    try {
      await session.runTo(untilUs, broken);
    } catch (err) {
      // A member that throws (raft refusing to overwrite a committed entry, say) is a finding
      // too, unless an invariant broke first: that is the cause, the throw its consequence.
      thrown = err;
    }
    const v = session.invariants.violation;
    const base = {
      ops: session.history.length,
      endUs: session.nowUs,
      traceHash: session.traceHash,
    };
    if (v) {
      return {
        ...base,
        finding: {
          kind: 'invariant',
          message: `${v.invariant}: ${v.message}`,
          atUs: v.atUs,
          violation: v,
        },
      };
    }
    if (thrown !== undefined) {
      return {
        ...base,
        finding: { kind: 'crash', message: `a node threw: ${String(thrown)}`, atUs: session.nowUs },
      };
    }
    if (!checkHistory) return base;
    const checked = await checkHistory(session);
    return {
      ...base,
      ...(checked.finding ? { finding: checked.finding } : {}),
      ...(checked.unknown ? { unknown: checked.unknown } : {}),
    };
  } finally {
    await session.dispose();
  }
}
