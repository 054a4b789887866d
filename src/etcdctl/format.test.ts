// The text etcdctl prints, against what a real etcd 3.4.23 and its etcdctl printed (captured from
// `ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:23790 <command>`, single member n1). etcd's IDs
// are 64-bit and do not fit a JavaScript number, so each capture has them replaced by small ones
// (in decimal and in hex, wherever they appear) before comparing; everything else is verbatim.
import { describe, expect, it } from 'vitest';
import { kv } from '../mvcc/test/util';
import type { ClientResponse } from '../server/requests';
import { formatResponse, humanizeBytes, table } from './format';
import { parseEtcdctl, type EtcdctlCommand } from './parse';
import { fromEtcd } from './etcd-capture';

const CLUSTER_ID = 0x48276a8f;
const utf8 = new TextEncoder();
const b = (s: string) => utf8.encode(s);

function header(revision: number, raft_term = 2) {
  return { cluster_id: CLUSTER_ID, member_id: 1, revision, raft_term };
}

function ok(method: ClientResponse['method'], body: unknown): ClientResponse {
  return { ok: true, method, body: body as never };
}

function cmd(line: string): EtcdctlCommand {
  const c = parseEtcdctl(line);
  if (!('request' in c)) throw new Error('not a request');
  return c;
}

/** What the console prints for `line` given the response. */
const print = (line: string, r: ClientResponse, node = 1) => formatResponse(cmd(line), r, node);

describe('put', () => {
  it('prints OK, and the previous key-value with --prev-kv', () => {
    expect(print('put foo bar', ok('put', { header: header(3) }))).toBe('OK\n');
    const prev = { header: header(4), prev_kv: kv('foo', 'bar', 2, 3, 2) };
    expect(print('put foo baz --prev-kv', ok('put', prev))).toBe('OK\nfoo\nbar\n');
  });

  it('prints etcd’s JSON', () => {
    expect(print('put foo bar -w json', ok('put', { header: header(3) }))).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":3,"raft_term":2}}\n',
      ),
    );
    const prev = { header: header(5), prev_kv: kv('foo', 'baz', 2, 4, 3) };
    expect(print('put foo baz2 --prev-kv -w json', ok('put', prev))).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":5,"raft_term":2},"prev_kv":{"key":"Zm9v","create_revision":2,"mod_revision":4,"version":3,"value":"YmF6"}}\n',
      ),
    );
  });
});

describe('get', () => {
  const one = { header: header(5), kvs: [kv('foo', 'baz2', 2, 5, 4)], more: false, count: 1 };
  const two = {
    header: header(6),
    kvs: [kv('foo', 'baz2', 2, 5, 4), kv('foo2', 'v2', 6, 6, 1)],
    more: false,
    count: 2,
  };
  it('prints each key and value on its own line', () => {
    expect(print('get foo', ok('range', one))).toBe('foo\nbaz2\n');
    expect(print('get foo --prefix', ok('range', two))).toBe('foo\nbaz2\nfoo2\nv2\n');
    expect(print('get foo --prefix --print-value-only', ok('range', two))).toBe('baz2\nv2\n');
    const none = { header: header(6), kvs: [], more: false, count: 0 };
    expect(print('get nothing', ok('range', none))).toBe('');
    const empty = { header: header(15), kvs: [kv('foo', '', 15, 15, 1)], more: false, count: 1 };
    expect(print('get foo', ok('range', empty))).toBe('foo\n\n');
  });

  it('prints an empty line for each value with --keys-only', () => {
    const keys = {
      ...two,
      kvs: [kv('foo', '', 2, 5, 4), kv('foo2', '', 6, 6, 1)],
    };
    expect(print('get foo --prefix --keys-only', ok('range', keys))).toBe('foo\n\nfoo2\n\n');
    expect(print('get foo --prefix --keys-only -w json', ok('range', keys))).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":6,"raft_term":2},"kvs":[{"key":"Zm9v","create_revision":2,"mod_revision":5,"version":4},{"key":"Zm9vMg==","create_revision":6,"mod_revision":6,"version":1}],"count":2}\n',
      ),
    );
  });

  it('prints etcd’s JSON: base64 bytes, numbers, zero values left out', () => {
    expect(print('get foo -w json', ok('range', one))).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":5,"raft_term":2},"kvs":[{"key":"Zm9v","create_revision":2,"mod_revision":5,"version":4,"value":"YmF6Mg=="}],"count":1}\n',
      ),
    );
    const limited = { ...one, header: header(6), more: true, count: 2 };
    expect(print('get foo --prefix --limit 1 -w json', ok('range', limited))).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":6,"raft_term":2},"kvs":[{"key":"Zm9v","create_revision":2,"mod_revision":5,"version":4,"value":"YmF6Mg=="}],"more":true,"count":2}\n',
      ),
    );
    const none = { header: header(6), kvs: [], more: false, count: 0 };
    expect(print('get nothing -w json', ok('range', none))).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":6,"raft_term":2}}\n',
      ),
    );
    const leased = {
      header: header(5),
      kvs: [kv('lk', 'lv', 4, 4, 1, 0x7b)],
      more: false,
      count: 1,
    };
    expect(print('get lk -w json', ok('range', leased))).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":5,"raft_term":2},"kvs":[{"key":"bGs=","create_revision":4,"mod_revision":4,"version":1,"value":"bHY=","lease":2324035533931356935}],"count":1}\n',
      ),
    );
  });

  it('prints the count with --count-only (etcdctl 3.5’s flag)', () => {
    const counted = { header: header(6), kvs: [], more: false, count: 2 };
    expect(print('get foo --prefix --count-only', ok('range', counted))).toBe('2\n');
  });
});

