// Raft's and etcd's safety properties, checked after every event of a run from its trace alone,
// so the same checker watches an in-process cluster, a cluster of workers, and a replay.
//
// The trace says enough to rebuild each member's log and applied state: every disk write names
// its entries (index, term, CRC of the data) and every apply names the entry's term, the store's
// revision and its content fingerprint; the conductor names crashes, restarts, pauses and which
// writes became durable. From that the checker keeps, per member, the log it has in memory and
// the log its disk holds (a crash falls back to the latter), and, for the cluster, which entry
// each index committed to. Each property is checked at the record that could break it, so a
// violation names the exact event.
import type { TraceRecord } from '../sim/conductor';

export type InvariantName =
  | 'election-safety'
  | 'log-matching'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'kv-agreement'
  | 'revision-monotonic'
  | 'quorum-safe-removal';

export interface Violation {
  invariant: InvariantName;
  atUs: number;
  node?: number;
  /** One plain sentence: what broke, where. */
  message: string;
  /** How many trace records had been observed when it broke (this one included). */
  record: number;
}

/** etcd's HealthInterval: a member down for less than this still counts as active. */
const HEALTH_INTERVAL_US = 5_000_000;

/** One member's log: the term and a chained hash of every entry from `base + 1`. */
class LogModel {
  /** Entries up to `base` are compacted into a snapshot; `baseChain` is the chain there. */
  base = 0;
  baseChain = 0;
  terms: number[] = [];
  chains: number[] = [];

  get lastIndex(): number {
    return this.base + this.terms.length;
  }

  termAt(i: number): number | undefined {
    return i > this.base ? this.terms[i - this.base - 1] : undefined;
  }

  chainAt(i: number): number | undefined {
    if (i === this.base) return this.baseChain;
    return i > this.base ? this.chains[i - this.base - 1] : undefined;
  }

  /** Appends `ents` ([index, term, crc]), first dropping any conflicting suffix. */
  append(ents: readonly (readonly number[])[]): { index: number; term: number; chain: number }[] {
    const out: { index: number; term: number; chain: number }[] = [];
    for (const [index, term, crc] of ents as [number, number, number][]) {
      if (index <= this.base) continue;
      const keep = index - this.base - 1;
      if (keep > this.terms.length) return out; // a gap: cannot happen in raft; ignore the rest
      this.terms.length = keep;
      this.chains.length = keep;
      const prev = this.chainAt(index - 1) ?? 0;
      const chain = mix(mix(mix(prev, index), term), crc);
      this.terms.push(term);
      this.chains.push(chain);
      out.push({ index, term, chain });
    }
    return out;
  }

  /** Installs a snapshot at `index`: the log is the snapshot, `chain` its hash. */
  restore(index: number, chain: number): void {
    this.base = index;
    this.baseChain = chain;
    this.terms = [];
    this.chains = [];
  }

  clone(): LogModel {
    const c = new LogModel();
    c.base = this.base;
    c.baseChain = this.baseChain;
    c.terms = [...this.terms];
    c.chains = [...this.chains];
    return c;
  }
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ (x & 0xffff), 0x01000193);
  h = Math.imul(h ^ Math.floor(x / 0x10000), 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}

type Mark = [number, number, number];

interface Member {
  log: LogModel;
  /** What the disk holds: the log a restart comes back with. */
  disk: LogModel;
  /** Disk writes issued and not yet durable, by write id. */
  pending: Map<number, { ents: Mark[]; snap?: { index: number; chain: number } }>;
  applied: number | undefined;
  revision: number;
  voters: number[];
  /** When it went down (crash or pause); undefined while up. */
  downSinceUs: number | undefined;
  /**
   * Became leader: its log is checked for every entry committed by then once the Ready that made
   * it leader is written (that Ready carries the entries it had not yet persisted, and its own
   * first entry), which is the next persist record.
   */
  leaderCheck?: { term: number; top: number };
}

export class InvariantChecker {
  private readonly members = new Map<number, Member>();
  private readonly leaders = new Map<number, number>();
  /** For each (index, term) any log has held: the chain hash of the log up to it. */
  private readonly seen = new Map<string, { node: number; chain: number }>();
  /** What each index committed to: the chain, and the store after applying it. */
  private readonly committed = new Map<
    number,
    { node: number; term: number; chain: number; rev: number; kv: number }
  >();
  private highestApplied = 0;
  private records = 0;
  /** The first violation; the checker stops at it (later ones may only be its consequences). */
  violation: Violation | undefined;

