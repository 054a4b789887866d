// The fuzzer's history check: a run's client calls through the linearizability checker, and an
// illegal verdict turned into a finding that points at the moment the anomaly was complete.
import type { Session } from '../../sim/session';
import { checkHistory, type CheckResult } from '../linearizability';
import type { Finding } from './run';

export function checkSessionHistory(session: Session): {
  finding?: Finding;
  unknown?: string;
  result: CheckResult;
} {
  // A call that certainly failed took no effect: only calls that may have are the checker's.
  const history = session.history.filter((op) => !op.definite);
  const result = checkHistory(history);
  if (result.verdict === 'ok') return { result };
  if (result.verdict === 'unknown') return { unknown: result.reason, result };
  // The anomaly is complete once the last of the calls that cannot be ordered has returned.
  const core = new Set(result.core);
  let atUs = 0;
  for (const op of history) if (core.has(op.id)) atUs = Math.max(atUs, op.returnUs ?? op.callUs);
  return {
    finding: { kind: 'linearizability', message: result.explanation, atUs },
    result,
  };
}
