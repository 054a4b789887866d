// Leases, after etcd's lease/lessor.go, as the leader's lessor sees them (expiry is always
// set: the store plays the primary lessor). Time is the injected clock, in milliseconds.

/** etcd's MaxLeaseTTL: 9,000,000,000 seconds. */
export const MAX_LEASE_TTL = 9_000_000_000;

export interface Lease {
  readonly id: number;
  /** Granted TTL in seconds (raised to the minimum TTL). */
  readonly ttl: number;
  /** Simulated ms at which the lease expires. */
  expiryMs: number;
  /** Attached keys, as binary strings. */
  readonly keys: Set<string>;
  /** Grant order, the tie-break between equal expiries. */
  readonly seq: number;
}

export class Lessor {
  private readonly leases = new Map<number, Lease>();
  /** key (binary string) -> the lease it is attached to (lessor.itemMap). */
  private readonly itemMap = new Map<string, number>();
  private seq = 0;
  private nextId = 1;

  lookup(id: number): Lease | undefined {
    return this.leases.get(id);
  }

  has(id: number): boolean {
    return this.leases.has(id);
  }

  /** An unused positive ID (etcd's server draws one from its request ID generator). */
  newId(): number {
    while (this.leases.has(this.nextId)) this.nextId++;
    return this.nextId++;
  }

  grant(id: number, ttl: number, nowMs: number): Lease {
    const lease: Lease = {
      id,
      ttl,
      expiryMs: nowMs + ttl * 1000,
      keys: new Set(),
      seq: this.seq++,
    };
    this.leases.set(id, lease);
    return lease;
  }

  /** Forgets a lease (its keys were deleted by the caller first). */
  remove(id: number): void {
    const l = this.leases.get(id);
    if (!l) return;
    for (const k of l.keys) this.itemMap.delete(k);
    this.leases.delete(id);
  }

  /** The lease a key is attached to, or 0 (lessor.GetLease). */
  leaseOf(skey: string): number {
    return this.itemMap.get(skey) ?? 0;
  }

  attach(id: number, skey: string): void {
    const l = this.leases.get(id);
    if (!l) return;
    l.keys.add(skey);
    this.itemMap.set(skey, id);
  }

  detach(id: number, skey: string): void {
    const l = this.leases.get(id);
    if (l) l.keys.delete(skey);
    if (this.itemMap.get(skey) === id) this.itemMap.delete(skey);
  }

  /** Every lease, by expiry then grant order (lessor.Leases sorts by expiry). */
  all(): Lease[] {
    return [...this.leases.values()].sort((a, b) => a.expiryMs - b.expiryMs || a.seq - b.seq);
  }

  /** Every lease in grant order (what a snapshot records: the order ties between expiries take). */
  grantOrder(): Lease[] {
    return [...this.leases.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Where newId() looks first (kept verbatim by a snapshot: see snapshot.ts). */
  get nextIdHint(): number {
    return this.nextId;
  }

  /**
   * Replaces every lease (restore from a snapshot): `leases` in grant order, each key attached
   * to at most one of them.
   */
  load(
    leases: readonly { id: number; ttl: number; expiryMs: number; keys: readonly string[] }[],
    nextId: number,
  ): void {
    this.leases.clear();
    this.itemMap.clear();
    this.seq = 0;
    for (const l of leases) {
      this.leases.set(l.id, {
        id: l.id,
        ttl: l.ttl,
        expiryMs: l.expiryMs,
        keys: new Set(l.keys),
        seq: this.seq++,
      });
      for (const k of l.keys) this.itemMap.set(k, l.id);
    }
    this.nextId = nextId;
  }

  /** Leases whose time is up at nowMs (remaining <= 0), by expiry then grant order. */
  expired(nowMs: number): Lease[] {
    return this.all().filter((l) => l.expiryMs <= nowMs);
  }
}
