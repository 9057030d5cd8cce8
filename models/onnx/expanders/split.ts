// Split (opset 18+ form: a `split` input or `num_outputs`, uneven last chunk) → one Gather (or alias) per output.

import { gatherAxes } from './slice.ts';
import { constVector, dataDims, Emitter, range } from './sliceOps.ts';
import { normalizeAxis } from '../fold/tensor.ts';
import type { Expander, RewriteContext } from './types.ts';

export const expandSplit: Expander = (ctx: RewriteContext) => {
  const dims = dataDims(ctx, 0, 'input');
  const axis = normalizeAxis(ctx, ctx.attrs.int('axis', 0), dims.length);
  const given = constVector(ctx, 1, 'split');
  const n = ctx.outputs.length;
  const numOutputs = ctx.attrs.has('num_outputs') ? ctx.attrs.int('num_outputs', n) : undefined;
  const d = dims[axis];
  let sizes: number[];
  if (given) {
    if (numOutputs !== undefined) ctx.fail('it has both a split input and num_outputs', 'give only one');
    sizes = given;
    if (sizes.length !== n || sizes.some((s) => s < 0) || sizes.reduce((p, s) => p + s, 0) !== d) {
      ctx.fail(`split [${sizes.join(', ')}] does not divide axis ${axis} (${d}) into ${n} outputs`, 'fix the split sizes');
    }
  } else {
    // Opset 18 requires one of them (older nodes reach here through the adapter, with an explicit split input).
    if (numOutputs === undefined) ctx.fail('it has neither a split input nor num_outputs', 'give the split sizes or num_outputs (required since opset 18)');
    const count = numOutputs;
    if (count !== n) ctx.fail(`num_outputs is ${count} but the node has ${n} outputs`, 'the file is corrupt');
    const chunk = Math.ceil(d / count);
    sizes = range(0, count).map((i) => Math.max(0, Math.min(chunk, d - i * chunk)));
  }
  const e = new Emitter(ctx);
  let start = 0;
  sizes.forEach((s, i) => {
    const out = ctx.outputs[i];
    if (out) gatherAxes(ctx, e, ctx.inputs[0], dims, new Map([[axis, range(start, s)]]), out);
    start += s;
  });
  return e.nodes;
};
