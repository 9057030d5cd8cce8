/**
 * The k-ary dissection's arithmetic (cli/game/dissection.ts, the contract's contracts/src/Bisection.sol) against
 * independent oracles: the cut's parts tile [lo, hi] with lengths floor or ceil of (hi − lo) / k'; the rounds to
 * converge, exhaustively over every path for small intervals, equal the smallest r with k^r ≥ length; and the
 * honest challenger names the first part whose end it disputes.
 */
import { describe, expect, it } from 'vitest';
import { dissectionRounds, firstDisputedPart, innerPositions, partsOf } from '../../cli/game/dissection.ts';

/** ceil(log_k length) by exponentiation: the smallest r with k^r ≥ length. */
function ceilLog(length: number, k: number): number {
  let r = 0;
  for (let reach = 1n; reach < BigInt(length); reach *= BigInt(k)) r++;
  return r;
}

describe('the cut of [lo, hi]', () => {
  it('has min(k, hi − lo) parts, strictly increasing positions, each part floor or ceil of the mean (exhaustive, lengths 1..120, k 2..20)', () => {
    for (let len = 1; len <= 120; len++) {
      for (let k = 2; k <= 20; k++) {
        const lo = 1000n;
        const hi = lo + BigInt(len);
        const parts = partsOf(lo, hi, k);
        expect(parts).toBe(Math.min(k, len));
        const cut = [lo, ...innerPositions(lo, hi, parts), hi];
        expect(cut).toHaveLength(parts + 1);
        const lengths = cut.slice(1).map((p, i) => Number(p - cut[i]));
        expect(lengths.reduce((a, b) => a + b, 0)).toBe(len);
        for (const l of lengths) expect([Math.floor(len / parts), Math.ceil(len / parts)]).toContain(l);
      }
    }
  });

  it('k = 2 posts the old midpoint floor((lo + hi) / 2), and huge intervals stay exact (bigint)', () => {
    for (const [lo, hi] of [[0n, 2n], [0n, 3n], [5n, 12n], [2n ** 39n, 2n ** 40n + 7n]]) expect(innerPositions(lo, hi, 2)).toEqual([lo + (hi - lo) / 2n]);
    const far = innerPositions(0n, 2n ** 40n, 16);
    expect(far[0]).toBe(2n ** 36n);
    expect(far.at(-1)).toBe(15n * 2n ** 36n);
  });
});

describe('rounds to converge', () => {
  it('the worst path over every choice of part equals ceil(log_k length) (exhaustive, lengths 1..300, k 2..17)', () => {
    for (let k = 2; k <= 17; k++) {
      const worst: number[] = [0, 0];
      for (let len = 2; len <= 300; len++) {
        const n = Math.min(k, len);
        // Every part the challenger may name is floor or ceil of len / n long.
        worst[len] = 1 + Math.max(worst[Math.floor(len / n)], worst[Math.ceil(len / n)]);
        expect(dissectionRounds(len, k), `len ${len}, k ${k}`).toBe(worst[len]);
        expect(worst[len], `len ${len}, k ${k}`).toBe(ceilLog(len, k));
      }
    }
  });

  it('at scale: 2^40 VM steps, 2^20 nodes or tiles', () => {
    expect(dissectionRounds(2 ** 40, 2)).toBe(40);
    expect(dissectionRounds(2 ** 40, 16)).toBe(10);
    expect(dissectionRounds(2 ** 20, 16)).toBe(5);
    expect(dissectionRounds(2 ** 40 + 1, 16)).toBe(11);
    expect(dissectionRounds(1, 16)).toBe(0);
  });
});

describe('the honest challenger\'s part', () => {
  const posted = ['a', 'b', 'c'];
  it('is the first posted state it disputes', () => {
    expect(firstDisputedPart(posted, (i) => ['x', 'b', 'c'][i])).toBe(0);
    expect(firstDisputedPart(posted, (i) => ['a', 'x', 'x'][i])).toBe(1);
    expect(firstDisputedPart(posted, (i) => ['a', 'b', 'x'][i])).toBe(2);
  });

  it('is the last part when it agrees with every posted state (it disputes hi), and it asks no further than needed', () => {
    expect(firstDisputedPart(posted, (i) => posted[i])).toBe(3);
    const asked: number[] = [];
    firstDisputedPart(posted, (i) => (asked.push(i), i === 0 ? 'a' : 'x'));
    expect(asked).toEqual([0, 1]);
  });
});
