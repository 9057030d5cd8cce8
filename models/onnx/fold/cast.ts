// Cast at load time: constants are converted (float → int truncates toward zero, as onnxruntime; bool is
// 0/1); on run-time data only casts that do not change the values opml holds become aliases.

import { TensorProto_DataType as DataType } from 'onnx-buf';
import { isIntTensor } from '../../graph.ts';
import type { RewriteContext } from '../expanders/types.ts';
import { floatTensor, intTensor } from './tensor.ts';
import type { Folder } from './types.ts';

const FLOATS = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);
const INTS = new Set<number>([
  DataType.INT64, DataType.INT32, DataType.INT16, DataType.INT8, DataType.UINT64, DataType.UINT32, DataType.UINT16,
  DataType.UINT8,
]);

/** The `to` attribute, checked: a float, integer or bool type. */
export function castTarget(ctx: RewriteContext): 'float' | 'int' | 'bool' {
  if (!ctx.attrs.has('to')) ctx.fail('attribute to is required', 'the file is corrupt');
  const to = ctx.attrs.int('to', 0);
  ctx.attrs.ignore('saturate'); // only for float8 targets
  if (FLOATS.has(to)) return 'float';
  if (INTS.has(to)) return 'int';
  if (to === DataType.BOOL) return 'bool';
  ctx.unsupported(`Cast to ${DataType[to] ?? to} is not supported`, 'cast to float32 or int64');
}

/** Wraps v into the range of an integer type of `bits` (signed or not), as a C cast does. */
function wrap(v: number, to: number): number {
  const bits: Record<number, [number, boolean]> = {
    [DataType.INT8]: [8, true], [DataType.UINT8]: [8, false], [DataType.INT16]: [16, true], [DataType.UINT16]: [16, false],
  };
  const spec = bits[to];
  if (!spec) return v;
  const [b, signed] = spec;
  const m = ((v % 2 ** b) + 2 ** b) % 2 ** b;
  return signed && m >= 2 ** (b - 1) ? m - 2 ** b : m;
}

export const cast: Folder = (ctx: RewriteContext) => {
  const target = castTarget(ctx);
  const t = ctx.constant(ctx.inputs[0]);
  if (!t) return undefined;
  const to = ctx.attrs.int('to', 0);
  if (target === 'float') {
    const values = Array.from(t.data, Number);
    return [floatTensor(t.dims, to === DataType.FLOAT16 || to === DataType.BFLOAT16 ? values.map(Math.fround) : values)];
  }
  if (target === 'bool') return [intTensor(t.dims, Array.from(t.data, (v) => (v !== 0 ? 1 : 0)))];
  const values = Array.from(t.data, (v) => wrap(isIntTensor(t) ? v : Math.trunc(v), to));
  return [intTensor(t.dims, values)];
};
