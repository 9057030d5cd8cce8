/**
 * Unary activations (Sigmoid, Tanh, HardSigmoid, Gelu in both modes, Erf, LeakyRelu, Elu, Selu, Celu,
 * ThresholdedRelu, HardSwish, Softplus, Softsign, Exp, Log, Neg, Abs, Reciprocal, Mish, Swish, Sin, Cos, Tan, Asin,
 * Acos, Atan, Sinh, Cosh, Asinh, Acosh, Atanh, Sign, Floor, Ceil, Round) → one `lut` node: the input is
 * int8, so the op is a function of 256 words, tabulated at quantization time:
 *   table[i] = clamp(round(f((i − 128) · scale_x) / scale_y), lo, hi)      i = 0..255
 * where f is the float reference kernel of the node itself (models/float/kernels, attributes included), so
 * the integer op equals the float op evaluated on the dequantized input, rounded once to the output grid.
 * An input carried in int16 words is first narrowed to int8 (a `binary` mul by the word 1, one requant).
 * The output is int16 when every consumer takes int16 (models/quantize/ops/arithmetic.ts), else int8.
 */
import { KERNELS } from '../../float/kernels/index.ts';
import type { Kernel } from '../../float/kernels/kernel.ts';
import type { GraphNode } from '../../graph.ts';
import { LUT_OFFSET, LUT_SIZE } from '../../int/kernels/lut.ts';
import type { IntValue, QuantContext } from '../context.ts';
import { quantizeMultiplier } from '../multiplier.ts';
import { outputBits } from './arithmetic.ts';
import { int16, int8 } from './common.ts';

export type LookupOp = 'Sigmoid' | 'Tanh' | 'HardSigmoid' | 'Gelu' | 'Erf' | 'LeakyRelu' | 'Elu' | 'Selu' | 'Celu'
  | 'ThresholdedRelu' | 'HardSwish' | 'Softplus' | 'Softsign' | 'Exp' | 'Log' | 'Neg' | 'Abs' | 'Reciprocal' | 'Mish' | 'Swish'
  | 'Sin' | 'Cos' | 'Tan' | 'Asin' | 'Acos' | 'Atan' | 'Sinh' | 'Cosh' | 'Asinh' | 'Acosh' | 'Atanh' | 'Sign' | 'Floor' | 'Ceil' | 'Round';

/** True when `v` (the integer tensor of float value `name`) holds words wider than int8. */
function isWide(ctx: QuantContext, name: string, v: IntValue): boolean {
  const range = ctx.ranges.get(name) ?? 0;
  return range / v.scale > 1000;
}

/** The int8 version of a wider activation: y = clamp(requant(x · 1, scale_x/scale_8), -128, 127). */
function narrow(ctx: QuantContext, node: GraphNode, name: string, x: IntValue): IntValue {
  const scale = ctx.scaleOf(name, 8);
  const one = ctx.b.weight(`${node.name}.one`, [], Int32Array.of(1));
  const { mult, shift } = quantizeMultiplier(x.scale / scale);
  const id = ctx.b.node('binary', `${node.name}.narrow`, [x.id, one], { op: 'mul', multA: 1, shiftA: 0, multB: 1, shiftB: 0, multOut: mult, shiftOut: shift, lo: int8.lo, hi: int8.hi }, scale);
  return { id, scale };
}

/** The lookup table of unary `node` for input scale `inScale` and output scale `outScale`. */
export function lookupTable(node: GraphNode & { op: LookupOp }, inScale: number, outScale: number, lo: number, hi: number): Int32Array {
  const grid = Float32Array.from({ length: LUT_SIZE }, (_, i) => (i - LUT_OFFSET) * inScale);
  const f = (KERNELS[node.op] as Kernel<LookupOp>)(node, [{ dims: [LUT_SIZE], data: grid }], [LUT_SIZE]).data;
  // Log(x ≤ 0) and Reciprocal(0) are −∞, NaN or ±∞ in float: the nearest word (NaN → 0).
  return Int32Array.from(f, (v) => (Number.isNaN(v) ? 0 : Math.max(lo, Math.min(hi, Math.round(v / outScale)))));
}

export function quantizeLookup(ctx: QuantContext, node: GraphNode & { op: LookupOp }): void {
  const inName = node.inputs[0];
  let x = ctx.value(inName);
  if (isWide(ctx, inName, x)) x = narrow(ctx, node, inName, x);
  const outName = node.outputs[0];
  const bits = outputBits(ctx, outName);
  const range = bits === 16 ? int16 : int8;
  const scale = ctx.scaleOf(outName, bits);
  const table = ctx.b.weight(`${node.name}.table`, [LUT_SIZE], lookupTable(node, x.scale, scale, range.lo, range.hi), scale);
  const id = ctx.b.node('lut', node.name, [x.id, table], {}, scale);
  ctx.values.set(outName, { id, scale });
}
