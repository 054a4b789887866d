import { describe, expect, it } from 'vitest';
import { committedIndex, jointCommittedIndex, jointVoteResult, voteResult } from './index';

const acked =
  (m: Record<number, number>) =>
  (id: number): number | undefined =>
    m[id];

describe('majority quorum', () => {
  it.each([
    [[1], { 1: 5 }, 5],
    [[1, 2], { 1: 5, 2: 3 }, 3],
    [[1, 2, 3], { 1: 5, 2: 3, 3: 4 }, 4],
    [[1, 2, 3], { 1: 5 }, 0],
    [[1, 2, 3], { 1: 5, 2: 7 }, 5],
    [[1, 2, 3, 4], { 1: 5, 2: 7, 3: 6, 4: 1 }, 5],
    [[1, 2, 3, 4, 5], { 1: 9, 2: 8, 3: 7, 4: 1, 5: 1 }, 7],
  ])('committed index of %j with acks %j is %i', (ids, acks, want) => {
    expect(committedIndex(new Set(ids), acked(acks))).toBe(want);
  });

  it('an empty config commits everything (so a joint half does not hold back)', () => {
    expect(committedIndex(new Set(), acked({}))).toBe(Infinity);
  });

  it.each([
    [[1, 2, 3], { 1: true, 2: true }, 'VoteWon'],
    [[1, 2, 3], { 1: true }, 'VotePending'],
    [[1, 2, 3], { 1: true, 2: false, 3: false }, 'VoteLost'],
    [[1, 2, 3, 4], { 1: true, 2: true }, 'VotePending'],
    [[1, 2, 3, 4], { 1: true, 2: false, 3: false }, 'VoteLost'],
    [[], {}, 'VoteWon'],
  ])('vote in %j with %j is %s', (ids, votes, want) => {
    const m = new Map(Object.entries(votes).map(([k, v]) => [Number(k), v]));
    expect(voteResult(new Set(ids), m)).toBe(want);
  });
});

describe('joint quorum', () => {
  const c = { incoming: new Set([1, 2, 3]), outgoing: new Set([3, 4, 5]) };
  it('commits the minimum of both majorities', () => {
    expect(jointCommittedIndex(c, acked({ 1: 9, 2: 9, 3: 5, 4: 2, 5: 1 }))).toBe(2);
    expect(jointCommittedIndex(c, acked({ 1: 9, 2: 9, 3: 5, 4: 5, 5: 1 }))).toBe(5);
  });
  it('needs both halves to win, and loses if either loses', () => {
    const v = (o: Record<number, boolean>): Map<number, boolean> =>
      new Map(Object.entries(o).map(([k, x]) => [Number(k), x]));
    expect(jointVoteResult(c, v({ 1: true, 2: true }))).toBe('VotePending');
    expect(jointVoteResult(c, v({ 1: true, 2: true, 4: true, 5: true }))).toBe('VoteWon');
    expect(jointVoteResult(c, v({ 1: true, 2: true, 4: false, 5: false }))).toBe('VoteLost');
    expect(jointVoteResult({ incoming: new Set([1]), outgoing: new Set() }, v({ 1: true }))).toBe(
      'VoteWon',
    );
  });
});