describe('del', () => {
  it('prints the number deleted, and the previous key-values with --prev-kv', () => {
    expect(print('del foo2', ok('deleteRange', { header: header(7), deleted: 1 }))).toBe('1\n');
    expect(print('del foo2', ok('deleteRange', { header: header(7), deleted: 0 }))).toBe('0\n');
    const prev = {
      header: header(9),
      deleted: 2,
      prev_kvs: [kv('foo', 'baz2', 2, 5, 4), kv('foo2', 'x', 8, 8, 1)],
    };
    expect(print('del foo --prefix --prev-kv', ok('deleteRange', prev))).toBe(
      '2\nfoo\nbaz2\nfoo2\nx\n',
    );
  });

  it('prints etcd’s JSON', () => {
    expect(print('del foo2 -w json', ok('deleteRange', { header: header(7), deleted: 0 }))).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":7,"raft_term":2}}\n',
      ),
    );
    const prev = { header: header(11), deleted: 1, prev_kvs: [kv('foo', 'y', 10, 10, 1)] };
    expect(print('del foo --prev-kv -w json', ok('deleteRange', prev))).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":11,"raft_term":2},"deleted":1,"prev_kvs":[{"key":"Zm9v","create_revision":10,"mod_revision":10,"version":1,"value":"eQ=="}]}\n',
      ),
    );
    expect(
      print('del a --from-key -w json', ok('deleteRange', { header: header(13), deleted: 1 })),
    ).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":13,"raft_term":2},"deleted":1}\n',
      ),
    );
  });
});

