// Majority quorum arithmetic: which index a majority has reached, and how a vote stands.

export type VoteResult = 'VotePending' | 'VoteLost' | 'VoteWon';

/** A set of voter ids whose majority decides. */
export type MajorityConfig = ReadonlySet<number>;

/** Looks up the index a voter has acknowledged (its match index), or undefined if unknown. */
export type AckedIndexer = (id: number) => number | undefined;

/**
 * The largest index that a majority of the voters has acknowledged. An empty config returns
 * Infinity so that in a joint config an empty half never holds the other back.
 */
export function committedIndex(c: MajorityConfig, acked: AckedIndexer): number {
  const n = c.size;
  if (n === 0) return Infinity;
  // Small configs are the norm: an insertion sort as the indexes arrive, with no comparator
  // call or sort scratch (a leader runs this on every append response).
  const srt: number[] = [];
  for (const id of c) {
    const v = acked(id) ?? 0;
    let j = srt.length;
    for (; j > 0 && srt[j - 1]! > v; j--) srt[j] = srt[j - 1]!;
    srt[j] = v;
  }
  // The element at n - (n/2 + 1) in ascending order is acknowledged by a majority.
  return srt[n - (Math.floor(n / 2) + 1)] as number;
}

/**
 * Whether the votes (true = granted) have won, lost or are still pending. An empty config wins,
 * which lets a joint config with an empty outgoing half behave like its incoming half alone.
 */
export function voteResult(c: MajorityConfig, votes: ReadonlyMap<number, boolean>): VoteResult {
  if (c.size === 0) return 'VoteWon';
  let yes = 0;
  let missing = 0;
  for (const id of c) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) yes++;
  }
  const q = Math.floor(c.size / 2) + 1;
  if (yes >= q) return 'VoteWon';
  if (yes + missing >= q) return 'VotePending';
  return 'VoteLost';
}
