/**
 * The k-ary dissection's arithmetic as the contract does it (contracts/src/Bisection.sol; docs/GAME.md,
 * "Dissection"): a post cuts the disputed interval [lo, hi] into k' = min(k, hi − lo) parts at positions
 * p_i = lo + floor(i (hi − lo) / k') and gives the submitter's states at p_1 .. p_{k'−1}; the answer names the part
 * [p_part, p_{part+1}] whose start the challenger agrees with and whose end it disputes.
 */

/** Fewest and most parts a deployment may cut an interval into (DisputeGame's constructor refuses others). */
export const MIN_ARITY = 2;
export const MAX_ARITY = 64;

/** k' = min(k, hi − lo): the parts of the cut of [lo, hi] (1 once converged). */
export function partsOf(lo: bigint, hi: bigint, arity: number): number {
  const len = hi - lo;
  return len < BigInt(arity) ? Number(len) : arity;
}

/** The inner positions p_1 .. p_{parts−1} of the cut of [lo, hi] into `parts` parts, where a post gives states. */
export function innerPositions(lo: bigint, hi: bigint, parts: number): bigint[] {
  const n = BigInt(parts);
  return Array.from({ length: parts - 1 }, (_, i) => lo + ((hi - lo) * BigInt(i + 1)) / n);
}

/**
 * The part an honest challenger names: the first whose end it disputes. `mine(i)` is the challenger's own state at
 * inner position i (0-based, so p_{i+1}); it is asked in increasing order and no further than the first
 * disagreement. When it agrees with every posted state the disagreement is in the last part (it disputes hi).
 */
export function firstDisputedPart(posted: readonly string[], mine: (i: number) => string): number {
  for (let i = 0; i < posted.length; i++) if (mine(i) !== posted[i]) return i;
  return posted.length;
}

/** Rounds (post and answer) to narrow an interval of `length` positions to one: ceil(log_k(length)). */
export function dissectionRounds(length: number, arity: number): number {
  let rounds = 0;
  // Each round keeps at most the longest part, ceil(len / k') (k' = min(k, len)).
  for (let len = length; len > 1; rounds++) len = Math.ceil(len / Math.min(arity, len));
  return rounds;
}
