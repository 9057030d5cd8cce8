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

const TWO52 = 4503599627370496;
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

/**
 * requant(v, m, s) for int32 v and s in [0, 63]. Beyond the fast path above (|v·m| ≥ 2^52 or s ≥ 53), with m
 * an int32 split as m = mh·2^16 + ml (mh = m >> 16, ml = m & 0xffff ≥ 0):
 *   ⌊(v·m + 2^(s-1)) / 2^s⌋ = ⌊(v·mh + ⌊v·ml / 2^16⌋ + 2^(s-17)) / 2^(s-16)⌋   for s ≥ 17
 * (⌊(A·d + B)/(d·e)⌋ = ⌊(A + ⌊B/d⌋)/e⌋ for integers A, B and d, e ≥ 1; here d = 2^16, B = v·ml + 2^(s-1),
 * ⌊B/d⌋ = ⌊v·ml/2^16⌋ + 2^(s-17)). Every term is exact: |v·mh| ≤ 2^46, |v·ml| < 2^47, 2^(s-17) ≤ 2^46, so
 * the sum is an integer below 2^48, and the scalings by powers of two are exact. For s < 17 the path is only
 * taken with |v·m| ≥ 2^52, whose result is beyond ±2^35: saturation by the sign of the product (v·m as a
 * double has the exact product's sign). A non-int32 m goes to requant itself.
 */
export function rq(v: number, m: number, s: number): number {
  const p = v * m;
  let q: number;
  if (s < 53 && p < TWO52 && p > -TWO52) {
    q = Math.floor((p + HALF[s]) * POW2NEG[s]);
  } else if ((m | 0) !== m) {
    return requant(v, m, s);
  } else if (s >= 17) {
    const mh = m >> 16;
    const ml = m & 0xffff;
    q = Math.floor((v * mh + Math.floor(v * ml * POW2NEG[16]) + HALFW[s]) * POW2NEGW[s]);
  } else {
    return p > 0 ? 2147483647 : -2147483648;
  }
  return q > 2147483647 ? 2147483647 : q < -2147483648 ? -2147483648 : q;
}

/** Scratch accumulators, grown on demand (kernels run one at a time and copy out before returning). */
let scratch = new Int32Array(1 << 12);
export function accumulators(words: number): Int32Array {
  if (scratch.length < words) scratch = new Int32Array(Math.max(words, scratch.length * 2));
  return scratch;
}
let tScratch = new Int32Array(1 << 12);
export function tBuffer(words: number): Int32Array {
  if (tScratch.length < words) tScratch = new Int32Array(Math.max(words, tScratch.length * 2));
  return tScratch;
}
let colScratch = new Int32Array(1 << 12);
export function colBuffer(words: number): Int32Array {
  if (colScratch.length < words) colScratch = new Int32Array(Math.max(words, colScratch.length * 2));
  return colScratch;
}

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
