// PRelu with a constant slope onto canonical ops: one slope value is LeakyRelu(alpha = slope) (one lookup
// table); per-channel (any broadcast shape) slopes are Relu(x) + slope·(x − Relu(x)). A run-time slope is
// refused by name.

import { broadcastDims } from '../../shape.ts';
import { constFloats, dataDims, Emitter } from './sliceOps.ts';
import type { Expander, RewriteContext } from './types.ts';

export const expandPRelu: Expander = (ctx: RewriteContext) => {
  if (ctx.inputs.length !== 2) ctx.fail(`it has ${ctx.inputs.length} inputs, expected 2 (X, slope)`, 'the file is corrupt');
  const dims = dataDims(ctx, 0, 'X');
  const slope = constFloats(ctx, 1, 'slope')!;
  const b = broadcastDims(dims, slope.dims);
  if (!b || b.length !== dims.length || b.some((d, i) => d !== dims[i])) {
    ctx.fail(`slope [${slope.dims.join(', ')}] does not broadcast to X [${dims.join(', ')}]`, 'give one slope per channel, shaped to broadcast to X (e.g. [C, 1, 1])');
  }
  const e = new Emitter(ctx);
  const out = ctx.outputs[0];
  const values = new Set(slope.data);
  if (values.size === 1) {
    e.op('LeakyRelu', [ctx.inputs[0]], 'leaky', out, { alpha: { float: slope.data[0] } });
    return e.nodes;
  }
  const x = ctx.inputs[0];
  const r = e.op('Relu', [x], 'pos');
  const neg = e.op('Sub', [x, r], 'neg');
  const scaled = e.op('Mul', [neg, ctx.inputs[1]], 'scaled');
  e.op('Add', [r, scaled], 'sum', out);
  return e.nodes;
};
