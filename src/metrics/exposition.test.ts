import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DISK_DURATION_BUCKETS, ETCD, PEER_RTT_BUCKETS } from './etcd';
import { formatExposition, goFloat } from './exposition';
import { Histogram, exponentialBuckets } from './histogram';

describe('goFloat: numbers as Go prints a float64 (strconv g, shortest)', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [2208, '2208'],
    [100000, '100000'],
    [1000000, '1e+06'],
    [2147483648, '2.147483648e+09'],
    [0.005018052, '0.005018052'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [0.000012, '1.2e-05'],
    [8.192, '8.192'],
    [-3.5, '-3.5'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ])('%s -> %s', (v, text) => expect(goFloat(v)).toBe(text));
});

describe('buckets', () => {
  it("are etcd's: 1 ms to 8.192 s for disk durations, 0.1 ms to 0.8192 s for peer round trips", () => {
    expect(DISK_DURATION_BUCKETS.map(goFloat)).toEqual(
      '0.001 0.002 0.004 0.008 0.016 0.032 0.064 0.128 0.256 0.512 1.024 2.048 4.096 8.192'.split(
        ' ',
      ),
    );
    expect(PEER_RTT_BUCKETS.map(goFloat).at(0)).toBe('0.0001');
    expect(PEER_RTT_BUCKETS.map(goFloat).at(-1)).toBe('0.8192');
    expect(() => exponentialBuckets(0, 2, 3)).toThrow(RangeError);
  });
});

describe('formatExposition', () => {
  it('writes HELP and TYPE, cumulative buckets ending in +Inf, _sum and _count, labels', () => {
    const h = new Histogram([0.1, 0.2, 0.4]);
    for (const v of [0.05, 0.1, 0.15, 0.3, 5]) h.observe(v);
    const text = formatExposition([
      { ...ETCD.hasLeader, type: 'gauge', samples: [{ value: 1 }] },
      {
        ...ETCD.peerRtt,
        type: 'histogram',
        samples: [{ labels: { To: '2' }, value: h.snapshot() }],
      },
      { ...ETCD.leaderChanges, type: 'counter', samples: [] },
    ]);
    expect(text).toBe(
      [
        '# HELP etcd_network_peer_round_trip_time_seconds Round-Trip-Time histogram between peers.',
        '# TYPE etcd_network_peer_round_trip_time_seconds histogram',
        'etcd_network_peer_round_trip_time_seconds_bucket{To="2",le="0.1"} 2',
        'etcd_network_peer_round_trip_time_seconds_bucket{To="2",le="0.2"} 3',
        'etcd_network_peer_round_trip_time_seconds_bucket{To="2",le="0.4"} 4',
        'etcd_network_peer_round_trip_time_seconds_bucket{To="2",le="+Inf"} 5',
        'etcd_network_peer_round_trip_time_seconds_sum{To="2"} 5.6',
        'etcd_network_peer_round_trip_time_seconds_count{To="2"} 5',
        '# HELP etcd_server_has_leader Whether or not a leader exists. 1 is existence, 0 is not.',
        '# TYPE etcd_server_has_leader gauge',
        'etcd_server_has_leader 1',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and help text', () => {
    const text = formatExposition([
      {
        name: 'x',
        help: 'a \\ b\nc',
        type: 'gauge',
        samples: [{ labels: { v: 'q"\\\n' }, value: 2 }],
      },
    ]);
    expect(text).toBe('# HELP x a \\\\ b\\nc\n# TYPE x gauge\nx{v="q\\"\\\\\\n"} 2\n');
  });

  it("matches a real etcd 3.4.23's HELP and TYPE lines for every family it shares", () => {
    // testdata: the HELP and TYPE lines of `curl 127.0.0.1:2379/metrics` on etcd 3.4.23. The
    // round-trip histogram is absent there (a one-member cluster has no peers): checked above.
    const real = new Set(
      readFileSync(new URL('./testdata/etcd-3.4.23-help-type.txt', import.meta.url), 'utf8')
        .split('\n')
        .filter(Boolean),
    );
    for (const info of Object.values(ETCD)) {
      if (info === ETCD.peerRtt) continue;
      expect(real).toContain(`# HELP ${info.name} ${info.help}`);
      expect(real).toContain(`# TYPE ${info.name} ${info.type}`);
    }
  });
});
