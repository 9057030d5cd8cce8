/**
 * Add, Sub, Mul, Div, Pow → one `binary` node each (models/int/kernels/binary.ts), numpy broadcasting in the
 * kernel. Either operand may be a constant (stored as a weight tensor, broadcast like an activation) or a
 * run-time activation (int8, or int16 where its producer chose 16 bits).
 *
 * - Add/Sub: both terms are rescaled onto a fine grid scale_out / 2^F (activations by requant, constants
 *   rounded straight onto it), added with add32/sub32 and rounded back by 2^-F; F is the largest that keeps
 *   each term below 2^29 in magnitude (so the sum never wraps), at most 16.
 * - Mul: the raw product (|a·b| ≤ 2^30 for int16 operands) and one requant by scale_a·scale_b/scale_out.
 *   A constant factor is quantized to int16 (scale max|c|/32767); a scalar constant c is the word sign(c) with
 *   |c| folded into the multiplier, so multiplying by a scalar is an exact rescale.
 * - Div by a constant: Mul by its reciprocal (a scalar divisor is a pure rescale). Div by an activation:
 *   t = div32(requant(a, ·), b) with the numerator on a grid 2^G finer than the output (G ≤ 16, chosen so the
 *   numerator fits int32), then y = rshr(t, G): error ≤ 0.5 + 2^-G output steps beyond the inputs' own.
 * - Pow: only a constant exponent 2, as Mul(x, x).
 * Output words are int16 when every consumer takes int16 words (WIDE_INPUT_OPS), else int8.
 */
import type { FloatTensor, GraphNode } from '../../graph.ts';
import type { IntAttrs } from '../../int/graph.ts';
import type { IntValue, QuantContext } from '../context.ts';
import { quantizeMultiplier } from '../multiplier.ts';
import { roundInt32 } from '../weights.ts';
import { int16, int8 } from './common.ts';

/**
 * ONNX ops whose quantizers accept int16 activation inputs, so a producer may emit 16-bit words for them
 * (the same set as models/quantize/ops/normalize.ts; never matmul, conv or lookup-table inputs).
 */
export const WIDE_INPUT_OPS: ReadonlySet<string> = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'ReduceMean', 'ReduceSum', 'LayerNormalization', 'RMSNormalization', 'Softmax']);

/**
 * The largest |word| activation `v` (of float value `name`) may hold: 128 for int8 words, 32768 for int16
 * (from its calibrated range over its scale; producers clamp to their word range).
 */
export function wordBound(ctx: QuantContext, name: string, v: IntValue): number {
  if (ctx.b.info(v.id).kind === 'input') return 128;
  const ratio = (ctx.ranges.get(name) ?? 0) / v.scale;
  return ratio <= 128 ? 128 : ratio <= 32768 ? 32768 : 2 ** Math.ceil(Math.log2(ratio));
}

/** Each term of a sum stays below this on the fine grid, so the sum of two never wraps. */
const TERM_LIMIT = 2 ** 29;
const MAX_FINE_BITS = 16;

type Operand = { name: string; act: IntValue; c?: undefined } | { name: string; act?: undefined; c: FloatTensor };

function operand(ctx: QuantContext, name: string): Operand {
  const c = ctx.constant(name);
  return c ? { name, c } : { name, act: ctx.value(name) };
}

function maxAbs(data: Float32Array): number {
  let m = 0;
  for (const v of data) m = Math.max(m, Math.abs(v));
  return m;
}

/** Bits of the words a node emits for `value`: 16 when it feeds only ops that take int16, else 8. */
export function outputBits(ctx: QuantContext, value: string): 8 | 16 {
  if (ctx.graph.outputs.includes(value)) return 8;
  const consumers = ctx.consumers(value);
  return consumers.length > 0 && consumers.every((n) => WIDE_INPUT_OPS.has(n.op)) ? 16 : 8;
}

interface Output {
  name: string;
  scale: number;
  lo: number;
  hi: number;
}