describe('txn', () => {
  const line = `txn 'value("foo") = "bar"' 'put foo baz; get k1' 'del k1'`;
  it('prints SUCCESS or FAILURE, then each response after an empty line', () => {
    const success = {
      header: header(7),
      succeeded: true,
      responses: [
        { response_put: { header: { revision: 7 } } },
        {
          response_range: {
            header: { revision: 7 },
            kvs: [kv('k1', 'v1', 3, 3, 1)],
            more: false,
            count: 1,
          },
        },
      ],
    };
    expect(print(line, ok('txn', success))).toBe('SUCCESS\n\nOK\n\nk1\nv1\n');
    const failure = {
      header: header(8),
      succeeded: false,
      responses: [{ response_delete_range: { header: { revision: 8 }, deleted: 1 } }],
    };
    expect(print(line, ok('txn', failure))).toBe('FAILURE\n\n1\n');
  });

  it('prints etcd’s JSON, each response under its oneof name', () => {
    const failure = {
      header: header(8),
      succeeded: false,
      responses: [{ response_delete_range: { header: { revision: 8 }, deleted: 1 } }],
    };
    expect(print(line + ' -w json', ok('txn', failure))).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":8,"raft_term":2},"responses":[{"Response":{"ResponseDeleteRange":{"header":{"revision":8},"deleted":1}}}]}\n',
      ),
    );
    const ranges = {
      header: header(10),
      succeeded: false,
      responses: [
        { response_range: { header: { revision: 10 }, kvs: [], more: false, count: 0 } },
        { response_range: { header: { revision: 10 }, kvs: [], more: false, count: 0 } },
      ],
    };
    expect(
      print(
        `txn 'value("foo") = "bar"' 'put foo baz' 'get foo; get k1 --prefix' -w json`,
        ok('txn', ranges),
      ),
    ).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":10,"raft_term":2},"responses":[{"Response":{"ResponseRange":{"header":{"revision":10}}}},{"Response":{"ResponseRange":{"header":{"revision":10}}}}]}\n',
      ),
    );
    const success = {
      header: header(5),
      succeeded: true,
      responses: [
        { response_put: { header: { revision: 5 } } },
        {
          response_range: {
            header: { revision: 5 },
            kvs: [kv('foo', '2', 4, 5, 2)],
            more: false,
            count: 1,
          },
        },
      ],
    };
    expect(
      print(`txn 'value("foo") = "bar"' 'put foo 2; get foo' -w json`, ok('txn', success)),
    ).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":5,"raft_term":2},"succeeded":true,"responses":[{"Response":{"ResponsePut":{"header":{"revision":5}}}},{"Response":{"ResponseRange":{"header":{"revision":5},"kvs":[{"key":"Zm9v","create_revision":4,"mod_revision":5,"version":2,"value":"Mg=="}],"count":1}}}]}\n',
      ),
    );
    const nothing = { header: header(14), succeeded: false, responses: [] };
    expect(print(`txn 'value("foo") = "baz"' 'put foo q' -w json`, ok('txn', nothing))).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":14,"raft_term":2}}\n',
      ),
    );
  });
});

describe('compaction', () => {
  it('prints the revision, in the simple form even with -w json', () => {
    const r = ok('compact', { header: header(12) });
    expect(print('compaction 3', r)).toBe('compacted revision 3\n');
    expect(print('compaction 3 -w json', r)).toBe('compacted revision 3\n');
    expect(print('compaction 4 --physical', r)).toBe('compacted revision 4\n');
  });
});

describe('errors', () => {
  it('prints etcd’s message after Error:', () => {
    const compacted: ClientResponse = {
      ok: false,
      method: 'compact',
      error: { message: 'etcdserver: mvcc: required revision has been compacted', code: 11 },
    };
    expect(print('compaction 1', compacted)).toBe(
      'Error: etcdserver: mvcc: required revision has been compacted\n',
    );
    const notFound: ClientResponse = {
      ok: false,
      method: 'leaseRevoke',
      error: { message: 'etcdserver: requested lease not found', code: 5 },
    };
    expect(print('lease revoke 123', notFound)).toBe(
      'Error: failed to revoke lease (etcdserver: requested lease not found)\n',
    );
    const transferee: ClientResponse = {
      ok: false,
      method: 'moveLeader',
      error: { message: 'etcdserver: bad leader transferee', code: 9 },
    };
    expect(print('move-leader 123', transferee)).toBe('Error: etcdserver: bad leader transferee\n');
    const follower: ClientResponse = {
      ok: false,
      method: 'moveLeader',
      error: { message: 'etcdserver: not leader', code: 9 },
    };
    expect(print('move-leader 3', follower, 2)).toBe('Error: no leader endpoint given at [n2]\n');
  });
});

