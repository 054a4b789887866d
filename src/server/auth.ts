// Authentication cost, in simulated CPU time (source article 000). etcd 2 checked the password
// of every request with bcrypt, and bcrypt is slow on purpose: a cluster that could serve tens of
// thousands of requests per second served ten. Token auth checks the password once per session
// and a cheap token after that.
//
// Each member has `cores` CPUs, modelled as parallel servers: a check starts on the core that is
// free first and holds it for its cost; requests wait their turn, so the password checks ration
// the member's throughput at cores / bcryptCost.

export type AuthMode = 'off' | 'bcrypt' | 'token';

export interface AuthSettings {
  mode: AuthMode;
  /** bcrypt's cost factor: each check does 2^cost rounds of the key schedule. */
  bcryptCost: number;
  /** CPU cores of one member. */
  cpuCores: number;
}

/**
 * Simulated time of one bcrypt round: 2^cost of them make one check. 2^10 x 64 µs ≈ 65 ms at
 * etcd's default cost of 10, the order of magnitude of one core on Go's x/crypto/bcrypt; a
 * model constant (not a measurement), so the figures raftlab reports are relative: bcrypt
 * against token against off, on the same simulated CPU.
 */
export const BCRYPT_ROUND_US = 64;
/** Checking a simple token: a map lookup and a little bookkeeping. */
export const TOKEN_CHECK_US = 5;

export function bcryptCheckUs(cost: number): number {
  return 2 ** cost * BCRYPT_ROUND_US;
}

/** N cores as parallel servers: work goes to the core that is free first. */
export class CpuModel {
  private readonly freeAtUs: number[];

  constructor(cores: number) {
    if (!Number.isInteger(cores) || cores < 1)
      throw new RangeError(`cpu: cores must be a positive integer, got ${cores}`);
    this.freeAtUs = new Array<number>(cores).fill(0);
  }

  /** Runs `costUs` of work arriving at `nowUs`; returns when it finishes. */
  run(nowUs: number, costUs: number): { startUs: number; doneUs: number } {
    let core = 0;
    for (let i = 1; i < this.freeAtUs.length; i++)
      if (this.freeAtUs[i]! < this.freeAtUs[core]!) core = i;
    const startUs = Math.max(nowUs, this.freeAtUs[core]!);
    const doneUs = startUs + costUs;
    this.freeAtUs[core] = doneUs;
    return { startUs, doneUs };
  }
}

function checkCost(cost: number): void {
  if (!Number.isInteger(cost) || cost < 4 || cost > 31)
    throw new RangeError(`auth: bcrypt cost must be an integer from 4 to 31, got ${cost}`);
}

export class AuthModel {
  private readonly cpu: CpuModel;
  /** Clients holding a token from this member (a session each). */
  private readonly sessions = new Set<number>();

  constructor(private settings: AuthSettings) {
    checkCost(settings.bcryptCost);
    this.cpu = new CpuModel(settings.cpuCores);
  }

  /**
   * Changes the mode or the bcrypt cost from now on (the playground's set-auth action). Checks
   * already started finish at their old cost; token sessions already granted stay valid.
   */
  configure(patch: Partial<Pick<AuthSettings, 'mode' | 'bcryptCost'>>): void {
    if (patch.bcryptCost !== undefined) checkCost(patch.bcryptCost);
    this.settings = { ...this.settings, ...patch };
  }

  /**
   * Authenticates a request from `clientId` arriving at `nowUs`; says when the member can start
   * serving it, and what the check cost. With auth off a request is served at once.
   */
  admit(
    clientId: number,
    nowUs: number,
  ): { readyUs: number; check: 'none' | 'password' | 'token'; costUs: number } {
    const { mode, bcryptCost } = this.settings;
    if (mode === 'off') return { readyUs: nowUs, check: 'none', costUs: 0 };
    const password = mode === 'bcrypt' || !this.sessions.has(clientId);
    const costUs = password ? bcryptCheckUs(bcryptCost) : TOKEN_CHECK_US;
    if (mode === 'token') this.sessions.add(clientId);
    return {
      readyUs: this.cpu.run(nowUs, costUs).doneUs,
      check: password ? 'password' : 'token',
      costUs,
    };
  }
}
