/**
 * Shared parts of the fast CPU kernels (fast.ts, fastGemm.ts): the exact requant epilogue, scratch buffers and
 * output slabs. The fast kernels are drop-in replacements for some kernels' reference `execute` (kernel.ts),
 * producing the same words for every input. The references stay the specification (the VM lowerings, the GPU kernels and
 * the judge are pinned to them); test/models/int/fast-kernels.test.ts compares these against them word for
 * word (random shapes, edge values, every zoo model node).
 *
 * Exactness. Every sum here is formed with int32 operations only: `Math.imul(a, b)` is mul32 (the low 32 bits
 * of the exact product, for any int32 a, b) and `(s + p) | 0` is add32 (s + p is an exact double, |s + p| <
 * 2^32 < 2^53, and `| 0` wraps it mod 2^32). Addition mod 2^32 is associative and commutative, so an
 * accumulator that starts at 0, takes the products in any order (blocked, transposed, im2col) and finally gets
 * the bias added with add32 equals the reference's add32 chain `bias + Σ mul32(x, w)` for ALL int32 inputs,
 * not only int8 ones: no range assumption on weights, activations or biases is needed. Padding taps of conv2d
 * are zeros in the im2col buffer: mul32(0, w) = 0 and add32(s, 0) = s, the same as skipping them. The
 * epilogues are requant and clamp32 per element (rq / rqClamp below: the reference's fast path, exactly).
 */
import { requant } from '../../../vm/numerics.ts';
import type { IntOp } from '../graph.ts';
import type { KernelCall } from './kernel.ts';

/** Writes every word of the output `y` (elementCount(call.outDims) words) from the input words. */
export type FastKernel<K extends IntOp> = (call: KernelCall<K>, inputs: Int32Array[], y: Int32Array) => void;

/** One node's fast kernel with its call bound: everything that depends on shapes and attrs only is done. */
export type FastRunner = (inputs: Int32Array[], y: Int32Array) => void;

/**
 * Prepares a fast kernel for one call (geometry, broadcast runs, index tables, hoisted constants) and returns
 * its runner. The executor prepares each node once per graph (execute.ts); throws what the reference would
 * on a shape it cannot take.
 */
export type FastPlanner<K extends IntOp> = (call: KernelCall<K>) => FastRunner;

const TWO52 = 4503599627370496;
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;
/** POW2NEG[s] = 2^-s and HALF[s] = 2^(s-1) (0 for s = 0), s in [0, 52]. */
const POW2NEG = Float64Array.from({ length: 53 }, (_, s) => 2 ** -s);
const HALF = Float64Array.from({ length: 53 }, (_, s) => (s === 0 ? 0 : 2 ** (s - 1)));

/**
 * clamp32(requant(v, m, s), lo, hi) for int32 v, m and s in [0, 63] (callers pass s & 63). The fast path is
 * requant's own (|v·m| < 2^52, s < 53: v·m is an exact double, p + 2^(s-1) an exact integer below 2^53) with
 * the division by 2^s replaced by the multiplication by 2^-s: both are exact power-of-two scalings of the
 * same double (no underflow: |p + half| ≥ 1 or it is 0), so Math.floor sees the same value. `(p + half)` with
 * half = 0 for s = 0 turns -0 into +0 as requant's `p + 0` does. Anything else goes to requant itself. The
 * saturation and clamp are sat32 and min(max(q, lo), hi) written as comparisons on integers.
 */
export function rqClamp(v: number, m: number, s: number, lo: number, hi: number): number {
  const q = rq(v, m, s);
  const t = q < lo ? lo : q;
  return t > hi ? hi : t;
}

/** POW2NEGW[s] = 2^-(s-16) and HALFW[s] = 2^(s-17), s in [17, 63] (0 below). */
const POW2NEGW = Float64Array.from({ length: 64 }, (_, s) => (s >= 17 ? 2 ** -(s - 16) : 0));
const HALFW = Float64Array.from({ length: 64 }, (_, s) => (s >= 17 ? 2 ** (s - 17) : 0));

/** sat32 of an integer-valued double, as comparisons. */
const sat = (q: number): number => (q > INT32_MAX ? INT32_MAX : q < INT32_MIN ? INT32_MIN : q);

/**
 * requant(v, m, s) for int32 v and s in [0, 63]: the fast path above inline, the rest in rqWide (kept out of
 * line so that this stays small enough to inline into the kernels' loops). A non-int32 m goes to requant
 * itself (its s = 0 fast path returns v·m unfloored, which the floor here would not).
 */
export function rq(v: number, m: number, s: number): number {
  const p = v * m;
  if (s < 53 && p < TWO52 && p > -TWO52 && (m | 0) === m) return sat(Math.floor((p + HALF[s]) * POW2NEG[s]));
  return rqWide(v, m, s);
}

