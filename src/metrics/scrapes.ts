// A member's own memory of what Prometheus would have scraped from it: at every scrape interval of
// simulated time, the few series etcd-mixin's alerts read. Kept inside the member (so a crash
// forgets it, as it forgets the counters) and only for as long as the longest rule looks back.
// Two resolutions: etcd-mixin's windows (minutes) and the lab's, ten times shorter (seconds).

/** The series the alert rules read, at one scrape. */
export interface Scrape {
  atUs: number;
  hasLeader: number;
  leaderChanges: number;
  proposalsFailed: number;
  /** etcd_disk_wal_fsync_duration_seconds_bucket, cumulative, one per bound then +Inf. */
  fsync: number[];
  /** etcd_disk_backend_commit_duration_seconds_bucket, the same way. */
  commit: number[];
}

export type TimingName = 'etcd' | 'lab';

export interface RuleTiming {
  name: TimingName;
  label: string;
  /** Every window and `for` of etcd-mixin times this. */
  scale: number;
  /** Prometheus's scrape and evaluation interval. */
  intervalUs: number;
  /** Scrapes kept: enough for the longest window plus the longest `for`. */
  keep: number;
}

const S = 1_000_000;

export const TIMINGS: Record<TimingName, RuleTiming> = {
  // The longest look back: etcdHighNumberOfFailedProposals, rate[15m] held for 15m.
  etcd: { name: 'etcd', label: "etcd-mixin's windows", scale: 1, intervalUs: 15 * S, keep: 130 },
  lab: { name: 'lab', label: 'lab windows (a tenth)', scale: 0.1, intervalUs: 1 * S, keep: 200 },
};

/** Scrapes at every multiple of the interval, the oldest dropped past `keep`. */
export class ScrapeRing {
  private readonly samples: Scrape[] = [];
  private nextUs: number;

  constructor(
    private readonly timing: RuleTiming,
    startUs: number,
  ) {
    this.nextUs = (Math.floor(startUs / timing.intervalUs) + 1) * timing.intervalUs;
  }

  /**
   * Called before the member handles an input at `nowUs`: nothing changed since its last input,
   * so every scrape time passed meanwhile sees the state as it is now.
   */
  catchUp(nowUs: number, take: () => Omit<Scrape, 'atUs'>): void {
    if (nowUs < this.nextUs) return;
    const { intervalUs, keep } = this.timing;
    const last = Math.floor(nowUs / intervalUs) * intervalUs;
    // A member paused for a long time: only the scrapes still kept matter.
    const from = Math.max(this.nextUs, last - (keep - 1) * intervalUs);
    const values = take();
    for (let at = from; at <= last; at += intervalUs) this.samples.push({ atUs: at, ...values });
    if (this.samples.length > keep) this.samples.splice(0, this.samples.length - keep);
    this.nextUs = last + intervalUs;
  }

  all(): Scrape[] {
    return this.samples.slice();
  }
}
