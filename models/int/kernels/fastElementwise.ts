/**
 * Fast elementwise kernels: binary (broadcasting add/sub/mul/div), lut, clamp, sqrt, copy. Each is prepared
 * once per call (FastPlanner, fastCommon.ts) and produces the reference `execute`'s words for every input.
 *
 * binary, why it is exact. The reference computes, per output element i,
 *   y_i = clamp32(R_out(op(R_A(a[ia_i]), R_B(b[ib_i]))), lo, hi)
 * with R_X = requant(·, multX, shiftX), skipped when it is the identity. R_A and R_B are functions of one
 * operand word, so they are applied once per operand word (into a scratch copy) instead of once per output
 * element: the words the op then sees are the same. An R that is the identity for every int32 (m = 2^s,
 * isIdentityRescale) is skipped as the reference skips (1, 0). The op is applied with the reference's
 * formulas (add32 = `(a + b) | 0`, sub32, mul32 = Math.imul, div32) over broadcast runs, and R_out and the
 * clamp are requantClampInto's loop (rq's words). The runs are the reference's broadcast index walked as a
 * loop nest (loopNest: size-1 dims dropped, contiguous neighbours merged): the innermost level is one run
 * with operand strides 0 or 1, the outer levels' start offsets are listed once per call.
 * The patterns the quantizers emit (add/sub with a rescaled operand and a power-of-two output rescale, mul
 * with a general output multiplier, div with a rescaled dividend) run instead as one fused pass per element
 * with no intermediate buffer (fusedPlan): an operand whose words are each used once is rescaled inline by Rq
 * (requant as call-free double arithmetic, exact for every int32 word), the rest as above.
 */
import { div32, isqrt32 } from '../../../vm/numerics.ts';
import { elementCount, type IntAttrs } from '../graph.ts';
import { loopNest } from './broadcastLoops.ts';
import {
  clampInto,
  isFullClamp,
  isIdentityRescale,
  isInt32,
  operandBufferA,
  operandBufferB,
  requantClampInto,
  requantInto,
  shiftOf,
  type FastPlanner,
  type FastRunner,
} from './fastCommon.ts';
import { binary } from './binary.ts';
import type { KernelCall } from './kernel.ts';
import { LUT_OFFSET } from './lut.ts';

const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const OP_CODE: Record<string, number> = { add: ADD, sub: SUB, mul: MUL, div: DIV };

/**
 * The broadcast walk of a binary call: runs of `n` outputs, run r starting at a[starts[3r]], b[starts[3r+1]],
 * y[starts[3r+2]], stepping a by `sa` and b by `sb` (0 or 1) per output.
 */
interface Runs {
  n: number;
  sa: number;
  sb: number;
  starts: Int32Array;
}

/** The runs of broadcasting a (aDims) and b (bDims) to outDims. */
export function broadcastRuns(aDims: readonly number[], bDims: readonly number[], outDims: readonly number[]): Runs {
  if (elementCount(outDims) === 0) return { n: 0, sa: 0, sb: 0, starts: new Int32Array(0) };
  const { counts, strides } = loopNest(outDims, [aDims, bDims, outDims]);
  const depth = counts.length;
  if (depth === 0) return { n: 1, sa: 0, sb: 0, starts: new Int32Array(3) };
  const outer = counts.slice(0, depth - 1);
  const runs = elementCount(outer);
  const starts = new Int32Array(3 * runs);
  const coord = new Array<number>(outer.length).fill(0);
  const pos = [0, 0, 0];
  for (let r = 0; r < runs; r++) {
    starts.set(pos, 3 * r);
    // odometer over the outer levels, innermost of them first
    for (let l = outer.length - 1; l >= 0; l--) {
      coord[l]++;
      for (let k = 0; k < 3; k++) pos[k] += strides[k][l];
      if (coord[l] < outer[l]) break;
      for (let k = 0; k < 3; k++) pos[k] -= coord[l] * strides[k][l];
      coord[l] = 0;
    }
  }
  return { n: counts[depth - 1], sa: strides[0][depth - 1], sb: strides[1][depth - 1], starts };
}

