import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../sim/conductor';
import { ACTIONS } from '../../sim/actions';
import {
  EVENT_CATEGORIES,
  NARRATED_KINDS,
  categorize,
  isNotable,
  messageCategory,
  type EventCategory,
} from './index';

const rec = (kind: string, fields: Record<string, unknown> = {}): TraceRecord => ({
  atUs: 0,
  kind,
  ...fields,
});

describe('categorize', () => {
  it('puts each kind of record in its category', () => {
    const cases: [TraceRecord, EventCategory][] = [
      [rec('state', { node: 1, to: 'StateCandidate' }), 'election'],
      [rec('leader-change', { node: 1, from: 0, to: 2 }), 'election'],
      [rec('transfer-leader', { node: 1, to: 2 }), 'election'],
      [rec('send', { type: 'MsgVote' }), 'election'],
      [rec('recv', { type: 'MsgPreVoteResp' }), 'election'],
      [rec('send', { type: 'MsgTimeoutNow' }), 'election'],
      [rec('send', { type: 'MsgApp' }), 'replication'],
      [rec('recv', { type: 'MsgAppResp' }), 'replication'],
      [rec('send', { type: 'MsgProp' }), 'replication'],
      [rec('persist', { entries: 1 }), 'replication'],
      [rec('durable', { writeId: 1 }), 'replication'],
      [rec('propose', { method: 'put' }), 'replication'],
      [rec('apply', { method: 'put' }), 'replication'],
      [rec('send', { type: 'MsgHeartbeat' }), 'heartbeat'],
      [rec('recv', { type: 'MsgHeartbeatResp' }), 'heartbeat'],
      [rec('send', { type: 'MsgReadIndex' }), 'read'],
      [rec('read-index'), 'read'],
      [rec('read-state'), 'read'],
      [rec('read-served'), 'read'],
      [rec('request'), 'client'],
      [rec('response'), 'client'],
      [rec('request-lost'), 'client'],
      [rec('auth'), 'client'],
      [rec('send', { type: 'MsgForward' }), 'client'],
      [rec('lock'), 'storage'],
      [rec('snapshot'), 'storage'],
      [rec('snapshot-restored'), 'storage'],
      [rec('snapshot-failed'), 'storage'],
      [rec('send', { type: 'MsgSnap' }), 'storage'],
      [rec('crash'), 'fault'],
      [rec('node-start', { epoch: 3 }), 'fault'],
      [rec('node-start', { epoch: 1 }), 'other'],
      [rec('pause'), 'fault'],
      [rec('resume'), 'fault'],
      [rec('slow-disk'), 'fault'],
      [rec('start-failed'), 'fault'],
      [rec('drop', { type: 'MsgApp' }), 'fault'],
      [rec('graceful-stop'), 'fault'],
      [rec('action', { label: 'cut' }), 'fault'],
      [rec('action', { label: 'partition' }), 'fault'],
      [rec('action', { label: 'put' }), 'client'],
      [rec('action', { label: 'add-member' }), 'membership'],
      [rec('action', { label: 'transfer-leader' }), 'election'],
      [rec('apply-conf'), 'membership'],
      [rec('propose-conf'), 'membership'],
      [rec('membership-refused'), 'membership'],
      [rec('node-added'), 'membership'],
      [rec('removed'), 'membership'],
      [rec('lease-expired'), 'lease'],
      [rec('propose', { method: 'leaseGrant' }), 'lease'],
      [rec('apply', { method: 'leaseRevoke' }), 'lease'],
      [rec('step-refused'), 'other'],
      [rec('action-failed'), 'other'],
      [rec('send', { type: 'MsgFuture' }), 'other'],
      [rec('something-new'), 'other'],
    ];
    for (const [r, category] of cases) expect([r, categorize(r)]).toEqual([r, category]);
  });

  it('gives every narrated kind and every action a category from the fixed set', () => {
    for (const kind of NARRATED_KINDS) expect(EVENT_CATEGORIES).toContain(categorize(rec(kind)));
    for (const label of Object.keys(ACTIONS)) {
      expect([label, categorize(rec('action', { label }))]).not.toEqual([label, 'other']);
    }
    expect(messageCategory(undefined)).toBe('other');
    expect(messageCategory('constructor')).toBe('other');
  });
});

describe('isNotable', () => {
  it('keeps the story and leaves out steady traffic', () => {
    const notable = [
      rec('state', { node: 1, to: 'StateLeader' }),
      rec('leader-change', { node: 2, from: 0, to: 1 }),
      rec('send', { type: 'MsgVote' }),
      rec('send', { type: 'MsgPreVoteResp' }),
      rec('send', { type: 'MsgTimeoutNow' }),
      rec('send', { type: 'MsgSnap' }),
      rec('drop', { type: 'MsgVote' }),
      rec('crash'),
      rec('node-start', { epoch: 1 }),
      rec('request', { clientId: 0 }),
      rec('response', { clientId: 1 }),
      rec('request-lost', { clientId: 1000 }),
      rec('action', { label: 'crash' }),
      rec('apply-conf'),
      rec('membership-refused'),
      rec('lease-expired'),
      rec('snapshot'),
      rec('action-failed'),
    ];
    const quiet = [
      rec('leader-change', { node: 1, from: 0, to: 1 }), // its 'state' record tells it
      rec('leader-change', { node: 1, from: 1, to: 0 }),
      rec('send', { type: 'MsgApp' }),
      rec('send', { type: 'MsgHeartbeat' }),
      rec('recv', { type: 'MsgVote' }),
      rec('drop', { type: 'MsgHeartbeat' }),
      rec('drop', { type: 'MsgAppResp' }),
      rec('lock'),
      rec('persist'),
      rec('durable'),
      rec('apply'),
      rec('propose'),
      rec('read-index'),
      rec('read-served'),
      rec('auth'),
      rec('request', { clientId: 1000 }),
      rec('response', { clientId: 2003 }),
      rec('request'),
      rec('action', { label: 'arrival' }),
      rec('action', { label: 'client-start' }),
      rec('step-refused'),
      rec('something-new'),
    ];
    for (const r of notable) expect([r, isNotable(r)]).toEqual([r, true]);
    for (const r of quiet) expect([r, isNotable(r)]).toEqual([r, false]);
  });
});
