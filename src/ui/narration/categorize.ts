// Sorting trace records for the event feed: a small fixed set of categories (the feed's filters,
// and "step to the next event of a kind"), and which records deserve a line by default.
import type { TraceRecord } from '../../sim/conductor';
import { settingsCategory } from './settings';
import { num, str } from './words';

export const EVENT_CATEGORIES = [
  'election',
  'replication',
  'heartbeat',
  'read',
  'client',
  'storage',
  'fault',
  'membership',
  'lease',
  'other',
] as const;

/**
 * - election: role changes, leader changes, votes and pre-votes, leadership transfer
 * - replication: MsgApp and MsgProp, proposals, persist, durable, apply
 * - heartbeat: MsgHeartbeat and its response
 * - read: ReadIndex rounds, read states, reads served, MsgReadIndex
 * - client: requests, responses, authentication, forwarded calls, client actions
 * - storage: backend lock events, snapshots, MsgSnap
 * - fault: crash, restart, pause, resume, slow disk, dropped messages, cut and partition actions,
 *   a node that fails to start, a graceful stop
 * - membership: configuration changes proposed, applied or refused; members added and removed
 * - lease: lease expiry, and proposals and applies of LeaseGrant and LeaseRevoke
 * - other: everything else (a refused step, a failed action, a kind this version does not know)
 */
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

const MESSAGE_CATEGORY: ReadonlyMap<string, EventCategory> = new Map<string, EventCategory>([
  ['MsgVote', 'election'],
  ['MsgVoteResp', 'election'],
  ['MsgPreVote', 'election'],
  ['MsgPreVoteResp', 'election'],
  ['MsgTimeoutNow', 'election'],
  ['MsgTransferLeader', 'election'],
  ['MsgApp', 'replication'],
  ['MsgAppResp', 'replication'],
  ['MsgProp', 'replication'],
  ['MsgHeartbeat', 'heartbeat'],
  ['MsgHeartbeatResp', 'heartbeat'],
  ['MsgReadIndex', 'read'],
  ['MsgReadIndexResp', 'read'],
  ['MsgSnap', 'storage'],
  ['MsgSnapStatus', 'storage'],
  ['MsgForward', 'client'],
  ['MsgForwardResp', 'client'],
]);

const KIND_CATEGORY: ReadonlyMap<string, EventCategory> = new Map<string, EventCategory>([
  ['state', 'election'],
  ['leader-change', 'election'],
  ['transfer-leader', 'election'],
  ['persist', 'replication'],
  ['durable', 'replication'],
  ['tick-missed', 'heartbeat'],
  ['apply', 'replication'],
  ['propose', 'replication'],
  ['read', 'read'],
  ['read-index', 'read'],
  ['read-state', 'read'],
  ['read-served', 'read'],
  ['request', 'client'],
  ['response', 'client'],
  ['request-lost', 'client'],
  ['auth', 'client'],
  ['etcdctl', 'client'],
  ['etcdctl-interrupt', 'client'],
  ['client-load', 'client'],
  ['proxy-request', 'client'],
  ['proxy-response', 'client'],
  ['proxy-cache', 'client'],
  ['proxy-watchers', 'client'],
  ['proxy-coalesce', 'client'],
  ['proxy-fanout', 'client'],
  ['lock', 'storage'],
  ['snapshot', 'storage'],
  ['snapshot-restored', 'storage'],
  ['snapshot-failed', 'storage'],
  ['snapshot-saved', 'storage'],
  ['cluster-restored', 'storage'],
  ['crash', 'fault'],
  ['pause', 'fault'],
  ['resume', 'fault'],
  ['slow-disk', 'fault'],
  ['start-failed', 'fault'],
  ['drop', 'fault'],
  ['graceful-stop', 'fault'],
  ['apply-conf', 'membership'],
  ['propose-conf', 'membership'],
  ['membership-refused', 'membership'],
  ['node-added', 'membership'],
  ['removed', 'membership'],
  ['lease-expired', 'lease'],
  ['invariant-violated', 'fault'],
]);

