// The reductions built on ReduceSum (axes as a constant input, the opset-18 form; older forms are adapted):
// ReduceSumSquare = ReduceSum(x·x), ReduceL1 = ReduceSum(|x|), ReduceL2 = √ReduceSum(x·x),
// ReduceLogSum = log ReduceSum(x), ReduceLogSumExp = log ReduceSum(eˣ). keepdims and noop_with_empty_axes pass
// to the ReduceSum unchanged, so "no axes" means all axes, or no reduction (the elementwise part alone).

import { Emitter } from './sliceOps.ts';
import type { Expander, RewriteContext } from './types.ts';

type Step = 'Square' | 'Abs' | 'Exp' | 'Sqrt' | 'Log';

function around(before: Step | undefined, after: Step | undefined): Expander {
  return (ctx: RewriteContext) => {
    if (ctx.inputs.length < 1 || ctx.inputs.length > 2) ctx.fail(`it has ${ctx.inputs.length} inputs, expected 1 or 2`, 'the file is corrupt');
    const keepdims = ctx.attrs.int('keepdims', 1);
    const noop = ctx.attrs.int('noop_with_empty_axes', 0);
    const e = new Emitter(ctx);
    const x = ctx.inputs[0];
    const apply = (step: Step, v: string, hint: string, out?: string) =>
      step === 'Square' ? e.op('Mul', [v, v], hint, out) : e.op(step, [v], hint, out);
    const inner = before ? apply(before, x, before.toLowerCase()) : x;
    const axes = ctx.inputs[1] ? [ctx.inputs[1]] : [];
    const attrs = { keepdims: { int: keepdims }, noop_with_empty_axes: { int: noop } };
    const summed = e.op('ReduceSum', [inner, ...axes], 'sum', after ? undefined : ctx.outputs[0], attrs);
    if (after) apply(after, summed, after.toLowerCase(), ctx.outputs[0]);
    return e.nodes;
  };
}

export const expandReduceSumSquare: Expander = around('Square', undefined);
export const expandReduceL1: Expander = around('Abs', undefined);
export const expandReduceL2: Expander = around('Square', 'Sqrt');
export const expandReduceLogSum: Expander = around(undefined, 'Log');
export const expandReduceLogSumExp: Expander = around('Exp', 'Log');
