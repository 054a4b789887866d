// Conf changes travel in log entries as bytes. We encode them as JSON (readable in traces);
// an empty payload in an EntryConfChangeV2 is the empty change that leaves a joint config.
import type { ConfChange, ConfChangeSingle, ConfChangeV2, Entry } from '../types';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const changeTypes = new Set([
  'ConfChangeAddNode',
  'ConfChangeRemoveNode',
  'ConfChangeUpdateNode',
  'ConfChangeAddLearnerNode',
]);
const transitions = new Set([
  'ConfChangeTransitionAuto',
  'ConfChangeTransitionJointImplicit',
  'ConfChangeTransitionJointExplicit',
]);

export function isConfChangeV2(cc: ConfChange | ConfChangeV2): cc is ConfChangeV2 {
  return 'changes' in cc;
}

function checkSingle(c: ConfChangeSingle, what: string): void {
  if (!changeTypes.has(c.type))
    throw new Error(`${what}: unknown conf change type ${String(c.type)}`);
  if (!Number.isInteger(c.nodeId) || c.nodeId < 0) {
    throw new Error(`${what}: node id must be a non-negative integer, got ${String(c.nodeId)}`);
  }
}

/** Throws a descriptive error if `cc` is malformed. */
export function validateConfChange(cc: ConfChange | ConfChangeV2): void {
  if (isConfChangeV2(cc)) {
    if (!transitions.has(cc.transition)) {
      throw new Error(`invalid conf change transition ${String(cc.transition)}`);
    }
    if (!Array.isArray(cc.changes)) throw new Error('ConfChangeV2.changes must be an array');
    cc.changes.forEach((c, i) => checkSingle(c, `ConfChangeV2.changes[${i}]`));
  } else {
    checkSingle(cc, 'ConfChange');
  }
}

export function asV2(cc: ConfChange | ConfChangeV2): ConfChangeV2 {
  if (isConfChangeV2(cc)) return cc;
  return {
    transition: 'ConfChangeTransitionAuto',
    changes: [{ type: cc.type, nodeId: cc.nodeId }],
    context: cc.context,
  };
}

/** An empty V2 change (auto transition, no changes) means "leave the joint config". */
export function leaveJoint(cc: ConfChangeV2): boolean {
  return cc.transition === 'ConfChangeTransitionAuto' && cc.changes.length === 0;
}

/** Whether `cc` must go through a joint config, and if so whether it leaves it by itself. */
export function enterJoint(cc: ConfChangeV2): { autoLeave: boolean } | undefined {
  // Auto with a single change can be done simply; anything else needs joint consensus.
  if (cc.transition !== 'ConfChangeTransitionAuto' || cc.changes.length > 1) {
    return { autoLeave: cc.transition !== 'ConfChangeTransitionJointExplicit' };
  }
  return undefined;
}

const ctxToArray = (c: Uint8Array | undefined): number[] | undefined =>
  c && c.length > 0 ? Array.from(c) : undefined;

export function encodeConfChange(cc: ConfChange | ConfChangeV2): Uint8Array {
  if (isConfChangeV2(cc)) {
    if (leaveJoint(cc) && (cc.context === undefined || cc.context.length === 0)) {
      return new Uint8Array(0);
    }
    const o = { transition: cc.transition, changes: cc.changes, context: ctxToArray(cc.context) };
    return encoder.encode(JSON.stringify(o));
  }
  const o = { type: cc.type, nodeId: cc.nodeId, context: ctxToArray(cc.context) };
  return encoder.encode(JSON.stringify(o));
}

/** Turns a conf-change entry's data back into the change it carries. */
export function decodeConfChange(entry: Entry): ConfChange | ConfChangeV2 {
  if (entry.type === 'EntryConfChangeV2') {
    if (entry.data.length === 0) return { transition: 'ConfChangeTransitionAuto', changes: [] };
    const o = JSON.parse(decoder.decode(entry.data)) as {
      transition: ConfChangeV2['transition'];
      changes: ConfChangeSingle[];
      context?: number[];
    };
    const cc: ConfChangeV2 = { transition: o.transition, changes: o.changes };
    if (o.context) cc.context = Uint8Array.from(o.context);
    validateConfChange(cc);
    return cc;
  }
  if (entry.type === 'EntryConfChange') {
    const o = JSON.parse(decoder.decode(entry.data)) as ConfChange & { context?: number[] };
    const cc: ConfChange = { type: o.type, nodeId: o.nodeId };
    if (o.context) cc.context = Uint8Array.from(o.context);
    validateConfChange(cc);
    return cc;
  }
  throw new Error(`entry ${entry.index} is ${entry.type}, not a conf change`);
}