/**
 * requant(v, m, s) beyond the fast path (|v·m| ≥ 2^52 or s ≥ 53), or for a non-int32 m. With m an int32 split
 * as m = mh·2^16 + ml (mh = m >> 16, ml = m & 0xffff ≥ 0):
 *   ⌊(v·m + 2^(s-1)) / 2^s⌋ = ⌊(v·mh + ⌊v·ml / 2^16⌋ + 2^(s-17)) / 2^(s-16)⌋   for s ≥ 17
 * (⌊(A·d + B)/(d·e)⌋ = ⌊(A + ⌊B/d⌋)/e⌋ for integers A, B and d, e ≥ 1; here d = 2^16, B = v·ml + 2^(s-1),
 * ⌊B/d⌋ = ⌊v·ml/2^16⌋ + 2^(s-17)). Every term is exact: |v·mh| ≤ 2^46, |v·ml| < 2^47, 2^(s-17) ≤ 2^46, so
 * the sum is an integer below 2^48, and the scalings by powers of two are exact. For s < 17 the path is only
 * taken with |v·m| ≥ 2^52, whose result is beyond ±2^35: saturation by the sign of the product (v·m as a
 * double has the exact product's sign). The fast path is also taken here when it applies, so this equals
 * requant for every int32 v and s in [0, 63].
 */
export function rqWide(v: number, m: number, s: number): number {
  if ((m | 0) !== m) return requant(v, m, s);
  const p = v * m;
  if (s < 53 && p < TWO52 && p > -TWO52) return sat(Math.floor((p + HALF[s]) * POW2NEG[s]));
  if (s < 17) return p > 0 ? INT32_MAX : INT32_MIN;
  const mh = m >> 16;
  const ml = m & 0xffff;
  return sat(Math.floor((v * mh + Math.floor(v * ml * POW2NEG[16]) + HALFW[s]) * POW2NEGW[s]));
}

/** True when requant(v, m, s) = v for every int32 v: m = 2^s (s ≤ 30), e.g. (1, 0) and (2^30, 30) (shiftOf is 0). */
export function isIdentityRescale(m: number, s: number): boolean {
  return shiftOf(m, s) === 0;
}

/** True when x is an int32 number. */
export const isInt32 = (x: number): boolean => (x | 0) === x;

/** A planner as a FastKernel that prepares on every call (one-off calls; the executor prepares once per node). */
export const oneOff =
  <K extends IntOp>(planner: FastPlanner<K>): FastKernel<K> =>
  (call, inputs, y) =>
    planner(call)(inputs, y);

/**
 * The shift j of a rescale that is a rounding right shift: requant(v, 2^k, s) with 0 ≤ k ≤ 30 and s ≥ k is
 * ⌊(v·2^k + 2^(s-1)) / 2^s⌋ = ⌊(v + 2^(j-1)) / 2^j⌋ with j = s − k (numerator and denominator divided by 2^k;
 * for j = 0 it is v). Returns j, or -1 when (m, s) is not of that form.
 */
export function shiftOf(m: number, s: number): number {
  if (!(m > 0 && m <= 2 ** 30 && Number.isInteger(m)) || (m & (m - 1)) !== 0) return -1;
  const k = 31 - Math.clz32(m);
  return s >= k ? s - k : -1;
}

/**
 * ⌊(v + 2^(j-1)) / 2^j⌋ for int32 v, j ≥ 1, with int32 operations only: write v = q·2^j + r (0 ≤ r < 2^j,
 * q = v >> j); the sum is q·2^j + r + 2^(j-1), so the quotient is q + (r ≥ 2^(j-1)), and r ≥ 2^(j-1) is bit
 * j − 1 of v: (v >> (j-1)) & 1. For j ≤ 31 `>>` shifts by j exactly. For j ≥ 32 the quotient is 0:
 * v + 2^(j-1) lies in [2^(j-1) − 2^31, 2^(j-1) + 2^31) ⊂ [0, 2^j). The result is within int32 (no saturation).
 */
const shiftRound = (v: number, j: number): number => (v >> j) + ((v >> (j - 1)) & 1);

/**
 * dst[d + i] = requant(src[o + i], m, s) (saturated), i in [0, n); s in [0, 63]. Exactness: a power-of-two m
 * is shiftOf's rounding shift (shiftRound); otherwise the loop body is rq with its constants hoisted (2^(s-1)
 * and 2^-s looked up once; m checked once to be an int32), so each word is rq's, which is requant's. dst may
 * be src at the same offset (each word is read before it is written).
 */
