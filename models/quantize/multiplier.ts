/**
 * Real-valued rescale factors as integer (multiplier, shift) pairs for `requant` (docs/NUMERICS.md):
 * real ≈ mult / 2^shift with mult in [2^30, 2^31) where the shift range allows. Quantization-time only.
 */

export interface FixedMultiplier {
  mult: number;
  shift: number;
}

const MAX_SHIFT = 63;

/** The shift that puts `real` (> 0) in [2^30, 2^31) after scaling. */
function naturalShift(real: number): number {
  return 30 - Math.floor(Math.log2(real));
}

function fit(real: number, shift: number): number {
  return Math.min(2 ** 31 - 1, Math.round(real * 2 ** shift));
}

/** One multiplier. `real` ≤ 0 gives mult 0 (everything maps to 0). */
export function quantizeMultiplier(real: number): FixedMultiplier {
  if (!(real > 0)) return { mult: 0, shift: 0 };
  const shift = Math.min(MAX_SHIFT, Math.max(0, naturalShift(real)));
  return { mult: fit(real, shift), shift };
}

/** Per-channel multipliers sharing one shift (the `RQ` immediate), chosen for the largest factor. */
export function quantizeMultipliers(reals: readonly number[]): { mults: Int32Array; shift: number } {
  const positive = reals.filter((r) => r > 0);
  if (positive.length === 0) return { mults: new Int32Array(reals.length), shift: 0 };
  const shift = Math.min(MAX_SHIFT, Math.max(0, naturalShift(Math.max(...positive))));
  return { mults: Int32Array.from(reals, (r) => (r > 0 ? fit(r, shift) : 0)), shift };
}
