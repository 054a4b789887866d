// Seeded pseudo-random numbers with a state that serializes, so a run can be paused, saved in a
// share link and resumed bit-for-bit. xoshiro128** (Blackman & Vigna): 128 bits of state, fast in
// 32-bit integer arithmetic, good statistical quality; seeded through SplitMix32 so that nearby
// seeds give unrelated streams. Not for cryptography.
//
// Streams: the conductor splits one scenario seed into independent named streams ("net",
// "node:1", "workload:0", ...) so that adding a node or a workload never shifts the numbers another
// part of the run sees.

/** The four 32-bit words of xoshiro128** state, as unsigned integers. */
export type PrngState = readonly [number, number, number, number];

function splitMix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** 32-bit FNV-1a of a string's UTF-16 code units: turns stream labels and text seeds into numbers. */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(state: PrngState) {
    [this.s0, this.s1, this.s2, this.s3] = state;
  }

  /** A generator from a seed: a uint32, or any text (hashed). */
  static fromSeed(seed: number | string): Prng {
    const n = typeof seed === 'string' ? hashLabel(seed) : seed;
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      throw new RangeError(`PRNG seed must be an integer in [0, 2^32) or a string, got ${seed}`);
    }
    const next = splitMix32(n);
    return new Prng([next(), next(), next(), next()]);
  }

  /** The independent stream named `label` of a scenario seed. */
  static stream(seed: number | string, label: string): Prng {
    const base = typeof seed === 'string' ? hashLabel(seed) : seed >>> 0;
    return Prng.fromSeed((base ^ Math.imul(hashLabel(label), 0x9e3779b1)) >>> 0);
  }

  static fromState(state: PrngState): Prng {
    if (
      state.length !== 4 ||
      state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff) ||
      state.every((w) => w === 0)
    ) {
      throw new RangeError('PRNG state must be four uint32 words, not all zero');
    }
    return new Prng(state);
  }

  state(): PrngState {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** A uniformly distributed uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float in [0, 1) with 32 bits of randomness: the `rand` Raft's config takes. */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** An integer in [lo, hi), without modulo bias. */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi <= lo || hi - lo > 0x1_0000_0000) {
      throw new RangeError(
        `Prng.int needs integers lo < hi within 2^32 of each other, got [${lo}, ${hi})`,
      );
    }
    const span = hi - lo;
    // Reject the top sliver of the uint32 range that would make some results more likely.
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % span);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return lo + (x % span);
  }

  /** True with probability `p` (0 never draws: a zero-probability fault costs no randomness). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /** A bound `() => number` in [0, 1) for code that takes a plain function (Raft's config.rand). */
  asRand(): () => number {
    return () => this.next();
  }
}