describe('lease', () => {
  it('grant', () => {
    const r = ok('leaseGrant', { header: header(12), ID: 0x7a, TTL: 10 });
    expect(print('lease grant 10', r)).toBe(
      fromEtcd('lease 2040a2013d110621 granted with TTL(10s)\n'),
    );
    expect(print('lease grant 10 -w json', r)).toBe(
      fromEtcd(
        '{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":12,"raft_term":2,"ID":2324035533926368801,"TTL":10,"Error":""}\n',
      ),
    );
  });

  it('list', () => {
    const r = ok('leaseLeases', { header: header(12), leases: [{ ID: 0x79 }, { ID: 0x7a }] });
    expect(print('lease list', r)).toBe(
      fromEtcd('found 2 leases\n2040a2013d11061f\n2040a2013d110621\n'),
    );
    expect(print('lease list -w json', r)).toBe(
      fromEtcd(
        '{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":12,"raft_term":2,"leases":[{"id":2324035533926368799},{"id":2324035533926368801}]}\n',
      ),
    );
    const none = ok('leaseLeases', { header: header(15), leases: [] });
    expect(print('lease list', none)).toBe('found 0 leases\n');
    expect(print('lease list -w json', none)).toBe(
      fromEtcd(
        '{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":15,"raft_term":2,"leases":[]}\n',
      ),
    );
  });

  it('timetolive, with --keys, and of a lease that is gone', () => {
    const body = { header: header(5), ID: 0x7b, TTL: 99, grantedTTL: 100 };
    const withKeys = ok('leaseTimeToLive', { ...body, keys: [b('lk2'), b('lk')] });
    expect(print('lease timetolive 7b', ok('leaseTimeToLive', body))).toBe(
      fromEtcd('lease 2040a2013d5d2307 granted with TTL(100s), remaining(99s)\n'),
    );
    expect(print('lease timetolive 7b --keys', withKeys)).toBe(
      fromEtcd(
        'lease 2040a2013d5d2307 granted with TTL(100s), remaining(99s), attached keys([lk2 lk])\n',
      ),
    );
    expect(print('lease timetolive 7b --keys -w json', withKeys)).toBe(
      fromEtcd(
        '{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":5,"raft_term":2,"id":2324035533931356935,"ttl":99,"granted-ttl":100,"keys":["bGsy","bGs="]}\n',
      ),
    );
    expect(print('lease timetolive 7b -w json', ok('leaseTimeToLive', body))).toBe(
      fromEtcd(
        '{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":5,"raft_term":2,"id":2324035533931356935,"ttl":99,"granted-ttl":100,"keys":null}\n',
      ),
    );
    const gone = ok('leaseTimeToLive', { header: header(5), ID: 0x123, TTL: -1, grantedTTL: 0 });
    expect(print('lease timetolive 123', gone)).toBe('lease 0000000000000123 already expired\n');
    expect(print('lease timetolive 123 -w json', gone)).toBe(
      fromEtcd(
        '{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":5,"raft_term":2,"id":291,"ttl":-1,"granted-ttl":0,"keys":null}\n',
      ),
    );
  });

  it('keep-alive --once, and once for the looping form, saying so', () => {
    const r = ok('leaseKeepAlive', { header: header(5), ID: 0x7b, TTL: 100 });
    expect(print('lease keep-alive --once 7b', r)).toBe(
      fromEtcd('lease 2040a2013d5d2307 keepalived with TTL(100)\n'),
    );
    expect(print('lease keep-alive --once 7b -w json', r)).toBe(
      fromEtcd(
        '{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":5,"raft_term":2,"ID":2324035533931356935,"TTL":100}\n',
      ),
    );
    expect(print('lease keep-alive 7b', r)).toMatch(
      /^lease 000000000000007b keepalived with TTL\(100\)\n\(raftlab's console renews once; etcdctl would go on renewing until interrupted\)\n$/,
    );
    // With -w json, the JSON alone, so it parses.
    expect(JSON.parse(print('lease keep-alive 7b -w json', r))).toMatchObject({
      ID: 0x7b,
      TTL: 100,
    });
    const gone = ok('leaseKeepAlive', { header: header(5), ID: 0x7b, TTL: 0 });
    expect(print('lease keep-alive --once 7b', gone)).toBe(
      'Error: etcdserver: requested lease not found\n',
    );
    expect(print('lease keep-alive 7b', gone)).toBe('lease 000000000000007b expired or revoked.\n');
  });

  it('revoke', () => {
    const r = ok('leaseRevoke', { header: header(15) });
    expect(print('lease revoke 7b', r)).toBe(fromEtcd('lease 2040a2013d5d2307 revoked\n'));
    expect(print('lease revoke 7b -w json', r)).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":15,"raft_term":2}}\n',
      ),
    );
  });
});