function outputOf(ctx: QuantContext, node: GraphNode): Output {
  const name = node.outputs[0];
  const bits = outputBits(ctx, name);
  const range = bits === 16 ? int16 : int8;
  return { name, scale: ctx.scaleOf(name, bits), lo: range.lo, hi: range.hi };
}

type Rescale = { mult: number; shift: number };
const IDENTITY: Rescale = { mult: 1, shift: 0 };

function emit(ctx: QuantContext, node: GraphNode, out: Output, op: IntAttrs['binary']['op'], ids: [number, number], a: Rescale, b: Rescale, o: Rescale): void {
  const attrs: IntAttrs['binary'] = { op, multA: a.mult, shiftA: a.shift, multB: b.mult, shiftB: b.shift, multOut: o.mult, shiftOut: o.shift, lo: out.lo, hi: out.hi };
  const id = ctx.b.node('binary', node.name, ids, attrs, out.scale);
  ctx.values.set(out.name, { id, scale: out.scale });
}

function bothConstant(ctx: QuantContext, node: GraphNode): never {
  return ctx.unsupported(node, 'both operands are constants', 'fold the node into a constant before export');
}

/** A constant as int16 words at scale max|c|/32767 (a weight), or, for a single value, the word sign(c) at scale |c|. */
function constantFactor(ctx: QuantContext, node: GraphNode, c: FloatTensor, tag: string): { id: number; scale: number } {
  if (c.data.length === 1) {
    const v = c.data[0];
    return { id: ctx.b.weight(`${node.name}.${tag}`, c.dims, Int32Array.of(Math.sign(v)), Math.abs(v) || 1), scale: Math.abs(v) || 1 };
  }
  const m = maxAbs(c.data);
  const scale = m > 0 ? m / int16.hi : 1;
  const words = Int32Array.from(c.data, (v) => Math.round(v / scale));
  return { id: ctx.b.weight(`${node.name}.${tag}`, c.dims, words, scale), scale };
}

function addSub(ctx: QuantContext, node: GraphNode, op: 'add' | 'sub'): void {
  const ops = node.inputs.map((n) => operand(ctx, n));
  if (ops.every((o) => o.c)) bothConstant(ctx, node);
  const out = outputOf(ctx, node);
  const term = (o: Operand): number => (o.act ? (wordBound(ctx, o.name, o.act) * o.act.scale) / out.scale : maxAbs(o.c.data) / out.scale);
  const largest = Math.max(...ops.map(term), 2 ** -MAX_FINE_BITS);
  const fine = Math.max(-30, Math.min(MAX_FINE_BITS, Math.floor(Math.log2(TERM_LIMIT / largest))));
  const grid = out.scale / 2 ** fine;
  const parts = ops.map((o, i): { id: number; rq: Rescale } => {
    if (o.act) return { id: o.act.id, rq: quantizeMultiplier(o.act.scale / grid) };
    const words = Int32Array.from(o.c.data, (v) => roundInt32(v / grid));
    return { id: ctx.b.weight(`${node.name}.${i === 0 ? 'a' : 'b'}`, o.c.dims, words, grid), rq: IDENTITY };
  });
  emit(ctx, node, out, op, [parts[0].id, parts[1].id], parts[0].rq, parts[1].rq, quantizeMultiplier(2 ** -fine));
}

/** a · b where b may be given as reciprocal-of-constant (Div by a constant). */
function product(ctx: QuantContext, node: GraphNode, a: Operand, b: Operand): void {
  if (a.c && b.c) bothConstant(ctx, node);
  const out = outputOf(ctx, node);
  const factor = (o: Operand, tag: string) => (o.act ? { id: o.act.id, scale: o.act.scale } : constantFactor(ctx, node, o.c, tag));
  const bound = (o: Operand) => (o.act ? wordBound(ctx, o.name, o.act) : int16.hi);
  if (bound(a) * bound(b) > 2 ** 30) ctx.unsupported(node, `operands of up to ${bound(a)} and ${bound(b)} in magnitude overflow a 32-bit product`, 'keep the operands in 16-bit range');
  const fa = factor(a, 'a');
  const fb = factor(b, 'b');
  emit(ctx, node, out, 'mul', [fa.id, fb.id], IDENTITY, IDENTITY, quantizeMultiplier((fa.scale * fb.scale) / out.scale));
}

