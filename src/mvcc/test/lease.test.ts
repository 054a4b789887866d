// Leases, checked against etcd 3.4.23 (default minimum TTL 2 s).
import { describe, expect, it } from 'vitest';
import { b, errorOf, kv, newStore } from './util';

const NOT_FOUND = { message: 'etcdserver: requested lease not found', code: 5 };

describe('leases', () => {
  it('grant: minimum TTL, too large TTL, existing ID, chosen IDs', () => {
    const { store } = newStore();
    // etcd: grant TTL 1 -> TTL 2; TTL 0 and -5 -> 2
    expect(store.leaseGrant({ ID: 100, TTL: 1 })).toEqual({
      header: { revision: 1 },
      ID: 100,
      TTL: 2,
    });
    expect(store.leaseGrant({ ID: 101, TTL: 0 }).TTL).toBe(2);
    expect(store.leaseGrant({ ID: 102, TTL: -5 }).TTL).toBe(2);
    // etcd: "etcdserver: lease already exists" (9); "etcdserver: too large lease TTL" (11)
    expect(errorOf(() => store.leaseGrant({ ID: 100, TTL: 60 }))).toEqual({
      message: 'etcdserver: lease already exists',
      code: 9,
    });
    expect(errorOf(() => store.leaseGrant({ ID: 103, TTL: 9000000001 }))).toEqual({
      message: 'etcdserver: too large lease TTL',
      code: 11,
    });
    // TTL is checked before existence (lessor.Grant)
    expect(errorOf(() => store.leaseGrant({ ID: 100, TTL: 9000000001 }))?.code).toBe(11);
    expect(store.leaseGrant({ ID: 104, TTL: 9000000000 }).TTL).toBe(9000000000);
    expect(store.leaseGrant({ ID: -7, TTL: 60 }).ID).toBe(-7);
    const auto = store.leaseGrant({ TTL: 60 });
    expect(auto.ID).toBeGreaterThan(0);
    expect(store.leaseGrant({ TTL: 60, ID: 0 }).ID).not.toBe(auto.ID);
    expect(store.revision).toBe(1);
  });

  it('lists leases by expiry', () => {
    const { store, clock } = newStore();
    store.leaseGrant({ ID: 104, TTL: 9000 });
    store.leaseGrant({ ID: 100, TTL: 5 });
    clock.now = 1000;
    store.leaseGrant({ ID: 7, TTL: 60 });
    store.leaseGrant({ ID: 8, TTL: 5 });
    expect(store.leaseLeases()).toEqual({
      header: { revision: 1 },
      leases: [{ ID: 100 }, { ID: 8 }, { ID: 7 }, { ID: 104 }],
    });
  });

  it('revoke deletes every attached key in one revision', () => {
    const { store } = newStore();
    store.leaseGrant({ ID: 104, TTL: 600 });
    store.put({ key: b('l1'), value: b('v'), lease: 104 }); // 2
    store.put({ key: b('l0'), value: b('v'), lease: 104 }); // 3
    store.put({ key: b('l2'), value: b('v'), lease: 104 }); // 4
    store.put({ key: b('other'), value: b('o') }); // 5
    // etcd: timetolive with keys lists l1, l0, l2 (map order); the store sorts them
    expect(store.leaseTimeToLive({ ID: 104, keys: true })).toEqual({
      header: { revision: 5 },
      ID: 104,
      TTL: 600,
      grantedTTL: 600,
      keys: [b('l0'), b('l1'), b('l2')],
    });
    // etcd: put ignore_lease keeps lease 104 (prev_kv shows it)
    expect(store.put({ key: b('l2'), value: b('w'), ignore_lease: true, prev_kv: true })).toEqual({
      header: { revision: 6 },
      prev_kv: kv('l2', 'v', 4, 4, 1, 104),
    });
    const events: unknown[] = [];
    store.watch({ key: b('l'), range_end: b('m') }, (r) => events.push(r));
    // etcd: revoke -> {"header":{"revision":"7"}}, l0, l1, l2 deleted at 7 (subs in key order)
    expect(store.leaseRevoke({ ID: 104 })).toEqual({ header: { revision: 7 } });
    expect(store.range({ key: b('l'), range_end: b('m') }).kvs).toEqual([]);
    expect(store.range({ key: b('other') }).count).toBe(1);
    expect(events).toEqual([
      {
        header: { revision: 7 },
        events: ['l0', 'l1', 'l2'].map((k) => ({
          type: 'DELETE',
          kv: {
            key: b(k),
            create_revision: 0,
            mod_revision: 7,
            version: 0,
            value: b(''),
            lease: 0,
          },
        })),
      },
    ]);
    expect(errorOf(() => store.leaseRevoke({ ID: 104 }))).toEqual(NOT_FOUND);
    // revoking a lease without keys makes no revision
    store.leaseGrant({ ID: 1, TTL: 10 });
    expect(store.leaseRevoke({ ID: 1 })).toEqual({ header: { revision: 7 } });
  });

  it('moving a key to another lease or deleting it detaches it', () => {
    const { store } = newStore();
    store.leaseGrant({ ID: 1, TTL: 10 });
    store.leaseGrant({ ID: 2, TTL: 10 });
    store.put({ key: b('a'), value: b('1'), lease: 1 });
    store.put({ key: b('b'), value: b('1'), lease: 1 });
    store.put({ key: b('a'), value: b('2'), lease: 2 });
    store.put({ key: b('b'), value: b('2') });
    expect(store.leaseTimeToLive({ ID: 1, keys: true }).keys).toBeUndefined();
    expect(store.leaseTimeToLive({ ID: 2, keys: true }).keys).toEqual([b('a')]);
    store.deleteRange({ key: b('a') });
    expect('keys' in store.leaseTimeToLive({ ID: 2, keys: true })).toBe(false);
    store.put({ key: b('a'), value: b('3') });
    const rev = store.revision;
    store.leaseRevoke({ ID: 2 });
    expect(store.revision).toBe(rev);
    expect(store.range({ key: b('a') }).count).toBe(1);
  });

  it('time to live, keepalive and expiry follow the clock', () => {
    const { store, clock } = newStore();
    store.leaseGrant({ ID: 5, TTL: 10 });
    store.put({ key: b('k'), value: b('v'), lease: 5 }); // 2
    clock.now = 2500;
    expect(store.leaseTimeToLive({ ID: 5 })).toEqual({
      header: { revision: 2 },
      ID: 5,
      TTL: 7,
      grantedTTL: 10,
    });
    // etcd: timetolive of a missing lease -> TTL -1; keepalive of a missing lease -> TTL 0 (no error)
    expect(store.leaseTimeToLive({ ID: 999 })).toEqual({
      header: { revision: 2 },
      ID: 999,
      TTL: -1,
      grantedTTL: 0,
    });
    expect(store.leaseKeepAlive({ ID: 999 })).toEqual({ header: { revision: 2 }, ID: 999, TTL: 0 });
    expect(store.leaseKeepAlive({ ID: 5 })).toEqual({ header: { revision: 2 }, ID: 5, TTL: 10 });
    clock.now = 12_000;
    expect(store.expireLeases()).toEqual([]);
    expect(store.leaseTimeToLive({ ID: 5 }).TTL).toBe(0);
    clock.now = 12_500;
    // expired but not yet revoked: keepalive cannot renew it
    expect(store.leaseKeepAlive({ ID: 5 }).TTL).toBe(0);
    store.leaseGrant({ ID: 6, TTL: 5 });
    store.put({ key: b('j'), value: b('v'), lease: 6 }); // 3
    expect(store.expireLeases()).toEqual([5]);
    expect(store.revision).toBe(4);
    expect(store.range({ key: b('k') }).count).toBe(0);
    expect(store.range({ key: b('j') }).count).toBe(1);
    clock.now = 100_000;
    store.leaseGrant({ ID: 7, TTL: 5 });
    clock.now = 200_000;
    expect(store.expireLeases()).toEqual([6, 7]);
    expect(store.revision).toBe(5);
    expect(store.leaseLeases().leases).toEqual([]);
  });

  it('put with a missing lease fails and changes nothing', () => {
    const { store } = newStore();
    expect(errorOf(() => store.put({ key: b('k'), value: b('v'), lease: 5 }))).toEqual(NOT_FOUND);
    expect(store.revision).toBe(1);
  });
});

describe('promoteLeases', () => {
  it('restarts every lease from now plus the extension', () => {
    const { store, clock } = newStore();
    store.leaseGrant({ ID: 1, TTL: 10 });
    store.put({ key: b('k'), value: b('v'), lease: 1 });
    clock.now = 60_000; // long expired from this node's view
    store.promoteLeases(1000);
    expect(store.expireLeases()).toEqual([]);
    expect(store.leaseTimeToLive({ ID: 1 }).TTL).toBe(11);
    clock.now = 71_000;
    expect(store.expireLeases()).toEqual([1]);
    expect(store.range({ key: b('k') }).count).toBe(0);
  });
});
