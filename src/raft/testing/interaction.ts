// A replayer for etcd-io/raft's interaction test scripts (rafttest's datadriven format), so the
// core can be checked against traces recorded from etcd itself. It drives RawNodes the way
// rafttest's InteractionEnv does and prints Readies and messages in etcd's Describe* format.
// Comparison ignores log lines (INFO/DEBUG/...), which are etcd's logger output, not behaviour.
// The scripts are etcd's and not part of this repository: run `npm run raft:replay -- <dir>`.
import { decodeConfChange } from '../confchange';
import { ProposalDroppedError, StepLocalMsgError, StepPeerNotFoundError } from '../errors';
import { RawNode } from '../rawnode';
import { MemoryStorage, isEmptySnap } from '../storage';
import type { Storage } from '../storage';
import type {
  ConfChangeSingle,
  ConfChangeType,
  ConfChangeV2,
  ConfState,
  Entry,
  HardState,
  Message,
  MessageType,
  Ready,
  Snapshot,
} from '../types';
import { EMPTY_BYTES } from '../util';

interface Arg {
  key: string;
  vals: string[];
}

interface Block {
  line: number;
  cmd: string;
  args: Arg[];
  input: string[];
  expected: string;
}

/** Parses a datadriven file into command blocks. */
export function parseScript(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i] as string;
    if (l.trim() === '' || l.startsWith('#')) {
      i++;
      continue;
    }
    const start = i;
    const cmdLines: string[] = [];
    while (i < lines.length && lines[i] !== '----') cmdLines.push(lines[i++] as string);
    i++; // ----
    let expected: string[] = [];
    if (lines[i] === '----') {
      // Double separator: output may hold blank lines, ends at "----\n----".
      i++;
      while (i < lines.length && !(lines[i] === '----' && lines[i + 1] === '----')) {
        expected.push(lines[i++] as string);
      }
      i += 2;
    } else {
      while (i < lines.length && (lines[i] as string).trim() !== '')
        expected.push(lines[i++] as string);
    }
    expected = expected.filter((x) => x !== undefined);
    const [head, ...input] = cmdLines;
    const { cmd, args } = parseLine(head as string);
    blocks.push({ line: start + 1, cmd, args, input, expected: expected.join('\n') });
  }
  return blocks;
}

function parseLine(line: string): { cmd: string; args: Arg[] } {
  const tokens: string[] = [];
  const re = /(\S+=\([^)]*\)|\S+)/g;
  for (const m of line.matchAll(re)) tokens.push(m[0]);
  const [cmd, ...rest] = tokens;
  const args = rest.map((t): Arg => {
    const eq = t.indexOf('=');
    if (eq < 0) return { key: t, vals: [] };
    const key = t.slice(0, eq);
    let v = t.slice(eq + 1);
    if (v.startsWith('(') && v.endsWith(')')) v = v.slice(1, -1);
    return { key, vals: v.split(/[\s,]+/).filter((x) => x !== '') };
  });
  return { cmd: cmd ?? '', args };
}

// ---- etcd's Describe* formatting ----

const ccLetter: Record<ConfChangeType, string> = {
  ConfChangeAddNode: 'v',
  ConfChangeAddLearnerNode: 'l',
  ConfChangeRemoveNode: 'r',
  ConfChangeUpdateNode: 'u',
};

function changesToString(ccs: readonly ConfChangeSingle[]): string {
  return ccs.map((c) => `${ccLetter[c.type]}${c.nodeId}`).join(' ');
}

function quote(b: Uint8Array): string {
  return JSON.stringify(new TextDecoder().decode(b));
}

export function describeEntry(e: Entry): string {
  let formatted: string;
  if (e.type === 'EntryNormal') {
    formatted = quote(e.data);
  } else {
    const cc = decodeConfChange(e);
    formatted = changesToString('changes' in cc ? cc.changes : [cc]);
  }
  return `${e.term}/${e.index} ${e.type}${formatted === '' ? '' : ' ' + formatted}`;
}

const ids = (a: readonly number[]): string => `[${a.join(' ')}]`;

function describeConfState(cs: ConfState): string {
  return `Voters:${ids(cs.voters)} VotersOutgoing:${ids(cs.votersOutgoing)} Learners:${ids(cs.learners)} LearnersNext:${ids(cs.learnersNext)} AutoLeave:${cs.autoLeave}`;
}

