// LogSoftmax (latest form: one axis, default -1) as x − max − log(Σ exp(x − max)) over that axis:
// ReduceMax → Sub → Exp → ReduceSum → Log → Sub, stable for large inputs like onnxruntime's kernel.
import type { Expander, RawNode } from './types.ts';

const logSoftmax: Expander = (ctx) => {
  const x = ctx.inputs[0];
  const rank = ctx.info(x).dims.length;
  const raw = ctx.attrs.int('axis', -1);
  const axis = raw < 0 ? raw + rank : raw;
  if (axis < 0 || axis >= rank) ctx.fail(`axis ${raw} is out of range for rank ${rank}`, `use a value in [${-rank}, ${rank - 1}]`);
  const axes = ctx.addConstant(`${ctx.name}/axes`, { dims: [1], data: Int32Array.of(axis) });
  const v = (hint: string) => ctx.fresh(`${ctx.name}/${hint}`);
  const [m, d, e, s, l] = [v('max'), v('shifted'), v('exp'), v('sum'), v('log')];
  const keep = { keepdims: { int: 1 } };
  const nodes: RawNode[] = [
    { op: 'ReduceMax', name: v('reduce_max'), inputs: [x, axes], outputs: [m], attrs: keep },
    { op: 'Sub', name: v('sub_max'), inputs: [x, m], outputs: [d] },
    { op: 'Exp', name: v('exp_node'), inputs: [d], outputs: [e] },
    { op: 'ReduceSum', name: v('reduce_sum'), inputs: [e, axes], outputs: [s], attrs: keep },
    { op: 'Log', name: v('log_node'), inputs: [s], outputs: [l] },
    { op: 'Sub', name: ctx.name, inputs: [d, l], outputs: [ctx.outputs[0]] },
  ];
  return nodes;
};

export const LOGSOFTMAX_EXPANDERS: Record<string, Expander> = { LogSoftmax: logSoftmax };
