/**
 * Random cases for every integer kernel: attrs, input dims and input words. test/models/int/kernels.test.ts
 * runs each through the CPU reference and the VM lowering and requires the same words and root.
 * Every op in INT_KERNELS must have a generator here (the test fails otherwise).
 */
import type { IntAttrs, IntOp } from '../../../models/int/graph.ts';
import { elementCount } from '../../../models/int/graph.ts';
import type { Rng } from '../../support/rng.ts';

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
};
