// A read-write lock scheduled in simulated time.
//
// Requests are placed in the order they arrive (non-decreasing time), and each one's duration is
// known when it is placed. The lock is fair between classes, like Go's sync.RWMutex once a
// writer has announced itself:
// - a shared request is granted once every exclusive request placed before it has released
//   (so new readers queue behind a waiting writer, never overtaking it);
// - an exclusive request is granted once every request placed before it, shared or exclusive,
//   has released (so it waits for the readers already in, and writers are FIFO).
// Consequently a grant depends only on requests placed earlier, never on later ones: the grant
// and release time of a request are final the moment it is placed, and the whole schedule is
// summed up by two numbers, the latest release of each class.
export class TimedLock {
  private exclusiveFreeUs = Number.NEGATIVE_INFINITY;
  private sharedFreeUs = Number.NEGATIVE_INFINITY;

  /** When a shared request placed at atUs would be granted. */
  sharedGrantUs(atUs: number): number {
    return Math.max(atUs, this.exclusiveFreeUs);
  }

  /** When an exclusive request placed at atUs would be granted. */
  exclusiveGrantUs(atUs: number): number {
    return Math.max(atUs, this.exclusiveFreeUs, this.sharedFreeUs);
  }

  /** Records a placed shared hold ending at releaseUs. */
  holdShared(releaseUs: number): void {
    this.sharedFreeUs = Math.max(this.sharedFreeUs, releaseUs);
  }

  /** Records a placed exclusive hold ending at releaseUs. */
  holdExclusive(releaseUs: number): void {
    this.exclusiveFreeUs = Math.max(this.exclusiveFreeUs, releaseUs);
  }
}
