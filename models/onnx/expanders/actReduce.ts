// ReduceMax / ReduceMin (axes as a constant input, the opset-18 form; older forms are adapted) and
// GlobalMaxPool onto a 2-D MaxPool: Transpose the reduced axes last → Reshape to [1, 1, outer, K] → MaxPool
// with window [1, K] → Reshape to the output dims (K > 4096: axes first, [1, 1, K, outer], window [K, 1]). ReduceMin is −ReduceMax(−x) (two Neg lookup tables,
// exact on int8 words but for −(−128)). keepdims both ways; no axes = all axes, or the identity with
// noop_with_empty_axes=1.

import { constInts, dataDims, Emitter } from './sliceOps.ts';
import { normalizeAxis } from '../fold/tensor.ts';
import type { Expander, RewriteContext } from './types.ts';

const product = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/** Above this many reduced elements the window runs down a column (its VM code is one tap in a loop). */
const ROW_WINDOW_MAX = 4096;

/**
 * max over `axes` of x (sorted, distinct, non-empty) into `out` with dims `outDims`: the reduced axes moved
 * last and a [1, K] window over [1, 1, outer, K] (its K taps unrolled in the VM code), or for K > 4096 moved
 * first and a [K, 1] window over [1, 1, K, outer].
 */
function maxOver(e: Emitter, x: string, dims: number[], axes: number[], outDims: number[], out?: string): string {
  const kept = dims.map((_, i) => i).filter((i) => !axes.includes(i));
  const outer = product(kept.map((i) => dims[i]));
  const k = product(axes.map((i) => dims[i]));
  const column = k > ROW_WINDOW_MAX;
  const perm = column ? [...axes, ...kept] : [...kept, ...axes];
  const moved = perm.every((p, i) => p === i) ? x : e.transpose(x, perm, column ? 'first' : 'last');
  const rows = e.reshape(moved, column ? [1, 1, k, outer] : [1, 1, outer, k], 'rows');
  const pooled = e.op('MaxPool', [rows], 'max', undefined, { kernel_shape: { ints: column ? [k, 1] : [1, k] } });
  return e.reshape(pooled, outDims, 'shape', out);
}

function reduce(min: boolean): Expander {
  return (ctx: RewriteContext) => {
    if (ctx.inputs.length < 1 || ctx.inputs.length > 2) ctx.fail(`it has ${ctx.inputs.length} inputs, expected 1 or 2`, 'the file is corrupt');
    const dims = dataDims(ctx);
    const given = constInts(ctx, 1, 'axes');
    const keepdims = ctx.attrs.int('keepdims', 1) !== 0;
    const noop = ctx.attrs.int('noop_with_empty_axes', 0) !== 0;
    const e = new Emitter(ctx);
    const out = ctx.outputs[0];
    let axes: number[];
    if (given === undefined || given.length === 0) {
      if (noop) {
        e.reshape(ctx.inputs[0], dims, 'identity', out);
        return e.nodes;
      }
      axes = dims.map((_, i) => i);
    } else {
      axes = [...new Set(given.map((a) => normalizeAxis(ctx, a, dims.length, 'axes entry')))].sort((a, b) => a - b);
    }
    if (axes.some((a) => dims[a] === 0)) ctx.unsupported('it reduces an empty axis', 'remove the reduction');
    const outDims = dims.flatMap((d, i) => (!axes.includes(i) ? [d] : keepdims ? [1] : []));
    if (!min) {
      maxOver(e, ctx.inputs[0], dims, axes, outDims, out);
      return e.nodes;
    }
    const negated = e.op('Neg', [ctx.inputs[0]], 'neg_in');
    const m = maxOver(e, negated, dims, axes, outDims);
    e.op('Neg', [m], 'neg_out', out);
    return e.nodes;
  };
}

export const expandReduceMax: Expander = reduce(false);
export const expandReduceMin: Expander = reduce(true);

/** GlobalMaxPool: a MaxPool whose window is the whole plane (rank 4); other ranks through [N, C, 1, S]. */
export const expandGlobalMaxPool: Expander = (ctx: RewriteContext) => {
  if (ctx.inputs.length !== 1) ctx.fail(`it has ${ctx.inputs.length} inputs, expected 1`, 'the file is corrupt');
  const dims = dataDims(ctx, 0, 'X');
  if (dims.length < 3) ctx.fail(`input [${dims.join(', ')}] must have rank >= 3 (N, C, spatial...)`);
  const e = new Emitter(ctx);
  const out = ctx.outputs[0];
  if (dims.length === 4) {
    e.op('MaxPool', [ctx.inputs[0]], 'max', out, { kernel_shape: { ints: [dims[2], dims[3]] } });
    return e.nodes;
  }
  const s = product(dims.slice(2));
  const planes = e.reshape(ctx.inputs[0], [dims[0], dims[1], 1, s], 'planes');
  const pooled = e.op('MaxPool', [planes], 'max', undefined, { kernel_shape: { ints: [1, s] } });
  e.reshape(pooled, dims.map((d, i) => (i < 2 ? d : 1)), 'shape', out);
  return e.nodes;
};
