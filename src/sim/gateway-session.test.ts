// The --ops gateway against answers recorded from a real etcd 3.4.23 (one member, fresh data
// dir, the same lines in the same order). cluster_id and member_id differ by construction and
// are compared by shape only; everything else must match exactly.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../scenario/schema';
import { startCluster } from './cluster';
import { GatewaySession } from './gateway-session';

const H = (revision: string) => ({ cluster_id: 'X', member_id: 'X', revision, raft_term: '2' });
const err = (status: number, message: string, code: number) => ({
  status,
  body: { error: message, message, code },
});

// [line, etcd 3.4.23's answer]
const RECORDED: [unknown, unknown][] = [
  [
    { path: '/v3/kv/range', body: { key: 'Zm9v' } },
    { status: 200, body: { header: H('1') } },
  ],
  [
    { path: '/v3/kv/put', body: { key: 'Zm9v', value: 'YmFy' } },
    { status: 200, body: { header: H('2') } },
  ],
  [
    { path: '/v3/kv/put', body: { key: 'Zm9v', value: 'YmF6', prev_kv: true } },
    {
      status: 200,
      body: {
        header: H('3'),
        prev_kv: {
          key: 'Zm9v',
          create_revision: '2',
          mod_revision: '2',
          version: '1',
          value: 'YmFy',
        },
      },
    },
  ],
  [
    { path: '/v3/kv/range', body: { key: 'Zm9v', count_only: true } },
    { status: 200, body: { header: H('3'), count: '1' } },
  ],
  [
    { path: '/v3/kv/deleterange', body: { key: 'bm9wZQ==' } },
    { status: 200, body: { header: H('3') } },
  ],
  [{ path: '/v3/kv/put', body: { key: '' } }, err(400, 'etcdserver: key is not provided', 3)],
  [
    { path: '/v3/kv/range', body: { key: 'Zm9v', revision: '99' } },
    err(400, 'etcdserver: mvcc: required revision is a future revision', 11),
  ],
  [
    {
      path: '/v3/kv/txn',
      body: {
        compare: [{ key: 'Zm9v', target: 'VERSION', result: 'GREATER', version: '0' }],
        success: [{ request_range: { key: 'Zm9v' } }],
      },
    },
    {
      status: 200,
      body: {
        header: H('3'),
        succeeded: true,
        responses: [
          {
            response_range: {
              header: { revision: '3' },
              kvs: [
                {
                  key: 'Zm9v',
                  create_revision: '2',
                  mod_revision: '3',
                  version: '2',
                  value: 'YmF6',
                },
              ],
              count: '1',
            },
          },
        ],
      },
    },
  ],
  [
    { path: '/v3/kv/compaction', body: { revision: '2' } },
    { status: 200, body: { header: H('3') } },
  ],
  [
    { path: '/v3/kv/range', body: { key: 'Zm9v', revision: '1' } },
    err(400, 'etcdserver: mvcc: required revision has been compacted', 11),
  ],
  [
    { path: '/v3/lease/grant', body: { TTL: '30', ID: '77' } },
    { status: 200, body: { header: H('3'), ID: '77', TTL: '30' } },
  ],
  [
    { path: '/v3/lease/grant', body: { TTL: '30', ID: '77' } },
    err(412, 'etcdserver: lease already exists', 9),
  ],
  [
    { path: '/v3/lease/grant', body: { TTL: '99999999999' } },
    err(400, 'etcdserver: too large lease TTL', 11),
  ],
  [
    { path: '/v3/lease/timetolive', body: { ID: '78' } },
    { status: 200, body: { header: H('3'), ID: '78', TTL: '-1' } },
  ],
  [
    { path: '/v3/kv/put', body: { key: 'YQ==', value: '', lease: '77' } },
    { status: 200, body: { header: H('4') } },
  ],
  [
    { path: '/v3/kv/range', body: { key: 'YQ==', range_end: 'AA==', limit: '1' } },
    {
      status: 200,
      body: {
        header: H('4'),
        kvs: [{ key: 'YQ==', create_revision: '4', mod_revision: '4', version: '1', lease: '77' }],
        more: true,
        count: '2',
      },
    },
  ],
  [
    { path: '/v3/kv/deleterange', body: { key: 'YQ==', prev_kv: true } },
    {
      status: 200,
      body: {
        header: H('5'),
        deleted: '1',
        prev_kvs: [
          { key: 'YQ==', create_revision: '4', mod_revision: '4', version: '1', lease: '77' },
        ],
      },
    },
  ],
  [
    { path: '/v3/lease/revoke', body: { ID: '77' } },
    { status: 200, body: { header: H('5') } },
  ],
  [
    { path: '/v3/lease/revoke', body: { ID: '12345' } },
    err(404, 'etcdserver: requested lease not found', 5),
  ],
  [
    {
      path: '/v3/kv/txn',
      body: { success: [{ request_put: { key: 'Yg==' } }, { request_put: { key: 'Yg==' } }] },
    },
    err(400, 'etcdserver: duplicate key given in txn request', 3),
  ],
  [
    { path: '/v3/kv/range', body: { key: 'Zm9v', sort_order: 'BOGUS' } },
    err(400, 'unknown value "BOGUS" for enum etcdserverpb.RangeRequest_SortOrder', 3),
  ],
  [
    { path: '/v3/kv/range', body: { key: 'Zm9v', keys_only: true, bogus_field: 1 } },
    {
      status: 200,
      body: {
        header: H('5'),
        kvs: [{ key: 'Zm9v', create_revision: '2', mod_revision: '3', version: '2' }],
        count: '1',
      },
    },
  ],
];

function maskIds(answer: unknown): unknown {
  const a = answer as { body?: { header?: Record<string, unknown> } };
  const h = a.body?.header;
  if (h && 'cluster_id' in h) {
    expect(h.cluster_id).toMatch(/^\d+$/);
    expect(h.member_id).toMatch(/^\d+$/);
    return { ...a, body: { ...a.body, header: { ...h, cluster_id: 'X', member_id: 'X' } } };
  }
  return answer;
}

describe('the JSON gateway session', () => {
  it('answers as etcd 3.4.23 answered, line for line', async () => {
    const cluster = await startCluster({ settings: { ...DEFAULT_SETTINGS, size: 1 }, seed: 1 });
    const session = new GatewaySession(cluster, 1);
    await session.awaitLeader();
    for (const [line, expected] of RECORDED) {
      const answer = await session.line(JSON.stringify(line));
      expect({ line, answer: maskIds(answer) }).toEqual({ line, answer: expected });
    }
  });

  it('advances simulated time on sleep_ms and answers malformed lines with a 400', async () => {
    const cluster = await startCluster({ settings: { ...DEFAULT_SETTINGS, size: 1 }, seed: 1 });
    const session = new GatewaySession(cluster, 1);
    await session.awaitLeader();
    const before = cluster.conductor.now;
    expect(await session.line('{"sleep_ms": 2500}')).toBeUndefined();
    expect(cluster.conductor.now).toBe(before + 2_500_000);
    expect(await session.line('not json')).toMatchObject({ status: 400, body: { code: 3 } });
    expect(await session.line('{"path":"/v3/nope"}')).toMatchObject({
      status: 404,
      body: { code: 5 },
    });
  });
});
