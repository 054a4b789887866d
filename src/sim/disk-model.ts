// When a node's writes become durable. A write (one Ready's entries and hard state, written as
// one group commit) is durable after the fsync latency, drawn with jitter; a slow-disk fault adds
// a factor. Writes to one disk finish in the order they were issued, as a WAL's fsyncs do: a
// later write never becomes durable before an earlier one.
import type { Prng } from './prng';

export interface DiskSettings {
  /** Median fsync latency in microseconds (etcd's guidance: p99 under 10 ms on good disks). */
  fsyncUs: number;
  /** Extra latency drawn uniformly from [0, fsyncJitterUs]. */
  fsyncJitterUs: number;
}

export const DEFAULT_DISK: DiskSettings = { fsyncUs: 2_000, fsyncJitterUs: 500 };

export class DiskModel {
  private settings: DiskSettings;
  /** 1 when healthy; the slow-disk fault multiplies every fsync by this. */
  private slowFactor = 1;
  private lastDurableAtUs = 0;

  constructor(
    private readonly rng: Prng,
    settings: DiskSettings = DEFAULT_DISK,
  ) {
    this.settings = checked(settings);
  }

  configure(patch: Partial<DiskSettings>): void {
    this.settings = checked({ ...this.settings, ...patch });
  }

  /** Makes every fsync `factor` times slower (1 heals the disk). */
  setSlow(factor: number): void {
    if (!(factor >= 1) || !Number.isFinite(factor)) {
      throw new RangeError(`disk: slow factor must be a finite number >= 1, got ${factor}`);
    }
    this.slowFactor = factor;
  }

  get slow(): number {
    return this.slowFactor;
  }

  /** No write issued now becomes durable sooner than this (jitter only adds, slowness scales). */
  minLatencyUs(): number {
    return Math.round(this.settings.fsyncUs * this.slowFactor);
  }

  /** A write issued at `nowUs` becomes durable at the returned time. */
  write(nowUs: number): number {
    const { fsyncUs, fsyncJitterUs } = this.settings;
    const jitter = fsyncJitterUs > 0 ? this.rng.int(0, fsyncJitterUs + 1) : 0;
    const latency = Math.round((fsyncUs + jitter) * this.slowFactor);
    const at = Math.max(nowUs + latency, this.lastDurableAtUs);
    this.lastDurableAtUs = at;
    return at;
  }

  /** A crash forgets writes in flight: the restarted disk's queue starts empty at `nowUs`. */
  crash(nowUs: number): void {
    this.lastDurableAtUs = nowUs;
  }
}

function checked(s: DiskSettings): DiskSettings {
  for (const k of ['fsyncUs', 'fsyncJitterUs'] as const) {
    if (!Number.isSafeInteger(s[k]) || s[k] < 0) {
      throw new RangeError(
        `disk: ${k} must be a non-negative integer of microseconds, got ${s[k]}`,
      );
    }
  }
  return { ...s };
}
