// Cast at load time: constants are converted (float → int truncates toward zero, as onnxruntime; bool is
// 0/1); on run-time data only casts that do not change the values opml holds become aliases.

import { TensorProto_DataType as DataType } from 'onnx-buf';
import { isIntTensor } from '../../graph.ts';
import type { RewriteContext } from '../expanders/types.ts';
import { floatTensor, intResult, intTensor } from './tensor.ts';
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

/** Wraps v into the range of a narrow integer type (signed or not), as a C cast does; wider types unchanged. */
function wrap(v: number, to: number): number {
  const bits: Record<number, [number, boolean]> = {
    [DataType.INT8]: [8, true], [DataType.UINT8]: [8, false], [DataType.INT16]: [16, true], [DataType.UINT16]: [16, false],
    [DataType.UINT32]: [32, false], [DataType.UINT64]: [64, false],
  };
  const spec = bits[to];
  if (!spec) return v;
  const [b, signed] = spec;
  if (b === 64) return v < 0 ? v + 2 ** 64 : v; // beyond int32 either way: refused by the caller
  const m = ((v % 2 ** b) + 2 ** b) % 2 ** b;
  return signed && m >= 2 ** (b - 1) ? m - 2 ** b : m;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Round half to even of a non-negative number. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** v (rounded to float32 first) rounded to IEEE half, nearest-even, overflow to ±inf, subnormals kept. */
export function roundToHalf(v: number): number {
  const x = Math.fround(v);
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity; // 65520 is the tie between 65504 and 2^16: even is inf
  f32[0] = a;
  const exp = Math.max(((u32[0] >>> 23) & 0xff) - 127, -14); // below 2^-14 the quantum is 2^-24
  const quantum = 2 ** (exp - 10);
  const r = roundHalfEven(a / quantum) * quantum;
  return x < 0 ? -r : r;
}

/** v (rounded to float32 first) rounded to bfloat16: the top 16 bits, nearest-even, as onnxruntime. */
export function roundToBfloat16(v: number): number {
  f32[0] = v;
  if (Number.isNaN(f32[0])) return Number.NaN;
  const u = u32[0];
  u32[0] = (((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) << 16) >>> 0;
  return f32[0];
}

export const cast: Folder = (ctx: RewriteContext) => {
  const target = castTarget(ctx);
  const t = ctx.constant(ctx.inputs[0]);
  if (!t) return undefined;
  const to = ctx.attrs.int('to', 0);
  if (target === 'float') {
    const round = to === DataType.FLOAT16 ? roundToHalf : to === DataType.BFLOAT16 ? roundToBfloat16 : Math.fround;
    return [floatTensor(t.dims, Float64Array.from(t.data, round))];
  }
  if (target === 'bool') return [intTensor(t.dims, Array.from(t.data, (v) => (v !== 0 ? 1 : 0)))];
  // Integer inputs keep what opml holds (INT64_MAX/MIN read from files stay saturated); a float is truncated
  // toward zero. Results outside int32 (a float too large, a negative value cast to an unsigned type) are
  // refused by name. NaN and ±inf are undefined in C casts: refused too.
  const values = Float64Array.from(t.data, (v) => wrap(isIntTensor(t) ? v : Math.trunc(v), to));
  return [intResult(ctx, t.dims, values)];
};
