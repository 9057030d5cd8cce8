// Attributes that became inputs: Squeeze/Unsqueeze axes (13), ReduceSum axes (13), the other reductions'
// axes (18), Slice starts/ends/axes (10), Split's split (13; 18 requires split or num_outputs).

import { intsInput, latest, passAttrs } from './common.ts';
import type { Adapter, AdapterContext } from './types.ts';

/** `attr` (a list of ints) becomes input 1, or no input when the attribute is absent. */
function axesToInput(before: number, attr = 'axes'): Adapter {
  return {
    before,
    adapt: (ctx: AdapterContext) => {
      const axes = ctx.attrs.ints(attr);
      const inputs = [ctx.inputs[0]];
      if (axes) inputs.push(intsInput(ctx, attr, axes));
      return [latest(ctx, inputs, passAttrs(ctx, attr))];
    },
  };
}

const REDUCTIONS = ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

const slice: Adapter = {
  before: 10,
  adapt: (ctx: AdapterContext) => {
    const starts = ctx.attrs.ints('starts');
    const ends = ctx.attrs.ints('ends');
    if (!starts || !ends) ctx.fail('attributes starts and ends are required', 'the file is corrupt');
    const axes = ctx.attrs.ints('axes');
    const inputs = [ctx.inputs[0], intsInput(ctx, 'starts', starts), intsInput(ctx, 'ends', ends)];
    if (axes) inputs.push(intsInput(ctx, 'axes', axes));
    return [latest(ctx, inputs, passAttrs(ctx, 'starts', 'ends', 'axes'))];
  },
};

const split: Adapter = {
  before: 18,
  adapt: (ctx: AdapterContext) => {
    const x = ctx.inputs[0];
    const attrs = passAttrs(ctx, 'split');
    if (ctx.opset >= 13 && ctx.inputs[1]) return [latest(ctx, [x, ctx.inputs[1]], attrs)];
    let sizes = ctx.opset < 13 ? ctx.attrs.ints('split') : undefined;
    if (!sizes) {
      // Before 18, no split means equal parts, one per output.
      const dims = ctx.info(x).dims;
      const raw = ctx.attrs.int('axis', 0);
      const axis = raw < 0 ? raw + dims.length : raw;
      const n = ctx.outputs.length;
      if (dims[axis] === undefined || dims[axis] % n !== 0) {
        ctx.fail(`axis ${raw} of ${JSON.stringify(dims)} does not split into ${n} equal parts`, 'give the split sizes');
      }
      sizes = new Array<number>(n).fill(dims[axis] / n);
    }
    return [latest(ctx, [x, intsInput(ctx, 'split', sizes)], attrs)];
  },
};

export const AXES_ADAPTERS: Record<string, Adapter> = {
  Squeeze: axesToInput(13),
  Unsqueeze: axesToInput(13),
  ReduceSum: axesToInput(13),
  ...Object.fromEntries(REDUCTIONS.map((op) => [op, axesToInput(18)])),
  Slice: slice,
  Split: split,
};
