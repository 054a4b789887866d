import { describe, expect, it } from 'vitest';
import type { AlertStatus } from '../../metrics/alerts';
import { ETCD } from '../../metrics/etcd';
import { Histogram } from '../../metrics/histogram';
import { alertValue, metricRows, metricsFilename, seconds, sortAlerts } from './metrics-view';

describe('the Metrics panel’s rows', () => {
  it('show a number as Go prints it, a histogram as its count and quantiles, labels as in the file', () => {
    const h = new Histogram([0.001, 0.002, 0.004]);
    for (let i = 0; i < 100; i++) h.observe(0.0025);
    const rows = metricRows([
      { ...ETCD.quotaBackendBytes, type: 'gauge', samples: [{ value: 2 ** 31 }] },
      {
        ...ETCD.peerRtt,
        type: 'histogram',
        samples: [{ labels: { To: '2' }, value: h.snapshot() }],
      },
    ]);
    expect(rows.map((r) => [r.name + r.labels, r.value])).toEqual([
      ['etcd_network_peer_round_trip_time_seconds{To="2"}', '100 observed, p50 ≈ 3 ms, p99 ≈ 4 ms'],
      ['etcd_server_quota_backend_bytes', '2.147483648e+09'],
    ]);
  });

  it('say seconds for a person', () => {
    expect([0.0023, 0.64, 1.234, Infinity].map(seconds)).toEqual([
      '2.3 ms',
      '640 ms',
      '1.23 s',
      '–',
    ]);
  });
});

describe('alerts, as listed', () => {
  const a = (alert: string, state: AlertStatus['state'], value?: number): AlertStatus => ({
    alert,
    severity: 'warning',
    state,
    expr: '',
    forS: 60,
    summary: '',
    ...(value !== undefined ? { value } : {}),
  });
  it('firing first, then pending, then inactive, otherwise in rule order', () => {
    const sorted = sortAlerts([
      a('A', 'inactive'),
      a('B', 'pending'),
      a('C', 'firing'),
      a('D', 'pending'),
    ]);
    expect(sorted.map((x) => x.alert)).toEqual(['C', 'B', 'D', 'A']);
  });
  it('with their value in words', () => {
    expect(alertValue(a('etcdHighFsyncDurations', 'firing', 0.509))).toBe('p99 510 ms');
    expect(alertValue(a('etcdHighNumberOfLeaderChanges', 'pending', 4.29))).toBe('4.3 changes');
    expect(alertValue(a('etcdNoLeader', 'firing', 0))).toBe('no leader');
    expect(alertValue(a('etcdNoLeader', 'inactive'))).toBe('');
  });
  it('and a download named after the member and the time', () => {
    expect(metricsFilename(3, 12_345_678)).toBe('raftlab-n3-metrics-12.346s.prom');
  });
});
