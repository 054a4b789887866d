// Shrinking a failing scenario: cut the run off just after the failure, then drop the faults it
// did not need (delta debugging over the action list), keeping every step that still fails the
// same way. Runs are deterministic, so "still fails" is a plain re-run.
import type { Scenario } from '../../scenario/schema';
import { runOnce, type Finding, type HistoryCheck } from './run';

export interface Shrunk {
  scenario: Scenario;
  finding: Finding;
  /** Re-runs spent. */
  runs: number;
}

/** Two findings are "the same failure" when they break the same property. */
function sameFailure(a: Finding, b: Finding): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== 'invariant' || a.violation?.invariant === b.violation?.invariant;
}

/** A little past the failure: enough for the run to reach it again. */
const MARGIN_US = 1_000_000;

export async function shrink(
  scenario: Scenario,
  finding: Finding,
  opts: { maxRuns?: number; checkHistory?: HistoryCheck } = {},
): Promise<Shrunk> {
  const maxRuns = opts.maxRuns ?? 60;
  let best: Shrunk = { scenario, finding, runs: 0 };
  let runs = 0;
  const tryScenario = async (s: Scenario): Promise<boolean> => {
    if (runs >= maxRuns) return false;
    runs++;
    const untilUs = s.cursorUs;
    const out = await runOnce(s, untilUs, opts.checkHistory);
    if (!out.finding || !sameFailure(out.finding, finding)) return false;
    best = { scenario: { ...s, cursorUs: out.finding.atUs }, finding: out.finding, runs };
    return true;
  };
  const cut = (s: Scenario, atUs: number): Scenario => {
    const end = atUs + MARGIN_US;
    return {
      ...s,
      actions: s.actions.filter((a) => a.atUs <= end),
      workloads: s.workloads.map((w) => ({
        ...w,
        stopMs: Math.min(w.stopMs ?? end / 1000, end / 1000),
      })),
      cursorUs: end,
    };
  };
  await tryScenario(cut(scenario, finding.atUs));
  // ddmin over the actions: drop halves, then quarters, ... while the failure stays.
  let chunk = Math.ceil(best.scenario.actions.length / 2);
  while (chunk >= 1 && runs < maxRuns) {
    let removedAny = false;
    for (let i = 0; i < best.scenario.actions.length && runs < maxRuns;) {
      const actions = [
        ...best.scenario.actions.slice(0, i),
        ...best.scenario.actions.slice(i + chunk),
      ];
      const base = best.scenario;
      if (await tryScenario(cut({ ...base, actions }, best.finding.atUs))) removedAny = true;
      else i += chunk;
    }
    if (!removedAny) chunk = Math.floor(chunk / 2);
  }
  best.runs = runs;
  return best;
}
