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
 */
import { div32, isqrt32 } from '../../../vm/numerics.ts';
import { elementCount } from '../graph.ts';
import { loopNest } from './broadcastLoops.ts';
import {
  clampInto,
  isFullClamp,
  isIdentityRescale,
  operandBufferA,
  operandBufferB,
  requantClampInto,
  requantInto,
  type FastPlanner,
  type FastRunner,
} from './fastCommon.ts';
import { binary } from './binary.ts';
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

export const binaryPlan: FastPlanner<'binary'> = ({ attrs, inputDims, outDims }) => {
  const { multA, shiftA, multB, shiftB, multOut, shiftOut, lo, hi } = attrs;
  const op = OP_CODE[attrs.op];
  if (op === undefined || inputDims.length !== 2) binary.outputDims(attrs, inputDims); // throws the reference's error
  const runs = broadcastRuns(inputDims[0], inputDims[1], outDims);
  const total = elementCount(outDims);
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
