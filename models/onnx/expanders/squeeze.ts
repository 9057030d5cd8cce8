// Squeeze / Unsqueeze (opset 13+ form: axes as a constant input) → Reshape with a constant shape.

import { constInts, dataDims, Emitter } from './sliceOps.ts';
import { normalizeAxis } from '../fold/tensor.ts';
import type { Expander, RewriteContext } from './types.ts';

export const expandSqueeze: Expander = (ctx: RewriteContext) => {
  const dims = dataDims(ctx);
  const axes = constInts(ctx, 1, 'axes');
  let keep: number[];
  if (axes === undefined) {
    keep = dims.filter((d) => d !== 1);
  } else {
    const drop = new Set(axes.map((a) => normalizeAxis(ctx, a, dims.length, 'axes entry')));
    if (drop.size !== axes.length) ctx.fail(`axes [${axes.join(', ')}] repeat an axis`, 'list each axis once');
    for (const a of drop) {
      if (dims[a] !== 1) ctx.fail(`axis ${a} of [${dims.join(', ')}] has size ${dims[a]}, not 1`, 'squeeze only size-1 axes');
    }
    keep = dims.filter((_, i) => !drop.has(i));
  }
  const e = new Emitter(ctx);
  e.reshape(ctx.inputs[0], keep, 'reshape', ctx.outputs[0]);
  return e.nodes;
};

export const expandUnsqueeze: Expander = (ctx: RewriteContext) => {
  const dims = dataDims(ctx);
  const axes = constInts(ctx, 1, 'axes');
  if (axes === undefined) ctx.fail('input 1 (axes) is missing', 'the file is corrupt');
  const rank = dims.length + axes.length;
  const add = new Set(axes.map((a) => normalizeAxis(ctx, a, rank, 'axes entry')));
  if (add.size !== axes.length) ctx.fail(`axes [${axes.join(', ')}] repeat an axis`, 'list each axis once');
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(add.has(i) ? 1 : dims[k++]);
  const e = new Emitter(ctx);
  e.reshape(ctx.inputs[0], out, 'reshape', ctx.outputs[0]);
  return e.nodes;
};
