// Normalizing and reducing ops: BatchNormalization (inference), LayerNormalization, RMSNormalization, Softmax, ReduceMean.

import { broadcastsTo } from '../../shape.ts';
import { floatOut, type ImportContext, type Importer } from './context.ts';

export const importBatchNormalization: Importer<'BatchNormalization'> = (ctx: ImportContext) => {
  ctx.arity(5);
  const x = ctx.float(0, 'X');
  if (x.dims.length < 2) ctx.fail(`input ${ctx.dims(x.dims)} must have rank >= 2 (N, C, ...)`);
  const c = x.dims[1];
  const roles = ['scale', 'B', 'input_mean', 'input_var'];
  roles.forEach((role, k) => {
    const p = ctx.float(k + 1, role);
    if (p.dims.length !== 1 || p.dims[0] !== c) ctx.fail(`${role} ${ctx.dims(p.dims)} must be [${c}] (one per channel)`);
  });
  if (ctx.attrs.int('training_mode', 0) !== 0) {
    ctx.unsupported('training_mode=1 is not supported', 'export the model in eval mode (model.eval())');
  }
  ctx.attrs.ignore('momentum'); // only used in training mode
  return { attrs: { epsilon: ctx.attrs.float('epsilon', 1e-5) }, outputs: [floatOut([...x.dims])] };
};

export const importLayerNormalization: Importer<'LayerNormalization'> = (ctx: ImportContext) => {
  if (ctx.opset < 17) {
    ctx.unsupported(`LayerNormalization exists from opset 17 on, the model imports opset ${ctx.opset}`, 'export with opset 17 or later');
  }
  ctx.arity(2, 3);
  const x = ctx.float(0, 'X');
  const axis = ctx.axis('axis', ctx.attrs.int('axis', -1), x.dims.length);
  const normalized = x.dims.slice(axis);
  const scale = ctx.float(1, 'Scale');
  const bias = ctx.optionalFloat(2, 'B');
  for (const [role, p] of [['Scale', scale], ['B', bias]] as const) {
    if (p && !broadcastsTo(p.dims, normalized)) {
      ctx.fail(`${role} ${ctx.dims(p.dims)} does not broadcast to the normalized shape ${ctx.dims(normalized)}`);
    }
  }
  ctx.attrs.ignore('stash_type'); // precision of the mean/variance; computed in float64 here
  return { attrs: { axis, epsilon: ctx.attrs.float('epsilon', 1e-5) }, outputs: [floatOut([...x.dims])] };
};

/** RMSNormalization (opset 23): X, scale; normalizes dims [axis, rank) by the root mean square, no mean, no bias. */
export const importRMSNormalization: Importer<'RMSNormalization'> = (ctx: ImportContext) => {
  if (ctx.opset < 23) {
    ctx.unsupported(`RMSNormalization exists from opset 23 on, the model imports opset ${ctx.opset}`, 'export with opset 23 or later');
  }
  ctx.arity(2);
  const x = ctx.float(0, 'X');
  const axis = ctx.axis('axis', ctx.attrs.int('axis', -1), x.dims.length);
  const normalized = x.dims.slice(axis);
  const scale = ctx.float(1, 'scale');
  if (!broadcastsTo(scale.dims, normalized)) ctx.fail(`scale ${ctx.dims(scale.dims)} does not broadcast to the normalized shape ${ctx.dims(normalized)}`);
  ctx.attrs.ignore('stash_type'); // precision of the mean square; computed in float64 here
  return { attrs: { axis, epsilon: ctx.attrs.float('epsilon', 1e-5) }, outputs: [floatOut([...x.dims])] };
};

export const importSoftmax: Importer<'Softmax'> = (ctx: ImportContext) => {
  ctx.arity(1);
  const x = ctx.float(0, 'X');
  const axis = ctx.axis('axis', ctx.attrs.int('axis', -1), x.dims.length);
  return { attrs: { axis }, outputs: [floatOut([...x.dims])] };
};

/** ReduceMean / ReduceSum: `axesInputSince` is the opset that moved axes from an attribute to an input. */
function reduce(ctx: ImportContext, axesInputSince: number): { attrs: { axes: number[]; keepdims: boolean }; inputs: string[]; outputs: ReturnType<typeof floatOut>[] } {
  ctx.arity(1, 2);
  const x = ctx.float(0, 'data');
  const rank = x.dims.length;
  const asInput = ctx.opset >= axesInputSince;
  const given = asInput ? ctx.constInts(1, 'axes') : ctx.attrs.ints('axes');
  if (!asInput && ctx.inputNames.length > 1) ctx.fail(`${ctx.op} takes axes as an attribute before opset ${axesInputSince}`);
  const keepdims = ctx.attrs.int('keepdims', 1) !== 0;
  const noop = asInput && ctx.attrs.int('noop_with_empty_axes', 0) !== 0;
  let axes: number[];
  if (given === undefined || given.length === 0) {
    axes = noop ? [] : x.dims.map((_, i) => i);
  } else {
    axes = [...new Set(given.map((a) => ctx.axis('axes', a, rank)))].sort((a, b) => a - b);
  }
  const dims: number[] = [];
  x.dims.forEach((d, i) => {
    if (!axes.includes(i)) dims.push(d);
    else if (keepdims) dims.push(1);
  });
  return { attrs: { axes, keepdims }, inputs: ctx.names(0, 1), outputs: [floatOut(dims)] };
}

export const importReduceMean: Importer<'ReduceMean'> = (ctx: ImportContext) => reduce(ctx, 18);

/** ReduceSum took its axes as an input from opset 13 on. */
export const importReduceSum: Importer<'ReduceSum'> = (ctx: ImportContext) => reduce(ctx, 13);