  /** Observes one trace record; returns the violation it caused, if any. */
  observe(r: TraceRecord): Violation | undefined {
    if (this.violation) return undefined;
    this.records++;
    if (r.kind === 'cluster-restored') {
      // Every member was stopped and starts again from a snapshot file as a new cluster: a fresh
      // log from term 1, nothing in common with the old one but the keyspace.
      this.members.clear();
      this.leaders.clear();
      this.seen.clear();
      this.committed.clear();
      this.highestApplied = 0;
      return undefined;
    }
    const node = r.node;
    if (node === undefined) return undefined;
    const m = this.member(node);
    switch (r.kind) {
      case 'persist':
        return this.onPersist(r, node, m);
      case 'durable':
        return this.onDurable(r, m);
      case 'crash':
        m.log = m.disk.clone();
        m.pending.clear();
        m.applied = undefined;
        m.revision = 0;
        m.downSinceUs ??= r.atUs;
        return undefined;
      case 'pause':
        m.downSinceUs ??= r.atUs;
        return undefined;
      case 'node-start':
      case 'resume':
        m.downSinceUs = undefined;
        return undefined;
      case 'state':
        return r.to === 'StateLeader' ? this.onLeader(r, node, m) : undefined;
      case 'snapshot-restored':
        return this.onSnapshotRestored(r, m);
      case 'apply':
      case 'apply-conf':
        if (r.kind === 'apply-conf' && Array.isArray(r.voters)) m.voters = r.voters as number[];
        return this.onApply(r, node, m);
      case 'propose-conf':
        return r.change === 'ConfChangeRemoveNode' ? this.onRemove(r, node, m) : undefined;
      default:
        return undefined;
    }
  }

  private member(id: number): Member {
    let m = this.members.get(id);
    if (!m) {
      m = {
        log: new LogModel(),
        disk: new LogModel(),
        pending: new Map(),
        applied: undefined,
        revision: 0,
        voters: [],
        downSinceUs: undefined,
      };
      this.members.set(id, m);
    }
    return m;
  }

  private fail(
    r: TraceRecord,
    invariant: InvariantName,
    message: string,
    node?: number,
  ): Violation {
    this.violation = { invariant, atUs: r.atUs, message, record: this.records };
    if (node !== undefined) this.violation.node = node;
    return this.violation;
  }

  private onPersist(r: TraceRecord, node: number, m: Member): Violation | undefined {
    const ents = (Array.isArray(r.ents) ? r.ents : []) as Mark[];
    const writeId = r.writeId as number;
    let snap: { index: number; chain: number } | undefined;
    if (typeof r.snapIndex === 'number') {
      const c = this.committed.get(r.snapIndex);
      // A snapshot holds only committed entries: its chain is the committed one at its index.
      snap = { index: r.snapIndex, chain: c?.chain ?? 0 };
      if (r.snapIndex > m.log.lastIndex || m.log.chainAt(r.snapIndex) !== snap.chain)
        m.log.restore(snap.index, snap.chain);
    }
    m.pending.set(writeId, snap ? { ents, snap } : { ents });
    const check = m.leaderCheck;
    m.leaderCheck = undefined;
    for (const e of m.log.append(ents)) {
      const key = `${e.index}:${e.term}`;
      const prior = this.seen.get(key);
      if (!prior) this.seen.set(key, { node, chain: e.chain });
      else if (prior.chain !== e.chain) {
        return this.fail(
          r,
          'log-matching',
          `n${node} and n${prior.node} both hold an entry at index ${e.index} in term ${e.term}, but their logs differ up to it`,
          node,
        );
      }
    }
    return check ? this.checkCompleteness(r, node, m, check) : undefined;
  }

  private onDurable(r: TraceRecord, m: Member): undefined {
    const w = m.pending.get(r.writeId as number);
    if (!w) return undefined;
    m.pending.delete(r.writeId as number);
    if (
      w.snap &&
      (w.snap.index > m.disk.lastIndex || m.disk.chainAt(w.snap.index) !== w.snap.chain)
    )
      m.disk.restore(w.snap.index, w.snap.chain);
    m.disk.append(w.ents);
    return undefined;
  }

