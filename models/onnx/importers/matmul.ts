// MatMul (numpy semantics, batched with broadcasting) and Gemm.

import { broadcastDims, broadcastsTo } from '../../shape.ts';
import { floatOut, type ImportContext, type Importer } from './context.ts';

/** Output dims of numpy matmul, or a reason it is undefined. */
export function matmulDims(a: readonly number[], b: readonly number[]): number[] | string {
  if (a.length === 0 || b.length === 0) return 'MatMul operands must have rank >= 1';
  const a2 = a.length === 1 ? [1, a[0]] : [...a];
  const b2 = b.length === 1 ? [b[0], 1] : [...b];
  const k = a2[a2.length - 1];
  if (b2[b2.length - 2] !== k) return `inner dimensions differ (${k} vs ${b2[b2.length - 2]})`;
  const batch = broadcastDims(a2.slice(0, -2), b2.slice(0, -2));
  if (!batch) return 'batch dimensions do not broadcast';
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]);
  if (b.length > 1) out.push(b2[b2.length - 1]);
  return out;
}

export const importMatMul: Importer<'MatMul'> = (ctx: ImportContext) => {
  ctx.arity(2);
  const a = ctx.float(0, 'A');
  const b = ctx.float(1, 'B');
  const dims = matmulDims(a.dims, b.dims);
  if (typeof dims === 'string') ctx.fail(`cannot multiply ${ctx.dims(a.dims)} by ${ctx.dims(b.dims)}: ${dims}`);
  return { attrs: {}, outputs: [floatOut(dims)] };
};

export const importGemm: Importer<'Gemm'> = (ctx: ImportContext) => {
  ctx.arity(2, 3);
  const a = ctx.float(0, 'A');
  const b = ctx.float(1, 'B');
  const c = ctx.optionalFloat(2, 'C');
  const attrs = {
    alpha: ctx.attrs.float('alpha', 1),
    beta: ctx.attrs.float('beta', 1),
    transA: ctx.attrs.int('transA', 0) !== 0,
    transB: ctx.attrs.int('transB', 0) !== 0,
  };
  if (a.dims.length !== 2 || b.dims.length !== 2) {
    ctx.fail(`A ${ctx.dims(a.dims)} and B ${ctx.dims(b.dims)} must both be rank 2`);
  }
  const [m, ka] = attrs.transA ? [a.dims[1], a.dims[0]] : a.dims;
  const [kb, n] = attrs.transB ? [b.dims[1], b.dims[0]] : b.dims;
  if (ka !== kb) {
    ctx.fail(`inner dimensions differ: A gives K=${ka}, B gives K=${kb}`, 'check transA/transB');
  }
  if (c && !broadcastsTo(c.dims, [m, n])) {
    ctx.fail(`C ${ctx.dims(c.dims)} does not broadcast to the output [${m}, ${n}]`);
  }
  return { attrs, outputs: [floatOut([m, n])] };
};