function describeSnapshot(s: Snapshot): string {
  const m = s.metadata;
  return `Index:${m.index} Term:${m.term} ConfState:${describeConfState(m.confState)}`;
}

function describeHardState(hs: HardState): string {
  return `Term:${hs.term}${hs.vote !== 0 ? ` Vote:${hs.vote}` : ''} Commit:${hs.commit}`;
}

export function describeMessage(m: Message): string {
  let s = `${m.from}->${m.to} ${m.type} Term:${m.term} Log:${m.logTerm}/${m.index}`;
  if (m.reject) s += ` Rejected (Hint: ${m.rejectHint})`;
  if (m.commit !== 0) s += ` Commit:${m.commit}`;
  if (m.entries.length > 0) s += ` Entries:[${m.entries.map(describeEntry).join(', ')}]`;
  if (m.snapshot && !isEmptySnap(m.snapshot)) s += `\n  Snapshot: ${describeSnapshot(m.snapshot)}`;
  return s;
}

function describeReady(rd: Ready): string {
  const out: string[] = [];
  if (rd.softState) out.push(`Lead:${rd.softState.lead} State:${rd.softState.raftState}`);
  if (
    rd.hardState &&
    !(rd.hardState.term === 0 && rd.hardState.vote === 0 && rd.hardState.commit === 0)
  ) {
    out.push(`HardState ${describeHardState(rd.hardState)}`);
  }
  if (rd.readStates.length > 0) {
    out.push(
      `ReadStates [${rd.readStates.map((r) => `{${r.index} [${Array.from(r.requestCtx).join(' ')}]}`).join(' ')}]`,
    );
  }
  if (rd.entries.length > 0) out.push('Entries:', ...rd.entries.map(describeEntry));
  if (rd.snapshot && !isEmptySnap(rd.snapshot))
    out.push(`Snapshot ${describeSnapshot(rd.snapshot)}`);
  if (rd.committedEntries.length > 0) {
    out.push('CommittedEntries:', ...rd.committedEntries.map(describeEntry));
  }
  if (rd.messages.length > 0) out.push('Messages:', ...rd.messages.map(describeMessage));
  if (out.length === 0) return '<empty Ready>';
  return `Ready MustSync=${rd.mustSync}:\n${out.join('\n')}`;
}

// ---- the environment ----

/** MemoryStorage whose snapshot() is the latest state-machine snapshot (rafttest's History). */
class HistoryStorage implements Storage {
  readonly history: Snapshot[];
  constructor(
    readonly mem: MemoryStorage,
    initial: Snapshot,
  ) {
    this.history = [initial];
  }
  initialState(): { hardState: HardState; confState: ConfState } {
    return this.mem.initialState();
  }
  entries(lo: number, hi: number, maxSize: number): Entry[] {
    return this.mem.entries(lo, hi, maxSize);
  }
  term(i: number): number {
    return this.mem.term(i);
  }
  lastIndex(): number {
    return this.mem.lastIndex();
  }
  firstIndex(): number {
    return this.mem.firstIndex();
  }
  snapshot(): Snapshot {
    return this.history[this.history.length - 1] as Snapshot;
  }
}

interface EnvNode {
  rn: RawNode;
  storage: HistoryStorage;
  electionTick: number;
  heartbeatTick: number;
}

function errText(err: unknown): string {
  if (err instanceof StepPeerNotFoundError) return 'raft: cannot step as peer not found';
  if (err instanceof StepLocalMsgError) return 'raft: cannot step raft local message';
  if (err instanceof ProposalDroppedError) return 'raft proposal dropped';
  throw err;
}

export class InteractionEnv {
  nodes: EnvNode[] = [];
  messages: Message[] = [];
  private out: string[] = [];
  private indent = '';
  /** `log-level none` silences all output (rafttest's quiet mode). */
  private quiet = false;

  private print(s: string): void {
    if (this.quiet) return;
    for (const l of s.split('\n')) this.out.push(this.indent + l);
  }

  private withIndent(f: () => void): void {
    const old = this.indent;
    this.indent += '  ';
    try {
      f();
    } finally {
      this.indent = old;
    }
  }

