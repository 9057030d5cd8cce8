// Softmax, LogSoftmax and Hardmax before opset 13 coerce the input to 2-D at `axis` (default 1): the op
// runs over all dims from axis on. As the latest form: Flatten(axis) → op(axis=-1) → Reshape back.

import { intsInput, passAttrs } from './common.ts';
import type { Adapter, AdapterContext } from './types.ts';

const coerced: Adapter = {
  before: 13,
  adapt: (ctx: AdapterContext) => {
    const x = ctx.inputs[0];
    const dims = ctx.info(x).dims;
    const raw = ctx.attrs.int('axis', 1);
    const axis = raw < 0 ? raw + dims.length : raw;
    if (axis < 0 || axis > Math.max(dims.length - 1, 0)) ctx.fail(`axis ${raw} is out of range for rank ${dims.length}`);
    const attrs = { ...passAttrs(ctx, 'axis'), axis: { int: -1 } };
    if (axis >= dims.length - 1) return [{ op: ctx.op, name: ctx.name, inputs: [x], outputs: [...ctx.outputs], attrs }];
    const flat = ctx.fresh(`${ctx.name}/flat`);
    const out = ctx.fresh(`${ctx.name}/2d`);
    return [
      { op: 'Flatten', name: ctx.fresh(`${ctx.name}/flatten`), inputs: [x], outputs: [flat], attrs: { axis: { int: axis } } },
      { op: ctx.op, name: ctx.name, inputs: [flat], outputs: [out], attrs },
      { op: 'Reshape', name: ctx.fresh(`${ctx.name}/reshape`), inputs: [out, intsInput(ctx, 'shape', dims)], outputs: [ctx.outputs[0]] },
    ];
  },
};

export const SOFTMAX_ADAPTERS: Record<string, Adapter> = { Softmax: coerced, LogSoftmax: coerced, Hardmax: coerced };
