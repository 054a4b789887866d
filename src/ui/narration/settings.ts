// Settings in words: a settings change (the cluster's 'settings' record, in ClusterSettings
// fields), what one node took up (its 'configured' record, in the fields of its spec), and the
// category each field tells a story of. The playground's settings panel says what is in effect
// with the same words.
import type { EventCategory } from './categorize';
import { humanizeBytes } from '../../etcdctl/format';
import { duration, num, plainText, str } from './words';

const onOff = (v: unknown) => (v === true ? 'on' : v === false ? 'off' : undefined);
const ms = (v: unknown) => (num(v) === undefined ? undefined : `${num(v)} ms`);
const word = (v: unknown) => (str(v) === undefined ? undefined : plainText(str(v)!, 40));
const plain = (v: unknown) => (num(v) === undefined ? undefined : String(num(v)));
const us = (v: unknown) => (num(v) === undefined ? undefined : duration(num(v)!));
const bytes = (v: unknown) => (num(v) === undefined ? undefined : humanizeBytes(num(v)!));
const ticks = (v: unknown) => (num(v) === undefined ? undefined : `${num(v)} ticks`);

type Field = [label: string, value: (v: unknown) => string | undefined, category: EventCategory];

/** ClusterSettings fields a run may change, in the order the settings panel shows them. */
const SETTING_FIELDS: ReadonlyMap<string, Field> = new Map<string, Field>([
  ['heartbeatMs', ['heartbeat interval', ms, 'election']],
  ['electionTimeoutMs', ['election timeout', ms, 'election']],
  ['preVote', ['PreVote', onOff, 'election']],
  ['checkQuorum', ['CheckQuorum', onOff, 'election']],
  ['readPath', ['read path', word, 'read']],
  ['lockMode', ['lock mode', word, 'storage']],
  ['batchIntervalMs', ['batch interval', ms, 'storage']],
  ['batchLimit', ['batch limit', plain, 'storage']],
  ['quotaBackendBytes', ['space quota', bytes, 'storage']],
  ['freelistType', ['freelist', word, 'storage']],
  ['fsyncMs', ['fsync latency', ms, 'storage']],
  ['fsyncJitterMs', ['fsync jitter', ms, 'storage']],
  ['networkLatencyMs', ['network latency', ms, 'fault']],
  ['networkJitterMs', ['network jitter', ms, 'fault']],
  ['clientLatencyMs', ['client latency', ms, 'client']],
  ['networkLoss', ['message loss', plain, 'fault']],
  ['authMode', ['auth', word, 'client']],
  ['bcryptCost', ['bcrypt cost', plain, 'client']],
]);

/** A node spec's fields, as a 'configure' request carries them (src/server/requests.ts). */
const NODE_FIELDS: ReadonlyMap<string, Field> = new Map<string, Field>([
  ['tickUs', ['a tick (heartbeat) every', us, 'election']],
  ['electionTicks', ['election timeout', ticks, 'election']],
  ['preVote', ['PreVote', onOff, 'election']],
  ['checkQuorum', ['CheckQuorum', onOff, 'election']],
  ['readPath', ['read path', word, 'read']],
  ['requestTimeoutUs', ['request timeout', us, 'client']],
  ['quotaBackendBytes', ['space quota', bytes, 'storage']],
  [
    'backend',
    [
      'backend',
      (v) => {
        const b = v as {
          lockMode?: unknown;
          batchIntervalMs?: unknown;
          batchLimit?: unknown;
          freelistType?: unknown;
        };
        if (typeof v !== 'object' || v === null) return undefined;
        return `${word(b.lockMode) ?? '?'} locks, a batch every ${ms(b.batchIntervalMs) ?? '?'} or ${plain(b.batchLimit) ?? '?'} writes, ${word(b.freelistType) ?? '?'} freelist`;
      },
      'storage',
    ],
  ],
  [
    'auth',
    [
      'auth',
      (v) => {
        const a = v as { mode?: unknown; bcryptCost?: unknown };
        if (typeof v !== 'object' || v === null) return undefined;
        return a.mode === 'bcrypt' ? `bcrypt (cost ${plain(a.bcryptCost) ?? '?'})` : word(a.mode);
      },
      'client',
    ],
  ],
]);

function describe(record: object, table: ReadonlyMap<string, Field>): string {
  const fields = record as Record<string, unknown>;
  const parts: string[] = [];
  for (const [key, [label, value]] of table) {
    const v = key in fields ? value(fields[key]) : undefined;
    if (v !== undefined) parts.push(`${label} ${v}`);
  }
  return parts.join(', ');
}

/** "heartbeat interval 50 ms, PreVote off": the settings fields of `fields` in words. */
export function describeSettings(fields: object): string {
  return describe(fields, SETTING_FIELDS);
}

/** A 'configure' request's fields in words: what a node runs with now. */
export function describeNodeSettings(fields: object): string {
  return describe(fields, NODE_FIELDS);
}

/** The category of a settings record: that of the first setting it changes. */
export function settingsCategory(r: Record<string, unknown>): EventCategory {
  const table = r.kind === 'configured' ? NODE_FIELDS : SETTING_FIELDS;
  for (const key of Object.keys(r)) {
    const f = table.get(key);
    if (f) return f[2];
  }
  return 'other';
}