  handle(b: Block): string {
    this.out = [];
    if (b.cmd === 'propose-conf-change') {
      this.proposeConfChange(b.args, b.input.join('\n'));
    } else {
      this.single(b.cmd, b.args);
      for (const l of b.input) {
        const { cmd, args } = parseLine(l);
        this.single(cmd, args);
      }
    }
    return this.out.length === 0 ? 'ok' : this.out.join('\n');
  }

  private single(cmd: string, args: Arg[]): void {
    const first = (): number => Number(args[0]?.key);
    const idxs = (): number[] => args.filter((a) => a.vals.length === 0).map((a) => Number(a.key));
    switch (cmd) {
      case 'add-nodes':
        return this.addNodes(first(), args.slice(1));
      case 'campaign':
        return this.node(first()).rn.campaign();
      case 'compact': {
        const n = this.node(first());
        n.storage.mem.compact(Number(args[1]?.key));
        return this.raftLog(first());
      }
      case 'deliver-msgs':
        return this.deliverMsgs(args);
      case 'process-ready': {
        const ns = idxs();
        for (const id of ns) {
          if (ns.length > 1) {
            this.print(`> ${id} handling Ready`);
            this.withIndent(() => this.processReady(id));
          } else {
            this.processReady(id);
          }
        }
        return;
      }
      case 'log-level':
        this.quiet = (args[0]?.key ?? '').toLowerCase() === 'none';
        return;
      case 'raft-log':
        return this.raftLog(first());
      case 'raft-state':
      case 'status':
        return;
      case 'set-randomized-election-timeout': {
        const t = Number(args.find((a) => a.key === 'timeout')?.vals[0]);
        this.node(first()).rn.internal.randomizedElectionTimeout = t;
        return;
      }
      case 'stabilize':
        return this.stabilize(idxs());
      case 'tick-election': {
        const n = this.node(first());
        for (let i = 0; i < n.electionTick; i++) n.rn.tick();
        return;
      }
      case 'tick-heartbeat': {
        const n = this.node(first());
        for (let i = 0; i < n.heartbeatTick; i++) n.rn.tick();
        return;
      }
      case 'transfer-leadership': {
        const from = Number(args.find((a) => a.key === 'from')?.vals[0]);
        const to = Number(args.find((a) => a.key === 'to')?.vals[0]);
        return this.node(from).rn.transferLeader(to);
      }
      case 'send-snapshot': {
        const from = first();
        const to = Number(args[1]?.key);
        const fn = this.node(from);
        const m: Message = {
          type: 'MsgSnap',
          to,
          from,
          term: fn.rn.status().term,
          logTerm: 0,
          index: 0,
          entries: [],
          commit: 0,
          snapshot: fn.storage.snapshot(),
          reject: false,
          rejectHint: 0,
        };
        this.messages.push(m);
        return this.print(describeMessage(m));
      }
      case 'propose':
        try {
          this.node(first()).rn.propose(new TextEncoder().encode(args[1]?.key ?? ''));
        } catch (err) {
          this.print(errText(err));
        }
        return;
      case 'report-unreachable':
        return this.node(first()).rn.reportUnreachable(Number(args[1]?.key));
      default:
        throw new Error(`unsupported command ${cmd}`);
    }
  }

