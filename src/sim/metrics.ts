// What a run measured: per operation kind, how many were answered, failed, and how long they
// took (simulated time); leader elections; failed proposals. Percentiles are exact (nearest rank
// over every sample), because a p99 from a sketch would not replay bit for bit.

export interface OpStats {
  ok: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Successful operations per simulated second over the measured window. */
  perSecond: number;
}

export interface RunMetrics {
  /** The window throughput is measured over: from the first workload's start to the end. */
  measuredMs: number;
  ops: Record<string, OpStats>;
  leaderChanges: number;
  failedProposals: number;
  /** Error messages seen, with counts. */
  errors: Record<string, number>;
}

export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export class MetricsRecorder {
  private readonly latenciesUs = new Map<string, number[]>();
  private readonly failures = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private leaderChanges = 0;
  private failedProposals = 0;

  recordOp(kind: string, latencyUs: number, ok: boolean, error?: string): void {
    if (ok) {
      let xs = this.latenciesUs.get(kind);
      if (!xs) this.latenciesUs.set(kind, (xs = []));
      xs.push(latencyUs);
    } else {
      this.failures.set(kind, (this.failures.get(kind) ?? 0) + 1);
      if (error) this.errors.set(error, (this.errors.get(error) ?? 0) + 1);
    }
  }

  recordLeaderChange(): void {
    this.leaderChanges++;
  }

  recordFailedProposal(): void {
    this.failedProposals++;
  }

  summary(windowUs: number): RunMetrics {
    const ops: Record<string, OpStats> = {};
    const kinds = new Set([...this.latenciesUs.keys(), ...this.failures.keys()]);
    for (const kind of [...kinds].sort()) {
      const xs = [...(this.latenciesUs.get(kind) ?? [])].sort((a, b) => a - b);
      ops[kind] = {
        ok: xs.length,
        failed: this.failures.get(kind) ?? 0,
        p50Ms: nearestRank(xs, 50) / 1000,
        p99Ms: nearestRank(xs, 99) / 1000,
        maxMs: (xs[xs.length - 1] ?? 0) / 1000,
        perSecond: windowUs > 0 ? xs.length / (windowUs / 1e6) : 0,
      };
    }
    return {
      measuredMs: windowUs / 1000,
      ops,
      leaderChanges: this.leaderChanges,
      failedProposals: this.failedProposals,
      errors: Object.fromEntries(
        [...this.errors.entries()].sort((a, b) => a[0].localeCompare(b[0])),
      ),
    };
  }
}
