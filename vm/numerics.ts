/**
 * The integer arithmetic of opml (docs/NUMERICS.md), the living definition that the Solidity judge and every
 * executor kernel must match bit for bit. All inputs and outputs are int32 numbers; no BigInt, no float
 * rounding: every double used below holds an exactly representable integer.
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const TWO32 = 4294967296;
/** POW2[i] = 2^i for i in [0, 64]: a table lookup, since `2 ** s` with a variable s is a slow Math.pow call. */
const POW2 = Float64Array.from({ length: 65 }, (_, i) => 2 ** i);

/** Wrap any safe integer to int32 (two's complement). */
export function wrap32(x: number): number {
  return Number(BigInt.asIntN(32, BigInt(x)));
}

/** `wrap32(a + b)`. */
export const add32 = (a: number, b: number): number => (a + b) | 0;
/** `wrap32(a - b)`. */
export const sub32 = (a: number, b: number): number => (a - b) | 0;
/** Low 32 bits of the product. */
export const mul32 = (a: number, b: number): number => Math.imul(a, b);

/** High word of the signed 64-bit product: `floor(a * b / 2^32)`. */
export function mulhi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >> 16;
  const bl = b & 0xffff;
  const bh = b >> 16;
  // a*b = ah*bh*2^32 + (al*bh + ah*bl + carry)*2^16 + low16, every partial exact in a double.
  const mid = al * bh + ah * bl + ((al * bl) >>> 16);
  return (ah * bh + Math.floor(mid / 65536)) | 0;
}

/** Truncating division; 0 when b = 0; `div32(INT32_MIN, -1) = INT32_MIN`. Exact: |a/b| rounding never crosses an integer. */
export const div32 = (a: number, b: number): number => (b === 0 ? 0 : (a / b) | 0);
/** `wrap32(a * 2^(s mod 32))`. */
export const shl32 = (a: number, s: number): number => a << s;
/** Arithmetic shift right by `s mod 32`. */
export const sra32 = (a: number, s: number): number => a >> s;
/** Logical shift right of the bit pattern by `s mod 32`, reinterpreted as int32. */
export const srl32 = (a: number, s: number): number => (a >>> s) | 0;

/** Saturate an integer-valued double to int32. */
export const sat32 = (x: number): number => (x > INT32_MAX ? INT32_MAX : x < INT32_MIN ? INT32_MIN : x);

/** `min(max(x, lo), hi)`. */
export const clamp32 = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);

/** Rounding right shift of an int32 by s in [0, 63]: `floor((x + 2^(s-1)) / 2^s)`, ties toward +infinity. */
export function rshr32(x: number, s: number): number {
  if (s === 0) return x;
  return Math.floor((x + POW2[s - 1]) / POW2[s]);
}

/**
 * `sat32(rshr(x * m, s mod 64))` on the exact 64-bit product. Small products are exact doubles; larger ones
 * are held as a (hi, lo) pair of doubles; adding the rounding constant and shifting are power-of-two
 * scalings, so nothing rounds until the value is far outside int32, where saturation gives the same answer.
 */
export function requant(x: number, m: number, s: number): number {
  s &= 63;
  // Fast path: a product below 2^52 and a shift below 53 keep p + 2^(s-1) under 2^53, so the double
  // arithmetic is exact (dividing by 2^s only scales the exponent).
  const p = x * m;
  if (s < 53 && p < 4503599627370496 && p > -4503599627370496) {
    return sat32(s === 0 ? p + 0 : Math.floor((p + POW2[s - 1]) / POW2[s])); // p + 0 turns -0 into 0
  }
  let hi = mulhi32(x, m);
  let lo = Math.imul(x, m) >>> 0;
  if (s === 0) return sat32(hi * TWO32 + lo);
  if (s <= 32) {
    lo += POW2[s - 1];
    if (lo >= TWO32) {
      lo -= TWO32;
      hi += 1;
    }
  } else {
    hi += POW2[s - 33];
  }
  if (s < 32) return sat32(hi * POW2[32 - s] + Math.floor(lo / POW2[s]));
  return sat32(Math.floor(hi / POW2[s - 32]));
}

/** `floor(sqrt(a))` for a > 0, else 0. Exact: the double square root of an int32 never rounds across an integer. */
export const isqrt32 = (a: number): number => (a <= 0 ? 0 : Math.floor(Math.sqrt(a)));