describe('member', () => {
  // raftlab's members have no addresses: the console shows http://n<id>:2380 and :2379.
  const n1 = { ID: 1, name: 'n1' };
  const addrs = (s: string) =>
    s
      .replaceAll('http://127.0.0.1:23800', 'http://n1:2380')
      .replaceAll('http://127.0.0.1:23790', 'http://n1:2379')
      .replaceAll('http://127.0.0.1:23805', 'http://n4:2380');
  const listHeader = { cluster_id: CLUSTER_ID, member_id: 1, revision: 0, raft_term: 2 };

  it('list', () => {
    const r = ok('memberList', { header: listHeader, members: [n1] });
    expect(print('member list', r)).toBe(
      addrs(
        fromEtcd(
          '2e1259d415f2a040, started, n1, http://127.0.0.1:23800, http://127.0.0.1:23790, false\n',
        ),
      ),
    );
    expect(print('member list -w json', r)).toBe(
      addrs(
        fromEtcd(
          '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"raft_term":2},"members":[{"ID":3319814642761637952,"name":"n1","peerURLs":["http://127.0.0.1:23800"],"clientURLs":["http://127.0.0.1:23790"]}]}\n',
        ),
      ),
    );
  });

  it('list -w table, as tablewriter draws it', () => {
    const r = ok('memberList', { header: listHeader, members: [n1] });
    const etcd = [
      '+------------------+---------+------+------------------------+------------------------+------------+',
      '|        ID        | STATUS  | NAME |       PEER ADDRS       |      CLIENT ADDRS      | IS LEARNER |',
      '+------------------+---------+------+------------------------+------------------------+------------+',
      '| 2e1259d415f2a040 | started |   n1 | http://127.0.0.1:23800 | http://127.0.0.1:23790 |      false |',
      '+------------------+---------+------+------------------------+------------------------+------------+',
    ];
    // Same layout, narrower columns: raftlab's ID and addresses are shorter.
    expect(print('member list -w table', r)).toBe(
      [
        '+----+---------+------+----------------+----------------+------------+',
        '| ID | STATUS  | NAME |   PEER ADDRS   |  CLIENT ADDRS  | IS LEARNER |',
        '+----+---------+------+----------------+----------------+------------+',
        '|  1 | started |   n1 | http://n1:2380 | http://n1:2379 |      false |',
        '+----+---------+------+----------------+----------------+------------+',
        '',
      ].join('\n'),
    );
    expect(
      table(
        ['ID', 'STATUS', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEARNER'],
        [
          [
            '2e1259d415f2a040',
            'started',
            'n1',
            'http://127.0.0.1:23800',
            'http://127.0.0.1:23790',
            'false',
          ],
        ],
      ),
    ).toBe(etcd.join('\n') + '\n');
  });

  it('add: the new member has no name or client URLs until it starts', () => {
    const learner = { ID: 4, name: 'n4', isLearner: true };
    const r = ok('memberAdd', { header: listHeader, member: learner, members: [n1, learner] });
    expect(print('member add n4 --learner -w json', r)).toBe(
      addrs(
        fromEtcd(
          '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"raft_term":2},"member":{"ID":5310585574174358685,"peerURLs":["http://127.0.0.1:23805"],"isLearner":true},"members":[{"ID":3319814642761637952,"name":"n1","peerURLs":["http://127.0.0.1:23800"],"clientURLs":["http://127.0.0.1:23790"]},{"ID":5310585574174358685,"peerURLs":["http://127.0.0.1:23805"],"isLearner":true}]}\n',
        ),
      ),
    );
    // etcd printed "Member 680a9198c24ab1f8 added to cluster  48276a8f75b6a87": %16x pads.
    expect(print('member add n4 --learner', r)).toBe(
      [
        'Member                4 added to cluster         48276a8f',
        '',
        'ETCD_NAME="n4"',
        'ETCD_INITIAL_CLUSTER="n1=http://n1:2380,n4=http://n4:2380"',
        'ETCD_INITIAL_ADVERTISE_PEER_URLS="http://n4:2380"',
        'ETCD_INITIAL_CLUSTER_STATE="existing"',
        '',
      ].join('\n'),
    );
  });

  it('remove and promote', () => {
    const r = ok('memberRemove', { header: listHeader, members: [n1] });
    expect(print('member remove 4', r)).toBe(
      'Member                4 removed from cluster         48276a8f\n',
    );
    expect(print('member remove 4 -w json', r)).toBe(
      addrs(
        fromEtcd(
          '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"raft_term":2},"members":[{"ID":3319814642761637952,"name":"n1","peerURLs":["http://127.0.0.1:23800"],"clientURLs":["http://127.0.0.1:23790"]}]}\n',
        ),
      ),
    );
    expect(
      print('member promote 4', ok('memberPromote', { header: listHeader, members: [n1] })),
    ).toBe('Member                4 promoted in cluster         48276a8f\n');
  });
});

describe('endpoint status and move-leader', () => {
  const status = {
    header: header(12),
    version: '3.4.23',
    dbSize: 20480,
    leader: 1,
    raftIndex: 22,
    raftTerm: 2,
    raftAppliedIndex: 22,
    isLearner: false,
  };
  it('endpoint status: one row, the endpoint being the node', () => {
    const r = ok('status', status);
    expect(print('endpoint status', r)).toBe(
      fromEtcd(
        '127.0.0.1:23790, 2e1259d415f2a040, 3.4.23, 20 kB, true, false, 2, 22, 22, \n',
      ).replace('127.0.0.1:23790', 'n1'),
    );
    // etcd 3.4.23 adds dbSizeInUse, which raftlab's status does not have.
    expect(print('endpoint status -w json', r)).toBe(
      fromEtcd(
        '[{"Endpoint":"127.0.0.1:23790","Status":{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":12,"raft_term":2},"version":"3.4.23","dbSize":20480,"leader":3319814642761637952,"raftIndex":22,"raftTerm":2,"raftAppliedIndex":22}}]\n',
      ).replace('127.0.0.1:23790', 'n1'),
    );
  });

  it('endpoint status -w table, as tablewriter draws it', () => {
    const etcd = [
      '+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+',
      '|    ENDPOINT     |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |',
      '+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+',
      '| 127.0.0.1:23790 | 2e1259d415f2a040 |  3.4.23 |   20 kB |      true |      false |         2 |         19 |                 19 |        |',
      '+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+',
    ];
    const r = ok('status', { ...status, raftIndex: 19, raftAppliedIndex: 19 });
    const text = print('endpoint status -w table', r);
    expect(text.split('\n')[3]).toBe(
      '|       n1 |  1 |  3.4.23 |   20 kB |      true |      false |         2 |         19 |                 19 |        |',
    );
    const headers = etcd[1]!
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const row = etcd[3]!
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    expect(table(headers, [row])).toBe(etcd.join('\n') + '\n');
  });

  it('move-leader', () => {
    const r = ok('moveLeader', { header: header(12) });
    expect(print('move-leader 3', r)).toBe('Leadership transferred from 1 to 3\n');
    expect(print('move-leader 3 -w json', r)).toBe(
      fromEtcd(
        '{"header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":12,"raft_term":2}}\n',
      ),
    );
  });

  it('humanizes sizes as go-humanize does', () => {
    expect(humanizeBytes(0)).toBe('0 B');
    expect(humanizeBytes(9)).toBe('9 B');
    expect(humanizeBytes(20480)).toBe('20 kB');
    expect(humanizeBytes(25000)).toBe('25 kB');
    expect(humanizeBytes(1500)).toBe('1.5 kB');
    expect(humanizeBytes(2_500_000)).toBe('2.5 MB');
  });
});
