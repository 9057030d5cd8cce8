/**
 * Fast CPU kernels: drop-in replacements for some kernels' reference `execute` (kernel.ts), producing the
 * same words for every input. The references stay the specification (the VM lowerings, the GPU kernels and
 * the judge are pinned to them); test/models/int/fast-kernels.test.ts compares these against them word for
 * word (random shapes, edge values, every zoo model node). Why they are exact: fastCommon.ts. The products
 * (matmul, conv2d) are in fastGemm.ts; this file holds the others and the table by op.
 */
import { div32, isqrt32 } from '../../../vm/numerics.ts';
import { broadcastIndex } from '../../shape.ts';
import type { IntOp } from '../graph.ts';
import { colBuffer, rq, tBuffer, type FastKernel } from './fastCommon.ts';
import { conv2dFast, matmulFast } from './fastGemm.ts';
import type { KernelCall } from './kernel.ts';
import { layernormRows } from './layernorm.ts';
import { LUT_OFFSET } from './lut.ts';
import { softmaxRows } from './softmax.ts';
import { transposeSources } from './transpose.ts';
import { windowGeometry } from './window2d.ts';

export { rq, slabWords, type FastKernel } from './fastCommon.ts';

export const maxpool2dFast: FastKernel<'maxpool2d'> = (call, [x], y) => {
  if (call.inputDims.length !== 1) throw new Error('maxpool2d: takes one input');
  const { n, c, h, w, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw } = windowGeometry('maxpool2d', call.attrs, call.inputDims[0]);
  const { lo, hi } = call.attrs;
  // Per axis, the valid tap range of each output (the same ranges as the reference's skip tests).
  const ranges = tBuffer(2 * (oh + ow));
  const ky0 = ranges.subarray(0, oh), ky1 = ranges.subarray(oh, 2 * oh);
  const kx0 = ranges.subarray(2 * oh, 2 * oh + ow), kx1 = ranges.subarray(2 * oh + ow, 2 * (oh + ow));
  validTaps(ky0, ky1, oh, kh, sh, pt, dh, h);
  validTaps(kx0, kx1, ow, kw, sw, pl, dw, w);
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let yo = 0; yo < oh; yo++) {
      const ya = ky0[yo], yz = ky1[yo];
      for (let xo = 0; xo < ow; xo++) {
        const xa = kx0[xo], xz = kx1[xo];
        let mx = lo;
        for (let ky = ya; ky < yz; ky++) {
          const row = base + (yo * sh - pt + ky * dh) * w + xo * sw - pl;
          for (let kx = xa; kx < xz; kx++) {
            const v = x[row + kx * dw];
            if (v > mx) mx = v;
          }
        }
        y[o++] = mx < hi ? mx : hi;
      }
    }
  }
};

/** Broadcast index arrays, cached by (operand dims, output dims): the graph's dims never change. */
const indexCache = new Map<string, Int32Array>();
function cachedIndex(dims: readonly number[], outDims: readonly number[]): Int32Array | undefined {
  const same = dims.length === outDims.length && dims.every((d, i) => d === outDims[i]);
  if (same) return undefined; // identity: index i
  const key = `${dims}|${outDims}`;
  let idx = indexCache.get(key);
  if (!idx) {
    idx = broadcastIndex(dims, outDims);
    if (indexCache.size > 4096) indexCache.clear();
    indexCache.set(key, idx);
  }
  return idx;
}

const OP_CODE = { add: 0, sub: 1, mul: 2, div: 3 } as const;

export const binaryFast: FastKernel<'binary'> = ({ attrs, inputDims, outDims }, [a, b], y) => {
  const { multA, shiftA, multB, shiftB, multOut, shiftOut, lo, hi } = attrs;
  const op = OP_CODE[attrs.op];
  if (op === undefined) throw new Error(`binary: unknown op "${attrs.op}"`);
  let len = 1;
  for (const d of outDims) len *= d;
  const ia = cachedIndex(inputDims[0], outDims);
  const ib = cachedIndex(inputDims[1], outDims);
  const idA = multA === 1 && shiftA === 0;
  const idB = multB === 1 && shiftB === 0;
  const idOut = multOut === 1 && shiftOut === 0;
  const sA = shiftA & 63, sB = shiftB & 63, sOut = shiftOut & 63;
  for (let i = 0; i < len; i++) {
    const ra = ia === undefined ? a[i] : a[ia[i]];
    const rb = ib === undefined ? b[i] : b[ib[i]];
    const va = idA ? ra : rq(ra, multA, sA);
    const vb = idB ? rb : rq(rb, multB, sB);
    const t = op === 0 ? (va + vb) | 0 : op === 1 ? (va - vb) | 0 : op === 2 ? Math.imul(va, vb) : div32(va, vb);
    const q = idOut ? t : rq(t, multOut, sOut);
    const c = q < lo ? lo : q;
    y[i] = c > hi ? hi : c;
  }
};

export const copyFast: FastKernel<'copy'> = (_call, [x], y) => y.set(x);