/** Actions by their label (src/sim/actions.ts, and run-scenario's workload arrivals). */
const ACTION_CATEGORY: ReadonlyMap<string, EventCategory> = new Map<string, EventCategory>([
  ['crash', 'fault'],
  ['restart', 'fault'],
  ['pause', 'fault'],
  ['resume', 'fault'],
  ['cut', 'fault'],
  ['heal', 'fault'],
  ['partition', 'fault'],
  ['heal-all', 'fault'],
  ['crash-leader', 'fault'],
  ['isolate-leader', 'fault'],
  ['slow-disk-leader', 'fault'],
  ['restart-all', 'fault'],
  ['resume-all', 'fault'],
  ['slow-disk', 'fault'],
  ['set-network', 'fault'],
  ['set-disk', 'storage'],
  ['set-timing', 'election'],
  ['set-read-path', 'read'],
  ['set-backend', 'storage'],
  ['set-auth', 'client'],
  ['drop-message', 'fault'],
  ['duplicate-message', 'fault'],
  ['campaign', 'election'],
  ['lease-put', 'lease'],
  ['graceful-stop', 'fault'],
  ['graceful-stop-leader', 'fault'],
  ['put', 'client'],
  ['get', 'client'],
  ['etcdctl', 'client'],
  ['etcdctl-interrupt', 'client'],
  ['delete', 'client'],
  ['arrival', 'client'],
  ['client-start', 'client'],
  ['watcher-start', 'client'],
  ['client-retry', 'client'],
  ['start-workload', 'client'],
  ['stop-workload', 'client'],
  ['add-member', 'membership'],
  ['start-member', 'membership'],
  ['remove-member', 'membership'],
  ['promote-member', 'membership'],
  ['transfer-leader', 'election'],
  ['snapshot-save', 'storage'],
  ['snapshot-restore', 'storage'],
]);

const LEASE_METHODS: ReadonlySet<string> = new Set(['leaseGrant', 'leaseRevoke']);

/** The category of a message type; 'other' for a type raftlab does not know. */
export function messageCategory(type: unknown): EventCategory {
  return (typeof type === 'string' && MESSAGE_CATEGORY.get(type)) || 'other';
}

export function categorize(r: TraceRecord): EventCategory {
  switch (r.kind) {
    case 'duplicate':
      return 'fault';
    case 'send':
    case 'recv':
      return messageCategory(r.type);
    case 'node-start':
      // A first start is the cluster booting (or a new member); a later one is a restart.
      return (num(r.epoch) ?? 1) > 1 ? 'fault' : 'other';
    case 'action':
      return ACTION_CATEGORY.get(str(r.label) ?? '') ?? 'other';
    case 'propose':
    case 'apply':
      return LEASE_METHODS.has(str(r.method) ?? '') ? 'lease' : 'replication';
    case 'settings':
    case 'configured':
      return settingsCategory(r);
    default:
      return KIND_CATEGORY.get(r.kind) ?? 'other';
  }
}

/**
 * Client ids from here up are workload clients (run-scenario.ts); below are people and actions,
 * and client 0, the cluster's own (settings changes reach the nodes from it).
 */
export const FIRST_WORKLOAD_CLIENT = 1000;

const NOTABLE_KINDS: ReadonlySet<string> = new Set([
  'state',
  'transfer-leader',
  'graceful-stop',
  'node-start',
  'start-failed',
  'node-added',
  'crash',
  'pause',
  'resume',
  'slow-disk',
  'request-lost',
  'apply-conf',
  'propose-conf',
  'membership-refused',
  'removed',
  'lease-expired',
  'snapshot',
  'snapshot-restored',
  'snapshot-failed',
  'snapshot-saved',
  'cluster-restored',
  'action-failed',
  'etcdctl',
  'invariant-violated',
  'settings',
  'configured',
]);

/** Sends worth a line: the ones that tell an election or a catch-up, not the steady traffic. */
const NOTABLE_SENDS: ReadonlySet<string> = new Set([
  'MsgVote',
  'MsgVoteResp',
  'MsgPreVote',
  'MsgPreVoteResp',
  'MsgTimeoutNow',
  'MsgSnap',
]);

/**
 * Whether `r` gets a line in the feed by default. Steady traffic stays out: heartbeats,
 * replication, receipts, lock events, each step of a read, and the requests of workload clients.
 * What changes the story stays in: role changes, nodes learning of a new leader (a node's own
 * rise or fall is its 'state' record), election messages, faults, drops of anything but
 * heartbeats and appends, membership, snapshots, lease expiry, and the requests of people and
 * actions (client ids below FIRST_WORKLOAD_CLIENT).
 */
export function isNotable(r: TraceRecord): boolean {
  switch (r.kind) {
    case 'send':
      return NOTABLE_SENDS.has(str(r.type) ?? '');
    case 'drop': {
      if (r.reason === 'user') return true; // dropped by hand: always news
      const c = messageCategory(r.type);
      return c !== 'heartbeat' && c !== 'replication';
    }
    case 'request':
    case 'response': {
      // A settings change is told by its 'settings' and 'configured' records, not its requests.
      if (r.method === 'configure' || (r.kind === 'response' && r.clientId === 0 && r.ok === true))
        return false;
      const client = num(r.clientId);
      return client !== undefined && client < FIRST_WORKLOAD_CLIENT;
    }
    case 'leader-change':
      // A node's own rise or fall is told by its 'state' record; others learning of it is news.
      return r.to !== r.node && r.from !== r.node;
    case 'action': {
      const label = str(r.label);
      return (
        label !== undefined &&
        label !== 'arrival' &&
        label !== 'client-start' &&
        label !== 'watcher-start'
      );
    }
    default:
      return NOTABLE_KINDS.has(r.kind);
  }
}
