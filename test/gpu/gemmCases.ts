/**
 * Random matmul and conv2d cases sized for the tiled kernels (models/gpu/gemm.ts): rows, columns and depth
 * around and across the 8 and 16 tile sizes and the 4-value packing (1, 3..5, 7..9, 15..17, 31..33, …), batches
 * and shared weights, groups, strides, pads and dilations. Operand words are int8 (uniform or edge-heavy:
 * −128, −127, −1, 0, 1, 126, 127) or any int32 (only the unpacked kernels may take those). Some cases use
 * the identity epilogue (mult 2^30, shift 30, no clamp), so the raw wrapped sum is the output.
 */
import { elementCount } from '../../models/int/graph.ts';
import { kernelOf } from '../../models/int/kernels/index.ts';
import { windowGeometry } from '../../models/int/kernels/window2d.ts';
import { INT32_MAX, INT32_MIN } from '../../vm/numerics.ts';
import type { Rng } from '../support/rng.ts';
import type { OneNode } from './oneNode.ts';

export type Values = 'int8' | 'edge8' | 'int32';

const EDGE8 = [-128, -127, -1, 0, 1, 126, 127];

function operand(rng: Rng, n: number, values: Values): Int32Array {
  return Int32Array.from({ length: n }, () => {
    if (values === 'int32') return rng.int32();
    if (values === 'edge8' && rng.int(0, 1) === 0) return rng.pick(EDGE8);
    return rng.int(-128, 127);
  });
}

/** A size near a tile or packing boundary, or any up to `max`. */
function size(rng: Rng, max: number): number {
  return rng.int(0, 1) === 0 ? rng.pick([1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33].filter((v) => v <= max)) : rng.int(1, max);
}

/** Epilogue: bias, mult, shift, lo, hi — the identity (raw sums) in a quarter of the cases. */
function epilogue(rng: Rng, channels: number) {
  const raw = rng.int(0, 3) === 0;
  const bias = Int32Array.from({ length: channels }, () => rng.int32());
  if (raw) return { bias, mult: new Int32Array(channels).fill(2 ** 30), shift: 30, lo: INT32_MIN, hi: INT32_MAX };
  const mult = Int32Array.from({ length: channels }, () => rng.int(2 ** 30, 2 ** 31 - 1));
  return { bias, mult, shift: rng.int(30, 44), lo: rng.pick([-128, 0, INT32_MIN]), hi: rng.pick([127, INT32_MAX]) };
}

export function matmulGemmCase(rng: Rng, values: Values): OneNode<'matmul'> {
  const batch = rng.pick([[], [], [2], [1, 3]]);
  const [m, k, n] = [size(rng, 40), size(rng, 70), size(rng, 40)];
  const sharedW = rng.int(0, 1) === 0;
  const xDims = [...batch, m, k];
  const wDims = sharedW ? [k, n] : [...batch, k, n];
  const e = epilogue(rng, n);
  const attrs = { shift: e.shift, lo: e.lo, hi: e.hi };
  const inputDims = [xDims, wDims, [n], [n]];
  return {
    op: 'matmul',
    attrs,
    inputDims,
    inputs: [operand(rng, elementCount(xDims), values), operand(rng, elementCount(wDims), values), e.bias, e.mult],
    outDims: kernelOf('matmul').outputDims(attrs, inputDims),
  };
}

export function conv2dGemmCase(rng: Rng, values: Values): OneNode<'conv2d'> {
  for (;;) {
    const group = rng.pick([1, 1, 1, 2, 3]);
    const cg = rng.int(1, 6);
    const mg = rng.pick([1, 3, 5, 8, 9, 16, 17, 20]);
    const kernel: [number, number] = [rng.int(1, 3), rng.pick([1, 2, 3, 5])];
    const win = {
      kernel,
      strides: [rng.int(1, 2), rng.int(1, 3)] as [number, number],
      pads: [rng.int(0, 2), rng.int(0, 2), rng.int(0, 2), rng.int(0, 2)] as [number, number, number, number],
      dilations: [rng.int(1, 2), rng.int(1, 2)] as [number, number],
    };
    const xDims = [rng.int(1, 2), group * cg, rng.int(1, 12), rng.int(1, 12)];
    try {
      windowGeometry('conv2d', win, xDims);
    } catch {
      continue; // the window does not fit: draw again
    }
    const m = group * mg;
    const wDims = [m, cg, ...kernel];
    const e = epilogue(rng, m);
    const attrs = { ...win, group, shift: e.shift, lo: e.lo, hi: e.hi };
    const inputDims = [xDims, wDims, [m], [m]];
    return {
      op: 'conv2d',
      attrs,
      inputDims,
      inputs: [operand(rng, elementCount(xDims), values), operand(rng, elementCount(wDims), values), e.bias, e.mult],
      outDims: kernelOf('conv2d').outputDims(attrs, inputDims),
    };
  }
}
