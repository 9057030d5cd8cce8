// Load-time folding of reductions over constants (latest form: axes as an input): ReduceSum, ReduceProd,
// ReduceMin, ReduceMax, ReduceMean. Integer inputs give integer results.

import { isIntTensor, numElements } from '../../graph.ts';
import { strideIndex, stridesOf } from '../../shape.ts';
import { checkFolded, constInput, floatTensor, intResult, intsOf, normalizeAxis } from './tensor.ts';
import type { Folder } from './types.ts';

function reducer(init: number, step: (acc: number, v: number) => number, finish = (acc: number, _n: number) => acc): Folder {
  return (ctx) => {
    const data = constInput(ctx, 0);
    const axesT = constInput(ctx, 1);
    if (!data || axesT === null) return undefined;
    const rank = data.dims.length;
    const keepdims = ctx.attrs.int('keepdims', 1) !== 0;
    const noop = ctx.attrs.int('noop_with_empty_axes', 0) !== 0;
    let axes = axesT ? intsOf(ctx, axesT, 'axes').map((a) => normalizeAxis(ctx, a, rank, 'axes')) : [];
    if (axes.length === 0) {
      if (noop) return [data];
      axes = data.dims.map((_, i) => i);
    }
    const axisSet = new Set(axes);
    const outFull = data.dims.map((d, i) => (axisSet.has(i) ? 1 : d));
    const outStrides = stridesOf(outFull);
    const n = numElements(outFull);
    const dims = keepdims ? outFull : data.dims.filter((_, i) => !axisSet.has(i));
    checkFolded(ctx, dims);
    const acc = new Float64Array(n).fill(init);
    const counts = numElements(data.dims) / Math.max(n, 1);
    // For each input element, its output position: input coordinates dotted with the output strides
    // (0 along reduced axes).
    const target = strideIndex(data.dims, outStrides.map((s, a) => (axisSet.has(a) ? 0 : s)));
    const src = data.data;
    for (let i = 0; i < src.length; i++) acc[target[i]] = step(acc[target[i]], src[i]);
    for (let o = 0; o < n; o++) acc[o] = finish(acc[o], counts);
    if (!isIntTensor(data)) return [floatTensor(dims, acc)];
    for (let o = 0; o < n; o++) acc[o] = Math.trunc(acc[o]);
    return [intResult(ctx, dims, acc)];
  };
}

export const REDUCE_FOLDERS: Record<string, Folder> = {
  ReduceSum: reducer(0, (a, v) => a + v),
  ReduceProd: reducer(1, (a, v) => a * v),
  ReduceMin: reducer(Infinity, Math.min),
  ReduceMax: reducer(-Infinity, Math.max),
  ReduceMean: reducer(0, (a, v) => a + v, (a, n) => a / n),
};