/** y = op(a, b) over the runs, with the reference's int32 formulas; one loop per op (monomorphic bodies). */
function combine(op: number, a: Int32Array, b: Int32Array, y: Int32Array, { n, sa, sb, starts }: Runs): void {
  for (let r = 0; r < starts.length; r += 3) {
    let pa = starts[r];
    let pb = starts[r + 1];
    const po = starts[r + 2];
    const end = po + n;
    if (op === ADD) for (let o = po; o < end; o++, pa += sa, pb += sb) y[o] = (a[pa] + b[pb]) | 0;
    else if (op === SUB) for (let o = po; o < end; o++, pa += sa, pb += sb) y[o] = (a[pa] - b[pb]) | 0;
    else if (op === MUL) for (let o = po; o < end; o++, pa += sa, pb += sb) y[o] = Math.imul(a[pa], b[pb]);
    else for (let o = po; o < end; o++, pa += sa, pb += sb) y[o] = div32(a[pa], b[pb]);
  }
}

/** An operand's rescale: the words themselves when it is the identity, else a scratch copy rescaled by requant. */
function operandRescale(mult: number, shift: number, scratch: (words: number) => Int32Array): (x: Int32Array) => Int32Array {
  const s = shift & 63;
  if (isIdentityRescale(mult, s)) return (x) => x;
  return (x) => {
    const t = scratch(x.length);
    requantInto(x, 0, t, 0, x.length, mult, s);
    return t;
  };
}