  private onLeader(r: TraceRecord, node: number, m: Member): Violation | undefined {
    const term = r.term as number;
    const prior = this.leaders.get(term);
    if (prior !== undefined && prior !== node) {
      return this.fail(
        r,
        'election-safety',
        `n${node} became leader of term ${term}, which n${prior} already leads: two leaders in one term`,
        node,
      );
    }
    this.leaders.set(term, node);
    m.leaderCheck = { term, top: this.highestApplied };
    return undefined;
  }

  /** Leader completeness: every entry committed when it won is in the new leader's log. */
  private checkCompleteness(
    r: TraceRecord,
    node: number,
    m: Member,
    { term, top }: { term: number; top: number },
  ): Violation | undefined {
    if (top === 0) return undefined;
    const c = this.committed.get(top)!;
    const mine = top <= m.log.lastIndex ? m.log.chainAt(top) : undefined;
    if (mine !== undefined && mine !== c.chain) {
      return this.fail(
        r,
        'leader-completeness',
        `n${node} became leader of term ${term} without the entries up to index ${top} that n${c.node} applied: committed (acknowledged) writes would be lost`,
        node,
      );
    }
    if (top > m.log.lastIndex) {
      return this.fail(
        r,
        'leader-completeness',
        `n${node} became leader of term ${term} with a log ending at index ${m.log.lastIndex}, but n${c.node} applied index ${top}: committed (acknowledged) writes would be lost`,
        node,
      );
    }
    return undefined;
  }

  private onSnapshotRestored(r: TraceRecord, m: Member): undefined {
    m.applied = r.index as number;
    if (typeof r.rev === 'number') m.revision = r.rev;
    return undefined;
  }

  private onApply(r: TraceRecord, node: number, m: Member): Violation | undefined {
    const index = r.index as number;
    const rev = r.rev as number;
    const kv = r.kv as number;
    if (m.applied !== undefined && index !== m.applied + 1) {
      return this.fail(
        r,
        'state-machine-safety',
        `n${node} applied index ${index} right after index ${m.applied}: applies must follow the log in order`,
        node,
      );
    }
    m.applied = index;
    if (typeof rev === 'number' && rev < m.revision) {
      return this.fail(
        r,
        'revision-monotonic',
        `n${node}'s revision went back from ${m.revision} to ${rev} when it applied index ${index}`,
        node,
      );
    }
    if (typeof rev === 'number') m.revision = rev;
    const chain = m.log.chainAt(index);
    const prior = this.committed.get(index);
    if (!prior) {
      if (chain !== undefined) {
        this.committed.set(index, { node, term: r.term as number, chain, rev, kv });
        if (index > this.highestApplied) this.highestApplied = index;
      }
      return undefined;
    }
    if (chain !== undefined && chain !== prior.chain) {
      return this.fail(
        r,
        'state-machine-safety',
        `n${node} applied a different entry at index ${index} (term ${String(r.term)}) than n${prior.node} did (term ${prior.term})`,
        node,
      );
    }
    if (typeof rev === 'number' && (rev !== prior.rev || kv !== prior.kv)) {
      return this.fail(
        r,
        'kv-agreement',
        `after applying index ${index}, n${node}'s store (revision ${rev}, hash ${kv}) differs from n${prior.node}'s (revision ${prior.rev}, hash ${prior.kv})`,
        node,
      );
    }
    return undefined;
  }

  /** A removal must leave a quorum of the remaining voters up (or down only moments ago). */
  private onRemove(r: TraceRecord, node: number, m: Member): Violation | undefined {
    const removed = r.nodeId as number;
    if (!m.voters.includes(removed)) return undefined;
    const rest = m.voters.filter((v) => v !== removed);
    const active = rest.filter((v) => {
      const since = this.members.get(v)?.downSinceUs;
      return since === undefined || r.atUs - since <= HEALTH_INTERVAL_US;
    });
    const quorum = Math.floor(rest.length / 2) + 1;
    if (active.length >= quorum) return undefined;
    return this.fail(
      r,
      'quorum-safe-removal',
      `n${node} proposed removing n${removed} while only ${active.length} of the ${rest.length} remaining members were up: the cluster is left without a quorum`,
      node,
    );
  }
}
