// Tile and Expand on run-time data → Gather with constant indices (Expand: a Reshape to the broadcast rank,
// then a Gather of index 0 repeated along each size-1 axis that grows).

import { broadcastDims } from '../../shape.ts';
import { gatherAxes } from './slice.ts';
import { checkSize, constInts, constVector, dataDims, Emitter, range } from './sliceOps.ts';
import type { Expander, RewriteContext } from './types.ts';

export const expandTile: Expander = (ctx: RewriteContext) => {
  const dims = dataDims(ctx, 0, 'input');
  const repeats = constVector(ctx, 1, 'repeats');
  if (!repeats || repeats.length !== dims.length || repeats.some((r) => r < 0)) {
    ctx.fail(`repeats [${repeats?.join(', ') ?? ''}] do not fit input [${dims.join(', ')}]`, 'give one non-negative repeat per axis');
  }
  if (repeats.includes(0)) ctx.unsupported(`repeats [${repeats.join(', ')}] make the output empty`, 'opml does not run empty tensors; remove the node');
  checkSize(ctx, dims.map((d, a) => d * repeats[a]));
  const lists = new Map<number, number[]>();
  repeats.forEach((r, a) => {
    if (r !== 1) lists.set(a, Array.from({ length: r }, () => range(0, dims[a])).flat());
  });
  const e = new Emitter(ctx);
  gatherAxes(ctx, e, ctx.inputs[0], dims, lists, ctx.outputs[0]);
  return e.nodes;
};

export const expandExpand: Expander = (ctx: RewriteContext) => {
  const dims = dataDims(ctx, 0, 'input');
  const shape = constInts(ctx, 1, 'shape');
  if (!shape) ctx.fail('input 1 (shape) is missing', 'the file is corrupt');
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 1)) ctx.fail(`shape [${shape.join(', ')}] has a dim below 1`, 'give positive dims');
  const out = broadcastDims(dims, shape);
  if (!out) ctx.fail(`input [${dims.join(', ')}] does not broadcast to [${shape.join(', ')}]`, 'fix the shape');
  checkSize(ctx, out);
  const e = new Emitter(ctx);
  const padded = [...Array(out.length - dims.length).fill(1), ...dims];
  const lists = new Map<number, number[]>();
  padded.forEach((d, a) => {
    if (d !== out[a]) lists.set(a, Array(out[a]).fill(0));
  });
  let x = ctx.inputs[0];
  if (padded.length !== dims.length) {
    if (lists.size === 0) {
      e.reshape(x, padded, 'reshape', ctx.outputs[0]);
      return e.nodes;
    }
    x = e.reshape(x, padded, 'reshape');
  }
  gatherAxes(ctx, e, x, padded, lists, ctx.outputs[0]);
  return e.nodes;
};
