// Load-time folding of reductions over constants (latest form: axes as an input): ReduceSum, ReduceProd,
// ReduceMin, ReduceMax, ReduceMean. Integer inputs give integer results.

import { isIntTensor, numElements } from '../../graph.ts';
import { stridesOf } from '../../shape.ts';
import { constInput, intsOf, normalizeAxis, sameKind } from './tensor.ts';
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
    const outFull = data.dims.map((d, i) => (axes.includes(i) ? 1 : d));
    const outStrides = stridesOf(outFull);
    const n = numElements(outFull);
    const acc = new Array<number>(n).fill(init);
    const counts = numElements(data.dims) / Math.max(n, 1);
    const coord = data.dims.map(() => 0);
    for (let i = 0; i < data.data.length; i++) {
      let o = 0;
      for (let a = 0; a < rank; a++) if (!axes.includes(a)) o += coord[a] * outStrides[a];
      acc[o] = step(acc[o], data.data[i]);
      for (let a = rank - 1; a >= 0; a--) {
        if (++coord[a] < data.dims[a]) break;
        coord[a] = 0;
      }
    }
    const dims = keepdims ? outFull : data.dims.filter((_, i) => !axes.includes(i));
    const values = acc.map((v) => finish(v, counts));
    return [sameKind(data, dims, isIntTensor(data) ? values.map(Math.trunc) : values)];
  };
}

export const REDUCE_FOLDERS: Record<string, Folder> = {
  ReduceSum: reducer(0, (a, v) => a + v),
  ReduceProd: reducer(1, (a, v) => a * v),
  ReduceMin: reducer(Infinity, Math.min),
  ReduceMax: reducer(-Infinity, Math.max),
  ReduceMean: reducer(0, (a, v) => a + v, (a, n) => a / n),
};