export function requantInto(src: Int32Array, o: number, dst: Int32Array, d: number, n: number, m: number, s: number): void {
  const j = shiftOf(m, s);
  if (j === 0) copyInto(src, o, dst, d, n);
  else if (j > 0 && j < 32) for (let i = 0; i < n; i++) dst[d + i] = shiftRound(src[o + i], j);
  else if (j >= 32) dst.fill(0, d, d + n);
  else if (s >= 53 || !isInt32(m)) for (let i = 0; i < n; i++) dst[d + i] = rqWide(src[o + i], m, s);
  else {
    const half = HALF[s];
    const scale = POW2NEG[s];
    for (let i = 0; i < n; i++) {
      const v = src[o + i];
      const p = v * m;
      dst[d + i] = p < TWO52 && p > -TWO52 ? sat(Math.floor((p + half) * scale)) : rqWide(v, m, s);
    }
  }
}

/** dst[d + i] = clamp32(requant(src[o + i], m, s), lo, hi), i in [0, n): requantInto's cases with the clamp. */
export function requantClampInto(src: Int32Array, o: number, dst: Int32Array, d: number, n: number, m: number, s: number, lo: number, hi: number): void {
  const j = shiftOf(m, s);
  if (j === 0) clampInto(src, o, dst, d, n, lo, hi);
  else if (j > 0 && j < 32) {
    for (let i = 0; i < n; i++) {
      const q = shiftRound(src[o + i], j);
      const t = q < lo ? lo : q;
      dst[d + i] = t > hi ? hi : t;
    }
  } else if (j >= 32 || s >= 53 || !isInt32(m)) {
    for (let i = 0; i < n; i++) dst[d + i] = rqClamp(src[o + i], m, s, lo, hi);
  } else {
    const half = HALF[s];
    const scale = POW2NEG[s];
    for (let i = 0; i < n; i++) {
      const v = src[o + i];
      const p = v * m;
      const q = p < TWO52 && p > -TWO52 ? sat(Math.floor((p + half) * scale)) : rqWide(v, m, s);
      const t = q < lo ? lo : q;
      dst[d + i] = t > hi ? hi : t;
    }
  }
}

/** dst[d + i] = clamp32(src[o + i], lo, hi) = min(max(·, lo), hi), i in [0, n), as comparisons. */
export function clampInto(src: Int32Array, o: number, dst: Int32Array, d: number, n: number, lo: number, hi: number): void {
  for (let i = 0; i < n; i++) {
    const v = src[o + i];
    const t = v < lo ? lo : v;
    dst[d + i] = t > hi ? hi : t;
  }
}

/** dst[d + i] = src[o + i], i in [0, n). */
export function copyInto(src: Int32Array, o: number, dst: Int32Array, d: number, n: number): void {
  for (let i = 0; i < n; i++) dst[d + i] = src[o + i];
}

/** True when clamp32(x, lo, hi) = x for every int32 x. */
export const isFullClamp = (lo: number, hi: number): boolean => lo <= INT32_MIN && hi >= INT32_MAX;

/** A scratch buffer grown on demand (kernels run one at a time and copy out before returning). */
function scratchBuffer(): (words: number) => Int32Array {
  let buf = new Int32Array(1 << 12);
  return (words) => {
    if (buf.length < words) buf = new Int32Array(Math.max(words, buf.length * 2));
    return buf;
  };
}
export const accumulators = scratchBuffer();
export const tBuffer = scratchBuffer();
export const colBuffer = scratchBuffer();
/** One rescaled operand each (binary's a and b). */
export const operandBufferA = scratchBuffer();
export const operandBufferB = scratchBuffer();

/**
 * Output arrays for the executor: zeroed views bump-allocated from 1 MiB slabs that are never reused (a
 * full slab is dropped and freed by the GC once no view of it is alive), so outputs never alias. One
 * allocation per slab instead of one per tensor; the cost is that a live view keeps its slab alive.
 */
const SLAB_WORDS = 1 << 18;
let slab = new Int32Array(0);
let slabNext = 0;
export function slabWords(words: number): Int32Array {
  if (words > SLAB_WORDS / 4) return new Int32Array(words);
  if (slabNext + words > slab.length) {
    slab = new Int32Array(SLAB_WORDS);
    slabNext = 0;
  }
  return slab.subarray(slabNext, (slabNext += words));
}

/**
 * Arrays whose words never change: a graph's weights, marked by the executor (execute.ts) when it hands them to
 * a kernel. Only these may have derived forms (transposes, packed wasm operands) cached across calls; any other
 * array, e.g. an activation used as a matmul's right operand, is packed afresh on every call, so a caller that
 * reuses an array with new contents can never get a stale product.
 */
const immutable = new WeakSet<Int32Array>();
export function markImmutable(words: Int32Array): void {
  immutable.add(words);
}
export function isImmutable(words: Int32Array): boolean {
  return immutable.has(words);
}
