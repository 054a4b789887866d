// A ring buffer of the last index of each MsgApp in flight to one follower, bounding how many
// (and how many bytes) the leader sends before hearing back.

export class Inflights {
  private start = 0;
  private count = 0;
  private bytes = 0;
  private readonly buffer: number[] = [];
  private readonly sizes: number[] = [];

  constructor(
    /** Maximum number of messages in flight. */
    readonly size: number,
    /** Maximum payload bytes in flight; Infinity for no limit. */
    readonly maxBytes: number = Infinity,
  ) {
    if (!(size > 0)) throw new RangeError(`inflights size must be positive, got ${size}`);
  }

  /** Records a MsgApp whose last entry is `index` carrying `bytes` of payload. */
  add(index: number, bytes: number): void {
    if (this.full()) throw new Error('cannot add into a full inflights');
    let next = this.start + this.count;
    if (next >= this.size) next -= this.size;
    // Grow lazily: most followers never fill a large window.
    this.buffer[next] = index;
    this.sizes[next] = bytes;
    this.count++;
    this.bytes += bytes;
  }

  /** Frees every message whose last index is <= `to` (they were acknowledged). */
  freeLE(to: number): void {
    if (this.count === 0 || to < (this.buffer[this.start] as number)) return;
    let idx = this.start;
    let i = 0;
    let bytes = 0;
    for (; i < this.count; i++) {
      if (to < (this.buffer[idx] as number)) break;
      bytes += this.sizes[idx] as number;
      idx++;
      if (idx >= this.size) idx -= this.size;
    }
    this.count -= i;
    this.bytes -= bytes;
    this.start = idx;
    if (this.count === 0) this.start = 0;
  }

  full(): boolean {
    return this.count === this.size || this.bytes >= this.maxBytes;
  }

  get countInflight(): number {
    return this.count;
  }

  reset(): void {
    this.count = 0;
    this.start = 0;
    this.bytes = 0;
  }
}