/** The output epilogue in place: clamp32(requant(t, mult, shift), lo, hi), its identity parts skipped. */
function outputEpilogue(mult: number, shift: number, lo: number, hi: number): (y: Int32Array, n: number) => void {
  const s = shift & 63;
  if (!isIdentityRescale(mult, s)) return (y, n) => requantClampInto(y, 0, y, 0, n, mult, s, lo, hi);
  if (isFullClamp(lo, hi)) return () => {};
  return (y, n) => clampInto(y, 0, y, 0, n, lo, hi);
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TWO52 = 4503599627370496;
const TWO_NEG16 = 1 / 65536;

/**
 * requant(v, m, s) for an int32 m (s = shift & 63) and every int32 v as straight-line double arithmetic with
 * no call, so that it can sit inside the fused loop: x = v·m (a double), then
 *   q = |x| < T ? ⌊(x + h)·sc⌋ : ⌊(v·mh + ⌊v·ml·2^−16⌋ + H)·S⌋,   followed by sat32,
 * with h = 2^(s−1) (0 for s = 0), sc = 2^−s, mh = m >> 16, ml = m & 0xffff, H = 2^(s−17), S = 2^−(s−16), and
 *   T = ∞ for s ≤ 21 (always the first form), 2^52 for 22 ≤ s ≤ 52, 0 for s ≥ 53 (always the second form).
 * Why this is requant's word:
 *   First form with |v·m| < 2^52: x is the exact product (|x| < 2^52 iff the exact product is below 2^52, as
 *     rounding is monotonic and 2^52 a double), and this is rq's fast path (fastCommon.ts): x + h is an
 *     exact integer below 2^53, multiplying by 2^−s is an exact power-of-two scaling (no underflow), so
 *     Math.floor sees requant's value; h = 0 for s = 0 turns −0 into +0 as requant's `p + 0` does.
 *   First form with |v·m| ≥ 2^52 (only for s ≤ 21): requant saturates, |⌊(v·m + 2^(s−1))/2^s⌋| ≥ 2^31 with
 *     the product's sign (⌊(2^52 + 2^(s−1))/2^s⌋ ≥ 2^31 and ⌊(−2^52 + 2^(s−1))/2^s⌋ ≤ −2^31 for s ≤ 21).
 *     The rounded x has that sign and |x| ≥ 2^52 (monotonic rounding); then fl(x + h) ≥ 2^52 or
 *     ≤ −2^52 + 2^(s−1) (h ≤ 2^20, both bounds doubles), so q ≥ 2^31 or q ≤ ⌊−2^(52−s) + 1/2⌋ ≤ −2^31, and
 *     sat32 gives the same INT32_MAX or INT32_MIN.
 *   Second form (s ≥ 22 and |v·m| ≥ 2^52, or s ≥ 53): rqWide's identity (fastCommon.ts), valid for every
 *     integer v and s ≥ 17: with m = mh·2^16 + ml, ⌊(v·m + 2^(s−1))/2^s⌋ = ⌊(v·mh + ⌊v·ml/2^16⌋ + 2^(s−17))
 *     / 2^(s−16)⌋, every term exact (|v·mh| ≤ 2^46, |v·ml| < 2^47, 2^(s−17) ≤ 2^46, the sum below 2^49, the
 *     scalings by powers of two exact).
 * A power-of-two m takes the same formula (it is an int32 m like any other).
 */
interface Rq {
  m: number;
  h: number;
  sc: number;
  T: number;
  mh: number;
  ml: number;
  H: number;
  S: number;
}

function rqOf(mult: number, shift: number): Rq | undefined {
  if (!isInt32(mult)) return undefined;
  const s = shift & 63;
  return {
    m: mult,
    h: s === 0 ? 0 : 2 ** (s - 1),
    sc: 2 ** -s,
    T: s <= 21 ? Infinity : s < 53 ? TWO52 : 0,
    mh: mult >> 16,
    ml: mult & 0xffff,
    H: s >= 17 ? 2 ** (s - 17) : 0,
    S: s >= 17 ? 2 ** -(s - 16) : 0,
  };
}

/** The rounding right shift of a power-of-two rescale (shiftOf = j in [1, 31]); see `shiftOut`. */
interface Shift {
  j: number;
  jm1: number;
  bit: number;
}

/**
 * The power-of-two output rescale of the fused loops (shiftOf = j in [0, 31]), applied as
 * (t >> j) + ((t >> jm1) & bit) with jm1 = j − 1, bit = 1 for j ≥ 1: shiftRound of fastCommon.ts,
 * ⌊(t + 2^(j−1)) / 2^j⌋ (the added term is bit j − 1 of t), exact and within int32; jm1 = bit = 0 for j = 0:
 * t itself (m = 2^s, the identity, which the reference skips or computes as t). Then the clamp.
 */
function shiftOut(mult: number, shift: number): Shift | undefined {
  const j = shiftOf(mult, shift & 63);
  if (j < 0 || j > 31) return undefined;
  return { j, jm1: j === 0 ? 0 : j - 1, bit: j === 0 ? 0 : 1 };
}

/*
 * The fused loops: one pass over the output computing R_A, R_B, the op, R_out and the clamp per element, with
 * no intermediate buffer and no call, each for one pattern the quantizers emit (a loop per pattern keeps each
 * body small and its branches few: V8 compiles a loop with many loop-invariant branches much worse). An
 * operand rescaled inline is an Rq whose words are each used once (its word count is the output's, so its
 * flat index is the output's, o); an operand taken as words was rescaled beforehand (operandRescale) or has
 * the identity rescale, and is walked by the runs. Rq results are saturated before the op, as requant's are;
 * an output Rq is not (the clamp subsumes sat32: Rq's comment). The ops are the reference's formulas on the
 * rescaled words ta, tb (int32-valued numbers): add32 `(ta + tb) | 0`, sub32 `(ta − tb) | 0` (exact sums below
 * 2^33, wrapped mod 2^32), mul32 `Math.imul`, div32 `tb === 0 ? 0 : (ta / tb) | 0`.
 */

/**
 * add / sub with operand p rescaled inline (P), q as words over the runs (word offset qk of each run start,
 * step qs), the output a power-of-two rescale: t = p' + q (form 0), p' − q (1) or q − p' (2).
 */
function addSubInlineShift(form: number, p: Int32Array, P: Rq, q: Int32Array, qk: number, qs: number, y: Int32Array, { n, starts }: Runs, O: Shift, lo: number, hi: number): void {
  const { m, h, sc, T, mh, ml, H, S } = P;
  const { j, jm1, bit } = O;
  for (let r = 0; r < starts.length; r += 3) {
    let iq = starts[r + qk];
    const po = starts[r + 2];
    const end = po + n;
    for (let o = po; o < end; o++, iq += qs) {
      const v = p[o];
      const x = v * m;
      let a = x < T && x > -T ? Math.floor((x + h) * sc) : Math.floor((v * mh + Math.floor(v * ml * TWO_NEG16) + H) * S);
      a = a > INT32_MAX ? INT32_MAX : a < INT32_MIN ? INT32_MIN : a;
      const w = q[iq];
      const t = (form === 0 ? a + w : form === 1 ? a - w : w - a) | 0;
      const z = (t >> j) + ((t >> jm1) & bit);
      const c = z < lo ? lo : z;
      y[o] = c > hi ? hi : c;
    }
  }
}

/** add / sub with both operands rescaled inline (each word used once: a, b and y share the flat index), the output a power-of-two rescale. */
function addSubBothShift(sub: boolean, a: Int32Array, A: Rq, b: Int32Array, B: Rq, y: Int32Array, total: number, O: Shift, lo: number, hi: number): void {
  const { m: am, h: ah, sc: asc, T: aT, mh: amh, ml: aml, H: aH, S: aS } = A;
  const { m: bm, h: bh, sc: bsc, T: bT, mh: bmh, ml: bml, H: bH, S: bS } = B;
  const { j, jm1, bit } = O;
  for (let o = 0; o < total; o++) {
    const v = a[o];
    const x = v * am;
    let ta = x < aT && x > -aT ? Math.floor((x + ah) * asc) : Math.floor((v * amh + Math.floor(v * aml * TWO_NEG16) + aH) * aS);
    ta = ta > INT32_MAX ? INT32_MAX : ta < INT32_MIN ? INT32_MIN : ta;
    const w = b[o];
    const xb = w * bm;
    let tb = xb < bT && xb > -bT ? Math.floor((xb + bh) * bsc) : Math.floor((w * bmh + Math.floor(w * bml * TWO_NEG16) + bH) * bS);
    tb = tb > INT32_MAX ? INT32_MAX : tb < INT32_MIN ? INT32_MIN : tb;
    const t = (sub ? ta - tb : ta + tb) | 0;
    const z = (t >> j) + ((t >> jm1) & bit);
    const c = z < lo ? lo : z;
    y[o] = c > hi ? hi : c;
  }
}

/** mul of two word operands over the runs, the output an Rq (no sat32: the clamp subsumes it). */
function mulRq(a: Int32Array, b: Int32Array, y: Int32Array, { n, sa, sb, starts }: Runs, O: Rq, lo: number, hi: number): void {
  const { m, h, sc, T, mh, ml, H, S } = O;
  for (let r = 0; r < starts.length; r += 3) {
    let pa = starts[r];
    let pb = starts[r + 1];
    const po = starts[r + 2];
    const end = po + n;
    for (let o = po; o < end; o++, pa += sa, pb += sb) {
      const t = Math.imul(a[pa], b[pb]);
      const x = t * m;
      const z = x < T && x > -T ? Math.floor((x + h) * sc) : Math.floor((t * mh + Math.floor(t * ml * TWO_NEG16) + H) * S);
      const c = z < lo ? lo : z;
      y[o] = c > hi ? hi : c;
    }
  }
}

/** div with the dividend rescaled inline (A, its words each used once), the divisor as words over the runs, the output a power-of-two rescale. */
function divInlineShift(a: Int32Array, A: Rq, b: Int32Array, y: Int32Array, { n, sb, starts }: Runs, O: Shift, lo: number, hi: number): void {
  const { m, h, sc, T, mh, ml, H, S } = A;
  const { j, jm1, bit } = O;
  for (let r = 0; r < starts.length; r += 3) {
    let pb = starts[r + 1];
    const po = starts[r + 2];
    const end = po + n;
    for (let o = po; o < end; o++, pb += sb) {
      const v = a[o];
      const x = v * m;
      let ta = x < T && x > -T ? Math.floor((x + h) * sc) : Math.floor((v * mh + Math.floor(v * ml * TWO_NEG16) + H) * S);
      ta = ta > INT32_MAX ? INT32_MAX : ta < INT32_MIN ? INT32_MIN : ta;
      const tb = b[pb];
      const t = tb === 0 ? 0 : (ta / tb) | 0;
      const z = (t >> j) + ((t >> jm1) & bit);
      const c = z < lo ? lo : z;
      y[o] = c > hi ? hi : c;
    }
  }
}

/**
 * The fused plan of a binary call, or undefined when none of the fused loops fits (then: operands rescaled
 * into scratch, combine, the output epilogue in place). For lo, hi int32:
 *   add / sub, output a power of two (shiftOut), an operand with an int32, non-identity rescale whose words
 *     are each used once: that operand inline (both when both are such), the other as words;
 *   mul, output an int32 non-power-of-two multiplier (Rq): both operands as words;
 *   div, output a power of two, the dividend such an operand: inline, the divisor as words.
 * An operand taken as words is rescaled once per word into scratch first unless its rescale is the
 * identity (operandRescale, as in the unfused plan).
 */
/** The fused loops by name (fusedBinaryLoop). */
export type FusedLoop = 'addSubInlineShift' | 'addSubBothShift' | 'mulRq' | 'divInlineShift';

function fusedPlan(op: number, attrs: IntAttrs['binary'], aWords: number, bWords: number, runs: Runs, total: number): { loop: FusedLoop; run: FastRunner } | undefined {
  const { multA, shiftA, multB, shiftB, multOut, shiftOut: sOut, lo, hi } = attrs;
  if (!isInt32(lo) || !isInt32(hi)) return undefined;
  const inline = (mult: number, shift: number, words: number): Rq | undefined =>
    isIdentityRescale(mult, shift & 63) || words !== total ? undefined : rqOf(mult, shift);
  const A = inline(multA, shiftA, aWords);
  const B = inline(multB, shiftB, bWords);
  const ra = operandRescale(multA, shiftA, operandBufferA);
  const rb = operandRescale(multB, shiftB, operandBufferB);
  const sh = shiftOut(multOut, sOut);
  if (op === ADD || op === SUB) {
    if (!sh) return undefined;
    if (A && B) return { loop: 'addSubBothShift', run: ([a, b], y) => addSubBothShift(op === SUB, a, A, b, B, y, total, sh, lo, hi) };
    if (A) return { loop: 'addSubInlineShift', run: ([a, b], y) => addSubInlineShift(op === SUB ? 1 : 0, a, A, rb(b), 1, runs.sb, y, runs, sh, lo, hi) };
    if (B) return { loop: 'addSubInlineShift', run: ([a, b], y) => addSubInlineShift(op === SUB ? 2 : 0, b, B, ra(a), 0, runs.sa, y, runs, sh, lo, hi) };
    return undefined;
  }
  if (op === MUL) {
    const O = sh ? undefined : rqOf(multOut, sOut);
    return O && { loop: 'mulRq', run: ([a, b], y) => mulRq(ra(a), rb(b), y, runs, O, lo, hi) };
  }
  return sh && A && { loop: 'divInlineShift', run: ([a, b], y) => divInlineShift(a, A, rb(b), y, runs, sh, lo, hi) };
}

/** Which fused loop runs a binary call, or undefined for the unfused plan (for tests: each loop is exercised). */
export function fusedBinaryLoop({ attrs, inputDims, outDims }: KernelCall<'binary'>): FusedLoop | undefined {
  const op = OP_CODE[attrs.op];
  if (op === undefined) return undefined;
  const total = elementCount(outDims);
  return fusedPlan(op, attrs, elementCount(inputDims[0]), elementCount(inputDims[1]), broadcastRuns(inputDims[0], inputDims[1], outDims), total)?.loop;
}

export const binaryPlan: FastPlanner<'binary'> = ({ attrs, inputDims, outDims }) => {
  const { multA, shiftA, multB, shiftB, multOut, shiftOut, lo, hi } = attrs;
  const op = OP_CODE[attrs.op];
  if (op === undefined || inputDims.length !== 2) binary.outputDims(attrs, inputDims); // throws the reference's error
  const runs = broadcastRuns(inputDims[0], inputDims[1], outDims);
  const total = elementCount(outDims);
  const fused = fusedPlan(op, attrs, elementCount(inputDims[0]), elementCount(inputDims[1]), runs, total);
  if (fused) return fused.run;
  const ra = operandRescale(multA, shiftA, operandBufferA);
  const rb = operandRescale(multB, shiftB, operandBufferB);
  const out = outputEpilogue(multOut, shiftOut, lo, hi);
  return ([a, b], y) => {
    combine(op, ra(a), rb(b), y, runs);
    out(y, total);
  };
};

/** lut: y = table[clamp32(x, -128, 127) + 128], the clamp as comparisons. */
export const lutPlan: FastPlanner<'lut'> = () => ([x, table], y) => {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    y[i] = table[(v < -128 ? -128 : v > 127 ? 127 : v) + LUT_OFFSET];
  }
};

/** clamp: y = clamp32(x, lo, hi) (a copy when the clamp is the identity). */
export const clampPlan: FastPlanner<'clamp'> = ({ attrs: { lo, hi } }) => {
  if (isFullClamp(lo, hi)) return ([x], y) => y.set(x);
  return ([x], y) => clampInto(x, 0, y, 0, x.length, lo, hi);
};

/**
 * sqrt: y = clamp32(requant(isqrt32(requant(x, mult, shift)), 1, frac), lo, hi): the first requant is
 * requantInto's loop (into y), the second requantClampInto's (in place), isqrt32 between them per word.
 */
export const sqrtPlan: FastPlanner<'sqrt'> = ({ attrs: { mult, shift, frac, lo, hi } }) => {
  const s = shift & 63;
  const f = frac & 63;
  return ([x], y) => {
    const n = x.length;
    requantInto(x, 0, y, 0, n, mult, s);
    for (let i = 0; i < n; i++) y[i] = isqrt32(y[i]);
    requantClampInto(y, 0, y, 0, n, 1, f, lo, hi);
  };
};

/** copy: the words unchanged. */
export const copyPlan: FastPlanner<'copy'> = (): FastRunner => ([x], y) => y.set(x);
