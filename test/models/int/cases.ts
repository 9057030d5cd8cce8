/**
 * Random cases for every integer kernel: attrs, input dims and input words. test/models/int/kernels.test.ts
 * runs each through the CPU reference and the VM lowering and requires the same words and root.
 * Every op in INT_KERNELS must have a generator here (the test fails otherwise).
 */
import type { IntAttrs, IntOp } from '../../../models/int/graph.ts';
import { elementCount } from '../../../models/int/graph.ts';
import type { Rng } from '../../support/rng.ts';
import { avgpool2dCase, channelAffineCase, conv2dCase, maxpool2dCase } from './windowCases.ts';
import { binaryCase, lutCase } from './elementwiseCases.ts';

export interface KernelCase<K extends IntOp> {
  attrs: IntAttrs[K];
  inputDims: number[][];
  inputs: Int32Array[];
}

export const int8 = (rng: Rng, dims: number[]): Int32Array => Int32Array.from({ length: elementCount(dims) }, () => rng.int(-128, 127));
export const words = (rng: Rng, dims: number[], lo: number, hi: number): Int32Array =>
  Int32Array.from({ length: elementCount(dims) }, () => rng.int(lo, hi));
/** A requantization multiplier in [2^30, 2^31) and a shift that maps int8·int8 sums back near int8. */
export const multiplier = (rng: Rng): number => rng.int(2 ** 30, 2 ** 31 - 1);

