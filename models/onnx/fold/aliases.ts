// Ops that do nothing at inference: their output is another name for their input (no node is emitted;
// the loader renames downstream uses). Identity; Dropout in inference mode (its mask is constant); Cast
// between types opml stores alike (float → float, int → int64/int32).

import { TensorProto_DataType as DataType } from 'onnx-buf';
import { numElements, type Tensor } from '../../graph.ts';
import type { RewriteContext } from '../expanders/types.ts';
import { castTarget } from './cast.ts';
import { floatTensor, intTensor } from './tensor.ts';

export interface Alias {
  /** The value output 0 stands for. */
  source: string;
  /** Constant values of other outputs (by output index). */
  constants?: Map<number, Tensor>;
}

export type Aliaser = (ctx: RewriteContext) => Alias;

const identity: Aliaser = (ctx) => {
  if (ctx.inputs.length !== 1) ctx.fail(`it has ${ctx.inputs.length} inputs, expected 1`, 'the file is corrupt');
  return { source: ctx.inputs[0] };
};

const dropout: Aliaser = (ctx) => {
  ctx.attrs.ignore('ratio', 'seed');
  const x = ctx.inputs[0];
  if (!x) ctx.fail('input 0 (data) is missing', 'the file is corrupt');
  const training = ctx.inputs[2] ? ctx.constant(ctx.inputs[2]) : undefined;
  if (ctx.inputs[2] && !training) {
    ctx.unsupported(`input 2 (training_mode) "${ctx.inputs[2]}" is computed at run time`, 'export the model in eval mode (model.eval())');
  }
  if (training && training.data.some((v) => v !== 0)) ctx.unsupported('training_mode is true', 'export the model in eval mode (model.eval())');
  const constants = new Map<number, Tensor>();
  if (ctx.outputs[1]) {
    // In inference nothing is dropped: from opset 12 the mask is all true. Before 12 the spec leaves it open
    // and onnxruntime fills it with 0/false, so that is what opml does. It is T (float) before opset 10.
    const dims = ctx.info(x).dims;
    const fill = new Array<number>(numElements(dims)).fill(ctx.opset >= 12 ? 1 : 0);
    constants.set(1, ctx.opset < 10 ? floatTensor(dims, fill) : intTensor(dims, fill));
  }
  return { source: x, constants };
};

const WIDE_INTS = new Set<number>([DataType.INT64, DataType.INT32]);

const cast: Aliaser = (ctx: RewriteContext): Alias => {
  const target = castTarget(ctx);
  const from = ctx.info(ctx.inputs[0]).dtype;
  const to = ctx.attrs.int('to', 0);
  if ((from === 'float32' && target === 'float') || (from === 'int64' && target === 'int' && WIDE_INTS.has(to))) {
    if (from === 'float32' && to !== DataType.FLOAT && to !== DataType.DOUBLE) {
      ctx.unsupported(`Cast of run-time data to ${DataType[to]} is not supported (opml computes in float32)`, 'remove the cast or cast to float32');
    }
    return { source: ctx.inputs[0] };
  }
  ctx.unsupported(
    `Cast of run-time data from ${from} to ${DataType[to]} is not supported (opml casts constants only)`,
    'export with static shapes, or keep run-time data float32',
  );
};

export const ALIASES: Record<string, Aliaser> = { Identity: identity, Dropout: dropout, Cast: cast };
