/**
 * Cases and oracles for the tile tests: random matmul and gather calls (shapes with the edges: K = 1, N = 1,
 * batched and shared weights, indices negative and out of range), which inputs are model constants, and plain
 * BigInt versions of both kernels, written from their definitions without vm/numerics.ts.
 */
import { elementCount } from '../../../models/int/graph.ts';
import type { KernelCall } from '../../../models/int/kernels/kernel.ts';
import type { Rng } from '../../support/rng.ts';
import { int8, multiplier, words } from './cases.ts';

export interface TileCase<K extends 'matmul' | 'gather'> {
  call: KernelCall<K>;
  inputs: Int32Array[];
  /** The inputs that are model constants (undefined: an activation). */
  constants: (Int32Array | undefined)[];
}

const I32 = (v: bigint): bigint => BigInt.asIntN(32, v);

/** y = clamp(sat32(round(acc · mult / 2^shift)), lo, hi), acc = int32(bias + Σ x·w), all in BigInt. */
export function matmulOracle({ attrs: { shift, lo, hi }, inputDims }: KernelCall<'matmul'>, [x, w, bias, mult]: Int32Array[]): Int32Array {
  const [xd, wd] = inputDims;
  const k = xd[xd.length - 1];
  const m = xd[xd.length - 2];
  const n = wd[wd.length - 1];
  const batch = elementCount(xd.slice(0, -2));
  const wShared = elementCount(wd.slice(0, -2)) === 1;
  const y = new Int32Array(batch * m * n);
  const s = BigInt(shift & 63);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = BigInt(bias[j]);
        for (let t = 0; t < k; t++) acc += BigInt(x[(b * m + i) * k + t]) * BigInt(w[(wShared ? 0 : b * k * n) + t * n + j]);
        const p = I32(acc) * BigInt(mult[j]);
        let r = s === 0n ? p : (p + (1n << (s - 1n))) >> s; // >> on BigInt floors: ties go up
        if (r > 2147483647n) r = 2147483647n;
        if (r < -2147483648n) r = -2147483648n;
        y[(b * m + i) * n + j] = Math.min(Math.max(Number(r), lo), hi);
      }
    }
  }
  return y;
}

/** y[k, b] = data[row, b], row = t + len when t < 0, then clamped into [0, len − 1] (t = indices[k]), in BigInt. */
export function gatherOracle({ inputDims }: KernelCall<'gather'>, [data, indices]: Int32Array[]): Int32Array {
  const len = inputDims[0][0];
  const inner = elementCount(inputDims[0].slice(1));
  const y = new Int32Array(indices.length * inner);
  indices.forEach((t, k) => {
    let row = BigInt(t);
    if (row < 0n) row = I32(row + BigInt(len));
    const r = Number(row < 0n ? 0n : row > BigInt(len - 1) ? BigInt(len - 1) : row);
    y.set(data.subarray(r * inner, (r + 1) * inner), k * inner);
  });
  return y;
}

export function matmulCase(rng: Rng, shape: { batch?: number[]; m?: number; k?: number; n?: number; sharedW?: boolean } = {}): TileCase<'matmul'> {
  const batch = shape.batch ?? rng.pick([[], [2], [1, 3], [3]]);
  const m = shape.m ?? rng.int(1, 5);
  const k = shape.k ?? rng.pick([1, rng.int(1, 40)]);
  const n = shape.n ?? rng.pick([1, rng.int(1, 19)]);
  const sharedW = shape.sharedW ?? rng.int(0, 1) === 0;
  const xDims = [...batch, m, k];
  const wDims = sharedW ? [k, n] : [...batch, k, n];
  const inputs = [int8(rng, xDims), int8(rng, wDims), words(rng, [n], -20000, 20000), Int32Array.from({ length: n }, () => multiplier(rng))];
  // Usually a constant weight, bias and multipliers; sometimes an activation among them (attention scores).
  const constant = [false, rng.int(0, 3) > 0, rng.int(0, 5) > 0, rng.int(0, 5) > 0];
  return {
    call: { attrs: { shift: rng.int(36, 44), lo: rng.pick([-128, 0, -(2 ** 31)]), hi: rng.pick([127, 2 ** 31 - 1]) }, inputDims: [xDims, wDims, [n], [n]], outDims: [...xDims.slice(0, -1), n] },
    inputs,
    constants: inputs.map((w, i) => (constant[i] ? w : undefined)),
  };
}

export function gatherCase(rng: Rng, shape: { len?: number; inner?: number[]; indices?: number[] } = {}): TileCase<'gather'> {
  const len = shape.len ?? rng.pick([1, rng.int(1, 40)]);
  const inner = shape.inner ?? rng.pick([[], [3], [2, 5], [8], [70], [130]]);
  const indexDims = shape.indices ?? rng.pick([[1], [5], [2, 3], [1, 9]]);
  const dataDims = [len, ...inner];
  const data = words(rng, dataDims, -(2 ** 31), 2 ** 31 - 1);
  // In range, negative (from the end), and out of range both ways, which the kernel clamps.
  const index = () => rng.pick([rng.int(0, len - 1), rng.int(-len, -1), rng.int(len, 3 * len), rng.int(-3 * len, -len - 1), -(2 ** 31), 2 ** 31 - 1, 0, len - 1, len, -1]);
  const indices = Int32Array.from({ length: elementCount(indexDims) }, index);
  return {
    call: { attrs: { axis: 0 }, inputDims: [dataDims, indexDims], outDims: [...indexDims, ...inner] },
    inputs: [data, indices],
    constants: [data, undefined],
  };
}