export function quantizeAdd(ctx: QuantContext, node: GraphNode & { op: 'Add' }): void {
  addSub(ctx, node, 'add');
}

export function quantizeSub(ctx: QuantContext, node: GraphNode & { op: 'Sub' }): void {
  addSub(ctx, node, 'sub');
}

export function quantizeMul(ctx: QuantContext, node: GraphNode & { op: 'Mul' }): void {
  const [a, b] = node.inputs.map((n) => operand(ctx, n));
  product(ctx, node, a, b);
}

export function quantizeDiv(ctx: QuantContext, node: GraphNode & { op: 'Div' }): void {
  const [a, b] = node.inputs.map((n) => operand(ctx, n));
  if (a.c && b.c) bothConstant(ctx, node);
  if (b.c) {
    if (b.c.data.some((v) => v === 0)) ctx.unsupported(node, `the constant divisor "${b.name}" contains zero`, 'remove the division by zero from the model');
    product(ctx, node, a, { name: b.name, c: { dims: b.c.dims, data: b.c.data.map((v) => 1 / v) } });
    return;
  }
  const out = outputOf(ctx, node);
  const num = a.act ? { id: a.act.id, scale: a.act.scale, bound: wordBound(ctx, a.name, a.act) } : numeratorConstant(ctx, node, a.c);
  // t = div32(requant(a, K·2^G), b) ≈ y·2^G; K·2^G·|a| must fit int32 (with room for the requant's rounding).
  const k = num.scale / (b.act.scale * out.scale);
  const g = Math.max(-MAX_FINE_BITS, Math.min(MAX_FINE_BITS, Math.floor(Math.log2(2 ** 30 / (num.bound * k)))));
  emit(ctx, node, out, 'div', [num.id, b.act.id], quantizeMultiplier(k * 2 ** g), IDENTITY, quantizeMultiplier(2 ** -g));
}

function numeratorConstant(ctx: QuantContext, node: GraphNode, c: FloatTensor): { id: number; scale: number; bound: number } {
  const m = maxAbs(c.data);
  const scale = m > 0 ? m / int16.hi : 1;
  const words = Int32Array.from(c.data, (v) => Math.round(v / scale));
  return { id: ctx.b.weight(`${node.name}.a`, c.dims, words, scale), scale, bound: int16.hi };
}

export function quantizePow(ctx: QuantContext, node: GraphNode & { op: 'Pow' }): void {
  const [base, exponent] = node.inputs.map((n) => operand(ctx, n));
  const fix = 'only x^2 is supported; rewrite other powers with Mul, Sqrt or a lookup-table activation';
  if (!exponent.c) ctx.unsupported(node, `the exponent "${exponent.name}" must be the constant 2, got a run-time value`, fix);
  const values = [...new Set(exponent.c.data)];
  if (values.length !== 1 || values[0] !== 2) ctx.unsupported(node, `the exponent must be the constant 2, got ${values.length === 1 ? values[0] : `[${values.slice(0, 4).join(', ')}${values.length > 4 ? ', …' : ''}]`}`, fix);
  if (!base.act) bothConstant(ctx, node);
  const xDims = ctx.b.info(base.act.id).dims;
  const outDims = ctx.graph.values.get(node.outputs[0])!.dims;
  if (outDims.length !== xDims.length || outDims.some((d, i) => d !== xDims[i])) {
    ctx.unsupported(node, `the exponent's shape [${exponent.c.dims}] broadcasts the base [${xDims}] to [${outDims}]`, 'use a scalar exponent');
  }
  product(ctx, node, base, base);
}