export const lutFast: FastKernel<'lut'> = (_call, [x, table], y) => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = table[(v < -128 ? -128 : v > 127 ? 127 : v) + LUT_OFFSET];
  }
};

/**
 * Per output position along one axis, the range [first[o], end[o]) of kernel taps that land inside the input
 * (the reference's skip tests, as a range): input i = o·stride − pad + k·dilation.
 */
function validTaps(first: Int32Array, end: Int32Array, outs: number, taps: number, stride: number, pad: number, dilation: number, size: number): void {
  for (let o = 0; o < outs; o++) {
    let a = taps, z = 0;
    for (let k = 0; k < taps; k++) {
      const i = o * stride - pad + k * dilation;
      if (i >= 0 && i < size) { a = Math.min(a, k); z = k + 1; }
    }
    first[o] = a; end[o] = Math.max(a, z);
  }
}

/** Source index of every output word of a transpose, cached by (perm, input dims). */
const permCache = new Map<string, Int32Array>();
export const transposeFast: FastKernel<'transpose'> = ({ attrs: { perm }, inputDims: [xDims] }, [x], y) => {
  const key = `${perm}|${xDims}`;
  let idx = permCache.get(key);
  if (!idx) {
    idx = transposeSources(perm, xDims);
    if (permCache.size > 4096) permCache.clear();
    permCache.set(key, idx);
  }
  for (let o = 0; o < idx.length; o++) y[o] = x[idx[o]];
};

/**
 * layernorm: the reference's formulas term for term (add32 = `(a + b) | 0`, sub32, mul32 = Math.imul,
 * shl32 = `<<`, div32, isqrt32 as in vm/numerics.ts), with rq for requant and the clamps as comparisons.
 */
export const layernormFast: FastKernel<'layernorm'> = ({ attrs, inputDims }, [x, mult, bias], y) => {
  const { xmax, sqShift, divShift, eps, shift, lo, hi } = attrs;
  const { rows: r, n } = layernormRows(attrs.axis, inputDims);
  const sq = sqShift & 63;
  const s = shift & 63;
  const nxmax = -xmax;
  const xs = colBuffer(n);
  for (let row = 0; row < r; row++) {
    const base = row * n;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = x[base + i];
      const a = v < nxmax ? nxmax : v; // clamp32(v, -xmax, xmax) = min(max(v, -xmax), xmax)
      const c = a > xmax ? xmax : a;
      xs[i] = c;
      sum = (sum + c) | 0;
    }
    let v = 0;
    for (let i = 0; i < n; i++) {
      const d = (Math.imul(xs[i], n) - sum) | 0;
      v = (v + rq(d, d, sq)) | 0;
    }
    const sigma = isqrt32((v + eps) | 0);
    for (let i = 0; i < n; i++) {
      const w = div32(((Math.imul(xs[i], n) - sum) | 0) << divShift, sigma);
      const q = (rq(w, mult[i], s) + bias[i]) | 0;
      const a = q < lo ? lo : q;
      y[base + i] = a > hi ? hi : a;
    }
  }
};

/** softmax: the reference's formulas term for term, rq for requant, clamps as comparisons. */
export const softmaxFast: FastKernel<'softmax'> = ({ attrs, inputDims }, [x, table], y) => {
  const { mult, shift, one } = attrs;
  const { outer, len, inner, table: L } = softmaxRows(attrs.axis, inputDims);
  const s = shift & 63;
  const tlo = -(L - 1);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let m = -2147483648;
      for (let i = 0; i < len; i++) {
        const v = x[base + i * inner];
        if (v > m) m = v;
      }
      let sum = 0;
      for (let i = 0; i < len; i++) {
        const q = rq((x[base + i * inner] - m) | 0, mult, s);
        const a = q < tlo ? tlo : q; // clamp32(q, 1 - L, 0)
        const t = a > 0 ? 0 : a;
        const e = table[(0 - t) | 0];
        y[base + i * inner] = e;
        sum = (sum + e) | 0;
      }
      const half = sum >> 1;
      for (let i = 0; i < len; i++) y[base + i * inner] = div32((Math.imul(y[base + i * inner], one) + half) | 0, sum);
    }
  }
};

/** The fast kernels by op; ops not listed run their reference. */
export const FAST_KERNELS: { [K in IntOp]?: FastKernel<K> } = {
  matmul: matmulFast,
  conv2d: conv2dFast,
  maxpool2d: maxpool2dFast,
  binary: binaryFast,
  copy: copyFast,
  lut: lutFast,
  transpose: transposeFast,
  layernorm: layernormFast,
  softmax: softmaxFast,
};

/** The fast kernel of `op`'s call into a fresh output array, or undefined when `op` has none. */
export function runFast<K extends IntOp>(op: K, call: KernelCall<K>, inputs: Int32Array[]): Int32Array | undefined {
  const f = FAST_KERNELS[op] as FastKernel<K> | undefined;
  if (!f) return undefined;
  let words = 1;
  for (const d of call.outDims) words *= d;
  const y = new Int32Array(words);
  f(call, inputs, y);
  return y;
}

