import { describe, expect, it } from 'vitest';
import { evaluateAlerts, promDuration, type AlertStatus, type MemberScrapes } from './alerts';
import { DISK_DURATION_BUCKETS } from './etcd';
import { Histogram } from './histogram';
import { TIMINGS, type Scrape } from './scrapes';

const S = 1_000_000;
const lab = TIMINGS.lab; // every 1 s; windows a tenth of etcd-mixin's
const etcd = TIMINGS.etcd; // every 15 s

/** Scrapes every interval from `fromUs` to `toUs`, the state given by `at(t)`. */
function scrapes(
  intervalUs: number,
  toUs: number,
  at: (t: number) => Partial<Omit<Scrape, 'atUs'>> & { fsyncS?: number[] },
): Scrape[] {
  const out: Scrape[] = [];
  const fsync = new Histogram(DISK_DURATION_BUCKETS);
  for (let t = intervalUs; t <= toUs; t += intervalUs) {
    const s = at(t);
    for (const v of s.fsyncS ?? []) fsync.observe(v);
    const snap = fsync.snapshot();
    out.push({
      atUs: t,
      hasLeader: s.hasLeader ?? 1,
      leaderChanges: s.leaderChanges ?? 1,
      proposalsFailed: s.proposalsFailed ?? 0,
      fsync: [...snap.cumulative, snap.count],
      commit: new Array<number>(DISK_DURATION_BUCKETS.length + 1).fill(0),
    });
  }
  return out;
}

function find(all: AlertStatus[], alert: string, instance?: number, severity?: string) {
  return all.find(
    (a) =>
      a.alert === alert &&
      a.instance === instance &&
      (severity === undefined || a.severity === severity),
  )!;
}

describe('promDuration', () => {
  it('writes windows as Prometheus does', () => {
    expect([6, 30, 60, 90, 900, 3600].map(promDuration)).toEqual([
      '6s',
      '30s',
      '1m',
      '1m30s',
      '15m',
      '1h',
    ]);
  });
});

describe('etcdNoLeader (has_leader == 0 for 1m)', () => {
  // Member 2 loses its leader at 100 s (lab timing: for 6 s).
  const members: MemberScrapes[] = [
    { id: 1, scrapes: scrapes(lab.intervalUs, 200 * S, () => ({})) },
    {
      id: 2,
      scrapes: scrapes(lab.intervalUs, 200 * S, (t) => ({ hasLeader: t >= 100 * S ? 0 : 1 })),
    },
  ];
  it('is inactive while a leader is known, pending, then firing after `for`', () => {
    expect(find(evaluateAlerts(members, 99.5 * S, lab), 'etcdNoLeader', 2).state).toBe('inactive');
    const pending = find(evaluateAlerts(members, 103 * S, lab), 'etcdNoLeader', 2);
    expect(pending).toMatchObject({ state: 'pending', activeSinceUs: 100 * S, forS: 6 });
    expect(pending.expr).toBe('etcd_server_has_leader == 0');
    expect(find(evaluateAlerts(members, 106 * S, lab), 'etcdNoLeader', 2).state).toBe('firing');
    expect(find(evaluateAlerts(members, 150 * S, lab), 'etcdNoLeader', 1).state).toBe('inactive');
  });
  it("with etcd-mixin's own timing it needs a whole minute", () => {
    const m = [
      {
        id: 2,
        scrapes: scrapes(etcd.intervalUs, 600 * S, (t) => ({ hasLeader: t >= 300 * S ? 0 : 1 })),
      },
    ];
    expect(find(evaluateAlerts(m, 345 * S, etcd), 'etcdNoLeader', 2).state).toBe('pending');
    expect(find(evaluateAlerts(m, 360 * S, etcd), 'etcdNoLeader', 2).state).toBe('firing');
  });
});

describe('etcdHighNumberOfLeaderChanges (increase over 15m >= 4, for 5m)', () => {
  it('counts the cluster’s changes (the max over members), not one member’s restarts', () => {
    // A change every 10 s from 50 s on, seen by both; member 2 restarted at 120 s (counts from 0).
    const changes = (t: number) => 1 + Math.max(0, Math.floor((t - 50 * S) / (10 * S)));
    const members: MemberScrapes[] = [
      { id: 1, scrapes: scrapes(lab.intervalUs, 180 * S, (t) => ({ leaderChanges: changes(t) })) },
      {
        id: 2,
        scrapes: scrapes(lab.intervalUs, 180 * S, (t) => ({
          leaderChanges: t < 120 * S ? changes(t) : changes(t) - changes(119 * S),
        })),
      },
    ];
    const at = (t: number) =>
      find(evaluateAlerts(members, t, lab), 'etcdHighNumberOfLeaderChanges');
    expect(at(60 * S).state).toBe('inactive');
    const a = at(100 * S);
    expect(a.state).toBe('pending');
    expect(a.expr).toContain('[1m30s:6s]) >= 4');
    expect(at(180 * S).state).toBe('firing');
    expect(at(180 * S).instance).toBeUndefined();
  });
  it('stays quiet when the leader changed three times', () => {
    const m = [
      {
        id: 1,
        scrapes: scrapes(lab.intervalUs, 180 * S, (t) => ({ leaderChanges: t > 60 * S ? 4 : 1 })),
      },
    ];
    expect(find(evaluateAlerts(m, 180 * S, lab), 'etcdHighNumberOfLeaderChanges').state).toBe(
      'inactive',
    );
  });
});

describe('etcdHighFsyncDurations (p99 of rate[5m] > 0.5 s warning, > 1 s critical, for 10m)', () => {
  // Ten fsyncs a second: 2 ms until 60 s, then `slowS`.
  const member = (slowS: number) => [
    {
      id: 3,
      scrapes: scrapes(lab.intervalUs, 200 * S, (t) => ({
        fsyncS: new Array<number>(10).fill(t > 60 * S ? slowS : 0.002),
      })),
    },
  ];
  const state = (
    m: MemberScrapes[],
    t: number,
    severity: string,
    alert = 'etcdHighFsyncDurations',
  ) => find(evaluateAlerts(m, t, lab), alert, 3, severity);

  it('300 ms fsyncs: the warning fires (p99 interpolated in (0.256, 0.512]: 0.509 s)', () => {
    const m = member(0.3);
    expect(state(m, 60 * S, 'warning').state).toBe('inactive');
    expect(state(m, 80 * S, 'warning').state).toBe('pending');
    const firing = state(m, 200 * S, 'warning');
    expect(firing.state).toBe('firing');
    expect(firing.value).toBeCloseTo(0.256 + 0.256 * 0.99, 9);
    expect(state(m, 200 * S, 'critical').state).toBe('inactive');
    expect(state(m, 200 * S, 'warning', 'etcdHighCommitDurations').state).toBe('inactive');
  });

  it('700 ms fsyncs: the critical one too (p99 in (0.512, 1.024]: 1.019 s)', () => {
    expect(state(member(0.7), 200 * S, 'critical').state).toBe('firing');
  });

  it('2 ms fsyncs: nothing', () => {
    expect(state(member(0.002), 200 * S, 'warning').state).toBe('inactive');
  });
});