export const KERNEL_CASES: { [K in IntOp]: (rng: Rng) => KernelCase<K> } = {
  conv2d: conv2dCase,
  maxpool2d: maxpool2dCase,
  avgpool2d: avgpool2dCase,
  channelAffine: channelAffineCase,
  binary: binaryCase,
  lut: lutCase,
  matmul(rng) {
    const batch = rng.pick([[], [2], [1, 3]]);
    const [m, k, n] = [rng.int(1, 5), rng.int(1, 40), rng.int(1, 9)];
    const sharedW = rng.int(0, 1) === 0;
    const xDims = [...batch, m, k];
    const wDims = sharedW ? [k, n] : [...batch, k, n];
    return {
      attrs: { shift: rng.int(36, 44), lo: rng.pick([-128, 0]), hi: 127 },
      inputDims: [xDims, wDims, [n], [n]],
      inputs: [int8(rng, xDims), int8(rng, wDims), words(rng, [n], -20000, 20000), Int32Array.from({ length: n }, () => multiplier(rng))],
    };
  },
  copy(rng) {
    const dims = [rng.int(1, 4), rng.int(1, 30)];
    return { attrs: { dims: [dims[0] * dims[1]] }, inputDims: [dims], inputs: [words(rng, dims, -(2 ** 31), 2 ** 31 - 1)] };
  },
  clamp(rng) {
    const dims = [rng.int(1, 4), rng.int(1, 30)];
    const lo = rng.int(-200, 0);
    return { attrs: { lo, hi: lo + rng.int(0, 300) }, inputDims: [dims], inputs: [words(rng, dims, -400, 400)] };
  },
  softmax(rng) {
    const dims = Array.from({ length: rng.int(1, 3) }, () => rng.int(1, 7));
    if (rng.int(0, 2) === 0) dims[rng.int(0, dims.length - 1)] = rng.int(20, 40); // a long row or a wide stride
    const axis = rng.int(0, dims.length - 1);
    const L = rng.pick([1, rng.int(2, 40), 256, rng.int(257, 2048)]);
    const table = Int32Array.from({ length: L }, (_, k) => (k === 0 ? 1 << 15 : rng.int(0, 1 << 15)));
    const [lo, hi] = rng.pick([[-128, 127], [-32768, 32767], [-(2 ** 31), 2 ** 31 - 1]]);
    const identity = rng.int(0, 1) === 0;
    return {
      attrs: { axis, mult: identity ? 2 ** 30 : multiplier(rng), shift: identity ? 30 : rng.int(28, 40), one: rng.pick([127, 32767]) },
      inputDims: [dims, [L]],
      inputs: [words(rng, dims, lo, hi), table],
    };
  },
  layernorm(rng) {
    const dims = Array.from({ length: rng.int(1, 3) }, () => rng.int(1, 6));
    if (rng.int(0, 2) === 0) dims[dims.length - 1] = rng.int(20, 70);
    const axis = rng.int(0, dims.length - 1);
    const n = elementCount(dims.slice(axis));
    const xmax = rng.pick([128, 32768]);
    const [lo, hi] = rng.pick([[-128, 127], [-32768, 32767]]);
    const sign = (): number => (rng.int(0, 3) === 0 ? -1 : 1);
    return {
      attrs: { axis, xmax, sqShift: rng.int(0, 40), divShift: rng.int(0, 16), eps: rng.pick([0, rng.int(1, 5000)]), shift: rng.int(24, 40), lo, hi },
      inputDims: [dims, [n], [n]],
      inputs: [
        rng.int(0, 4) === 0 ? Int32Array.from({ length: elementCount(dims) }, () => rng.int32()) : words(rng, dims, -xmax, xmax),
        Int32Array.from({ length: n }, () => sign() * multiplier(rng)),
        words(rng, [n], -200, 200),
      ],
    };
  },
  rmsnorm(rng) {
    const dims = Array.from({ length: rng.int(1, 3) }, () => rng.int(1, 6));
    if (rng.int(0, 2) === 0) dims[dims.length - 1] = rng.int(20, 70);
    const axis = rng.int(0, dims.length - 1);
    const n = elementCount(dims.slice(axis));
    // the quantizer's word bounds, or arbitrary ones (wrapping squares and shifts)
    const xmax = rng.pick([128, 32768, 32768, rng.int(0, 2 ** 31 - 1)]);
    const bound = Math.min(xmax, 32768);
    const [lo, hi] = rng.pick([[-128, 127], [-32768, 32767]]);
    const sign = (): number => (rng.int(0, 3) === 0 ? -1 : 1);
    const scale = rng.pick([1, 8, 256, bound]); // rows of tiny to full-range words
    return {
      attrs: { axis, xmax, eps: rng.pick([0, rng.int(1, 5000), rng.int(1, 2 ** 31 - 1)]), shift: rng.int(24, 44), lo, hi },
      inputDims: [dims, [n]],
      inputs: [
        rng.int(0, 4) === 0 ? Int32Array.from({ length: elementCount(dims) }, () => rng.int32()) : words(rng, dims, -Math.min(scale, bound), Math.min(scale, bound)),
        Int32Array.from({ length: n }, () => sign() * multiplier(rng)),
      ],
    };
  },
  reducemean(rng) {
    const rank = rng.int(1, 4);
    const dims = Array.from({ length: rank }, () => rng.int(1, rank <= 2 ? 30 : 5));
    const axes = dims.map((_, a) => a).filter(() => rng.int(0, 1) === 0);
    const [lo, hi] = rng.pick([[-128, 127], [-32768, 32767]]);
    return {
      attrs: { axes, keepdims: rng.int(0, 1) === 0, mult: multiplier(rng), shift: rng.int(30, 40), lo, hi },
      inputDims: [dims],
      inputs: [rng.int(0, 3) === 0 ? Int32Array.from({ length: elementCount(dims) }, () => rng.int32()) : words(rng, dims, -32768, 32767)],
    };
  },
  sqrt(rng) {
    const dims = [rng.int(1, 4), rng.int(1, 40)];
    const [lo, hi] = rng.pick([[0, 127], [0, 32767], [-(2 ** 31), 2 ** 31 - 1]]);
    return {
      attrs: { mult: multiplier(rng), shift: rng.int(14, 40), frac: rng.int(0, 10), lo, hi },
      inputDims: [dims],
      inputs: [Int32Array.from({ length: elementCount(dims) }, () => (rng.int(0, 2) === 0 ? rng.int32() : rng.int(-10, 32767)))],
    };
  },
  transpose(rng) {
    const rank = rng.int(1, 5);
    const dims = Array.from({ length: rank }, () => rng.int(1, rank <= 2 ? 70 : 4));
    const perm = dims.map((_, i) => i);
    for (let i = rank - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    return { attrs: { perm }, inputDims: [dims], inputs: [Int32Array.from({ length: elementCount(dims) }, () => rng.int32())] };
  },
  concat(rng) {
    const rank = rng.int(1, 4);
    const axis = rng.int(0, rank - 1);
    const base = Array.from({ length: rank }, () => rng.int(1, 3));
    const n = rng.int(2, 4);
    const inputDims = Array.from({ length: n }, () => base.map((d, i) => (i === axis ? rng.int(1, rank === 1 ? 70 : 5) : d)));
    // identity (shared scale) or a real rescale; int8 clamp or none
    const pairs = inputDims.map(() => (rng.int(0, 2) === 0 ? { mult: 2 ** 30, shift: 30 } : { mult: multiplier(rng), shift: rng.int(28, 34) }));
    const [lo, hi] = rng.pick([[-128, 127], [-(2 ** 31), 2 ** 31 - 1], [0, 127]]);
    return {
      attrs: { axis, mults: pairs.map((p) => p.mult), shifts: pairs.map((p) => p.shift), lo, hi },
      inputDims,
      inputs: inputDims.map((d) => words(rng, d, -40000, 40000)),
    };
  },
  gather(rng) {
    const rank = rng.int(1, 3);
    const data = Array.from({ length: rank }, () => rng.int(1, 6));
    const axis = rng.int(0, rank - 1);
    if (rank === 1 || rng.int(0, 3) === 0) data[data.length - 1] = rng.int(60, 140); // long rows: blocked runs
    const len = data[axis];
    const indices = rng.pick([[], [rng.int(1, 7)], [rng.int(1, 3), rng.int(1, 4)]]);
    // in range, negative (from the end), and out of range both ways, int32 extremes included
    const index = (): number => rng.pick([rng.int(0, len - 1), rng.int(-len, -1), rng.int(len, 3 * len + 3), rng.int(-3 * len - 3, -len - 1), -(2 ** 31), 2 ** 31 - 1]);
    return {
      attrs: { axis },
      inputDims: [data, indices],
      inputs: [words(rng, data, -128, 127), Int32Array.from({ length: elementCount(indices) }, index)],
    };
  },
  argmax(rng) {
    // rows of one word, short rows, and rows across the lowering's 64-word blocks (63, 64, 65, 128, 129, ...)
    const v = rng.pick([1, rng.int(2, 9), rng.int(10, 63), 63, 64, 65, 128, 129, rng.int(130, 200)]);
    const lead = rng.pick([[], [1], [rng.int(1, 4)], [1, 1], [1, rng.int(1, 3)], [rng.int(2, 3), rng.int(1, 3)], [rng.int(5, 40)], [2, 1, rng.int(1, 3)]]);
    const dims = [...lead, v];
    const n = elementCount(dims);
    // int32 words biased to the edges, a narrow range (many ties), int8 logits, or all one word
    const kind = rng.int(0, 3);
    const one = rng.int32();
    const x = Int32Array.from({ length: n }, () => (kind === 0 ? rng.int32() : kind === 1 ? rng.int(-2, 2) : kind === 2 ? rng.int(-128, 127) : one));
    return { attrs: {}, inputDims: [dims], inputs: [x] };
  },
};