  private node(id: number): EnvNode {
    const n = this.nodes[id - 1];
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  private addNodes(count: number, args: Arg[]): void {
    const cs: ConfState = {
      voters: [],
      learners: [],
      votersOutgoing: [],
      learnersNext: [],
      autoLeave: false,
    };
    let index = 0;
    let content = '';
    const cfg: Record<string, unknown> = {};
    for (const a of args) {
      switch (a.key) {
        case 'voters':
          cs.voters.push(...a.vals.map(Number));
          break;
        case 'learners':
          cs.learners.push(...a.vals.map(Number));
          break;
        case 'index':
          index = Number(a.vals[0]);
          break;
        case 'content':
          content = a.vals[0] ?? '';
          break;
        case 'inflight':
          cfg.maxInflightMsgs = Number(a.vals[0]);
          break;
        case 'prevote':
          cfg.preVote = a.vals[0] === 'true';
          break;
        case 'checkquorum':
          cfg.checkQuorum = a.vals[0] === 'true';
          break;
        case 'max-committed-size-per-ready':
          cfg.maxCommittedSizePerReady = Number(a.vals[0]);
          break;
        case 'read-only':
          cfg.readOnlyOption = a.vals[0];
          break;
        case 'step-down-on-removal':
          cfg.stepDownOnRemoval = a.vals[0] === 'true';
          break;
        default:
          throw new Error(`unsupported add-nodes option ${a.key}`);
      }
    }
    const snap: Snapshot = {
      data: content === '' ? EMPTY_BYTES : new TextEncoder().encode(content),
      metadata: { index, term: index > 0 ? 1 : 0, confState: cs },
    };
    for (let i = 0; i < count; i++) {
      const id = this.nodes.length + 1;
      const mem = new MemoryStorage();
      if (index > 0) mem.applySnapshot(snap);
      const storage = new HistoryStorage(mem, snap);
      const rn = new RawNode({
        id,
        electionTick: 3,
        heartbeatTick: 1,
        storage,
        applied: index,
        maxInflightMsgs: 2 ** 31 - 1,
        rand: () => 0,
        ...cfg,
      });
      this.nodes.push({ rn, storage, electionTick: 3, heartbeatTick: 1 });
    }
  }

  private processReady(id: number): void {
    const n = this.node(id);
    const rd = n.rn.ready();
    this.print(describeReady(rd));
    const mem = n.storage.mem;
    if (
      rd.hardState &&
      !(rd.hardState.term === 0 && rd.hardState.vote === 0 && rd.hardState.commit === 0)
    ) {
      mem.setHardState(rd.hardState);
    }
    if (rd.snapshot && !isEmptySnap(rd.snapshot)) mem.applySnapshot(rd.snapshot);
    else mem.append(rd.entries);
    for (const e of rd.committedEntries) {
      let update: Uint8Array = e.data;
      let cs: ConfState | undefined;
      if (e.type !== 'EntryNormal') {
        const cc = decodeConfChange(e);
        update = cc.context ?? EMPTY_BYTES;
        cs = n.rn.applyConfChange(cc);
      }
      const last = n.storage.history[n.storage.history.length - 1] as Snapshot;
      const data = new Uint8Array(last.data.length + update.length);
      data.set(last.data);
      data.set(update, last.data.length);
      n.storage.history.push({
        data,
        metadata: { index: e.index, term: e.term, confState: cs ?? last.metadata.confState },
      });
    }
    for (const m of rd.messages) this.messages.push(m);
    n.rn.advance(rd);
  }

  private deliverMsgs(args: Arg[]): void {
    let type: MessageType | undefined;
    const rs: Array<{ id: number; drop: boolean }> = [];
    for (const a of args) {
      if (a.key === 'type') type = a.vals[0] as MessageType;
      else if (a.key === 'drop') for (const v of a.vals) rs.push({ id: Number(v), drop: true });
      else if (a.vals.length === 0) rs.push({ id: Number(a.key), drop: false });
    }
    let n = 0;
    for (const r of rs) n += this.deliver(r.id, type, r.drop);
    if (n === 0) this.print('no messages');
  }

  private deliver(id: number, type: MessageType | undefined, drop: boolean): number {
    const mine: Message[] = [];
    const rest: Message[] = [];
    for (const m of this.messages) {
      const local = m.from === m.to;
      if (m.to === id && !(drop && local) && (type === undefined || m.type === type)) mine.push(m);
      else rest.push(m);
    }
    this.messages = rest;
    for (const m of mine) {
      this.print((drop ? 'dropped: ' : '') + describeMessage(m));
      if (drop) continue;
      try {
        this.node(m.to).rn.step(m);
      } catch (err) {
        this.print(errText(err));
      }
    }
    return mine.length;
  }

  private stabilize(idxs: number[]): void {
    const ns = idxs.length > 0 ? idxs : this.nodes.map((_, i) => i + 1);
    for (let guard = 0; guard < 10000; guard++) {
      let done = true;
      for (const id of ns) {
        if (this.node(id).rn.hasReady()) {
          this.print(`> ${id} handling Ready`);
          this.withIndent(() => this.processReady(id));
          done = false;
        }
      }
      for (const id of ns) {
        if (this.messages.some((m) => m.to === id)) {
          this.print(`> ${id} receiving messages`);
          this.withIndent(() => this.deliver(id, undefined, false));
          done = false;
        }
      }
      if (done) return;
    }
    throw new Error('stabilize did not converge');
  }

  private raftLog(id: number): void {
    const s = this.node(id).storage.mem;
    const fi = s.firstIndex();
    const li = s.lastIndex();
    if (li < fi) {
      this.print(`log is empty: first index=${fi}, last index=${li}`);
      return;
    }
    this.print(
      s
        .entries(fi, li + 1, Infinity)
        .map(describeEntry)
        .join('\n'),
    );
  }

  private proposeConfChange(args: Arg[], input: string): void {
    const id = Number(args[0]?.key);
    let v1 = false;
    let transition: ConfChangeV2['transition'] = 'ConfChangeTransitionAuto';
    for (const a of args.slice(1)) {
      if (a.key === 'v1') v1 = a.vals[0] === 'true';
      if (a.key === 'transition') {
        const t = a.vals[0];
        transition =
          t === 'implicit'
            ? 'ConfChangeTransitionJointImplicit'
            : t === 'explicit'
              ? 'ConfChangeTransitionJointExplicit'
              : 'ConfChangeTransitionAuto';
      }
    }
    const types: Record<string, ConfChangeType> = {
      v: 'ConfChangeAddNode',
      l: 'ConfChangeAddLearnerNode',
      r: 'ConfChangeRemoveNode',
      u: 'ConfChangeUpdateNode',
    };
    const changes: ConfChangeSingle[] = input
      .split(/\s+/)
      .filter((t) => t !== '')
      .map((t) => ({ type: types[t[0] as string] as ConfChangeType, nodeId: Number(t.slice(1)) }));
    try {
      if (v1) {
        const c = changes[0] as ConfChangeSingle;
        this.node(id).rn.proposeConfChange({ type: c.type, nodeId: c.nodeId });
      } else {
        this.node(id).rn.proposeConfChange({ transition, changes });
      }
    } catch (err) {
      this.print(errText(err));
    }
  }
}

/**
 * Keeps the lines that describe behaviour: drops etcd's log lines and indentation, and the
 * MustSync flag (recorded scripts disagree with etcd's own MustSync formula on commit-only
 * hard states; it is not raft state either way), and the commit index newer etcd versions add
 * to MsgAppResp (informational; the leader does not act on it).
 */
export function behaviourLines(output: string): string[] {
  const lines = output
    .split('\n')
    // Older etcd versions print a MsgSnap's snapshot on the message's own line.
    .flatMap((l) => l.replace(/^(\s*\S+ MsgSnap .*?) (Snapshot: .*)$/, '$1\n$2').split('\n'))
    .map((l) =>
      l
        .trim()
        .replace(/^Ready MustSync=(true|false):$/, 'Ready:')
        // Newer etcd versions also report the follower's commit index in MsgAppResp.
        .replace(/^((?:dropped: )?\S+ MsgAppResp .*?) Commit:\d+/, '$1'),
    );
  // Newer etcd versions print a message's entries one per line: join them back.
  const joined: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i] as string;
    if (l.endsWith('Entries:[')) {
      const ents: string[] = [];
      while (i + 1 < lines.length && lines[i + 1] !== ']') ents.push(lines[++i] as string);
      i++;
      l += ents.join(', ') + ']';
    }
    joined.push(l);
  }
  return joined.filter(
    (l) => l !== '' && l !== 'ok' && !/^(INFO|DEBUG|WARN|ERROR|PANIC|FATAL) /.test(l),
  );
}

/** Replays a script; returns a description of the first mismatch, or undefined. */
export function replay(text: string): string | undefined {
  const env = new InteractionEnv();
  for (const b of parseScript(text)) {
    let got: string;
    try {
      got = env.handle(b);
    } catch (err) {
      return `line ${b.line} (${b.cmd}): ${(err as Error).stack ?? String(err)}`;
    }
    // raft-state / status print etcd-internal views we do not reproduce.
    const cmds = [b.cmd, ...b.input.map((l) => parseLine(l).cmd)];
    if (b.cmd !== 'propose-conf-change' && cmds.some((c) => c === 'raft-state' || c === 'status')) {
      continue;
    }
    const want = behaviourLines(b.expected);
    const have = behaviourLines(got);
    for (let i = 0; i < Math.max(want.length, have.length); i++) {
      if (want[i] !== have[i]) {
        return `line ${b.line} (${b.cmd}): output line ${i + 1}\n  want: ${want[i]}\n  have: ${have[i]}\n--- want\n${want.join('\n')}\n--- have\n${have.join('\n')}`;
      }
    }
  }
  return undefined;
}
