// MatMul (numpy semantics) and Gemm, accumulating in double precision.

import { numElements, type FloatTensor } from '../../graph.ts';
import { broadcastDims, product } from '../../shape.ts';
import { broadcastIndex } from '../indexing.ts';
import { floatInput, type Kernel } from './kernel.ts';

/** out[m×n] = a[m×k] · b[k×n] for row-major blocks at the given offsets. */
function matmulBlock(a: Float32Array, ao: number, b: Float32Array, bo: number, out: Float32Array, oo: number, m: number, k: number, n: number): void {
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    for (let p = 0; p < k; p++) {
      const av = a[ao + i * k + p];
      if (av === 0) continue;
      const row = bo + p * n;
      for (let j = 0; j < n; j++) acc[j] += av * b[row + j];
    }
    for (let j = 0; j < n; j++) out[oo + i * n + j] = acc[j];
  }
}

export const matmul: Kernel<'MatMul'> = (node, inputs, outDims) => {
  const a = floatInput(node, inputs, 0);
  const b = floatInput(node, inputs, 1);
  const ad = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const m = ad[ad.length - 2];
  const k = ad[ad.length - 1];
  const n = bd[bd.length - 1];
  const aBatch = ad.slice(0, -2);
  const bBatch = bd.slice(0, -2);
  const batch = broadcastDims(aBatch, bBatch)!;
  const ia = broadcastIndex(aBatch, batch);
  const ib = broadcastIndex(bBatch, batch);
  const out = new Float32Array(numElements(outDims));
  for (let t = 0; t < product(batch); t++) {
    matmulBlock(a.data, ia[t] * m * k, b.data, ib[t] * k * n, out, t * m * n, m, k, n);
  }
  return { dims: [...outDims], data: out };
};

export const gemm: Kernel<'Gemm'> = (node, inputs, outDims) => {
  const { alpha, beta, transA, transB } = node.attrs;
  const a = floatInput(node, inputs, 0);
  const b = floatInput(node, inputs, 1);
  const c: FloatTensor | undefined = inputs.length > 2 ? floatInput(node, inputs, 2) : undefined;
  const [m, n] = outDims;
  const k = transA ? a.dims[0] : a.dims[1];
  // A[i,p] and B[p,j] through strides, so transposes need no copy.
  const [as0, as1] = transA ? [1, m] : [k, 1];
  const [bs0, bs1] = transB ? [1, k] : [n, 1];
  const ic = c && broadcastIndex(c.dims, outDims);
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += a.data[i * as0 + p * as1] * b.data[p * bs0 + j * bs1];
      let v = alpha * acc;
      if (c && ic) v += beta * c.data[ic[i * n + j]];
      out[i * n + j] = v;
    }
  }
  return { dims: [m, n], data: out };
};
