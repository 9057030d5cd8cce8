// Index maps for the reference kernels: for every element of an output, the flat index of the input
// element it reads. Simple and general (broadcasting, transposes, reductions), not fast.

import { stridesOf } from '../shape.ts';

/** For each flat index of `dims`, the dot product of its coordinates with `strides`. */
export function strideIndex(dims: readonly number[], strides: readonly number[]): Int32Array {
  const n = dims.reduce((p, d) => p * d, 1);
  const out = new Int32Array(n);
  const rank = dims.length;
  const coord = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    out[i] = offset;
    for (let a = rank - 1; a >= 0; a--) {
      coord[a]++;
      offset += strides[a];
      if (coord[a] < dims[a]) break;
      offset -= coord[a] * strides[a];
      coord[a] = 0;
    }
  }
  return out;
}

/** Strides that read a tensor of `dims` broadcast to `outDims` (0 along broadcast axes). */
export function broadcastStrides(dims: readonly number[], outDims: readonly number[]): number[] {
  const own = stridesOf(dims);
  const lead = outDims.length - dims.length;
  return outDims.map((_, i) => (i < lead || dims[i - lead] === 1 ? 0 : own[i - lead]));
}

/** For each element of `outDims`, the flat index into a tensor of `dims` broadcast to it. */
export function broadcastIndex(dims: readonly number[], outDims: readonly number[]): Int32Array {
  return strideIndex(outDims, broadcastStrides(dims, outDims));
}
