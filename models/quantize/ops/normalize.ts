/**
 * Normalization ops: Softmax → `softmax`, LayerNormalization → `layernorm`, ReduceMean → `reducemean`,
 * Sqrt → `sqrt` (docs/INTEGER.md, "Normalization ops"). Inputs may be int8 or 16-bit words at any scale;
 * ReduceMean and Sqrt produce 16-bit words when every consumer is an elementwise or normalization op (the
 * decomposed LayerNorm chain), int8 otherwise. Softmax produces int8 at scale 1/127.
 */
import type { GraphNode } from '../../graph.ts';
import { broadcastIndex } from '../../float/indexing.ts';
import type { IntValue, QuantContext } from '../context.ts';
import { quantizeMultiplier, quantizeMultipliers } from '../multiplier.ts';
import { roundInt32 } from '../weights.ts';
import { int16, int8 } from './common.ts';

/** Consumers that take 16-bit words (rescaling arithmetic, not int8 tables or matmuls). */
const WIDE_CONSUMERS = new Set<string>(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'ReduceMean', 'ReduceSum', 'LayerNormalization', 'RMSNormalization', 'Softmax']);

/** Word width for an op's output `name`: 16 when it feeds only ops that take 16-bit words. */
export function outputBits(ctx: QuantContext, name: string): 8 | 16 {
  if (ctx.graph.outputs.includes(name)) return 8;
  const consumers = ctx.consumers(name);
  return consumers.length > 0 && consumers.every((n) => WIDE_CONSUMERS.has(n.op)) ? 16 : 8;
}

const rangeOf = (bits: 8 | 16) => (bits === 8 ? int8 : int16);

/**
 * The largest |word| an activation may hold, from its calibrated range and scale: 128 for int8 words,
 * 32768 for 16-bit words (a wider tensor gets the next power of two).
 */
export function wordBound(ctx: QuantContext, name: string, v: IntValue): number {
  const info = ctx.b.info(v.id);
  if (info.kind === 'input') return 128;
  const r = ctx.ranges.get(name) ?? 0;
  const ratio = r / v.scale;
  if (ratio <= 128) return 128;
  if (ratio <= 32768) return 32768;
  return 2 ** Math.ceil(Math.log2(ratio));
}

// ---------------------------------------------------------------- Softmax

/** Most table entries per softmax (the exp grid is at least as fine as cutoff / (MAX_TABLE − 1)). */
export const MAX_TABLE = 2048;
/** Output word of probability 1. */
export const SOFTMAX_ONE = 127;

export function quantizeSoftmax(ctx: QuantContext, node: GraphNode & { op: 'Softmax' }): void {
  const xName = node.inputs[0];
  const x = ctx.value(xName);
  const dims = ctx.b.info(x.id).dims;
  const axis = node.attrs.axis;
  const len = dims[axis];
  // Table amplitude 2^E: the row sum ≤ len·2^E stays below 2^30 and e·one below 2^30.
  const e = Math.min(22, 30 - Math.ceil(Math.log2(Math.max(len, 1))));
  if (e < 8) ctx.unsupported(node, `a softmax row of ${len} elements is too long for the integer exp table`, 'split the axis');
  // Differences beyond cutoff have exp(·)·2^E < 1/2: their entries would be 0.
  const cutoff = (e + 1) * Math.LN2;
  const delta = Math.max(x.scale, cutoff / (MAX_TABLE - 1));
  const maxDiff = 2 * wordBound(ctx, xName, x) * x.scale; // the widest row a tensor of these words can hold
  const length = Math.max(1, Math.min(MAX_TABLE, Math.ceil(Math.min(cutoff, maxDiff) / delta) + 1));
  const table = Int32Array.from({ length }, (_, k) => Math.round(2 ** e * Math.exp(-k * delta)));
  const rescale = delta === x.scale ? { mult: 2 ** 30, shift: 30 } : quantizeMultiplier(x.scale / delta);
  const tableId = ctx.b.weight(`${node.name}.exp`, [length], table);
  const attrs = { axis, mult: rescale.mult, shift: rescale.shift, one: SOFTMAX_ONE };
  const id = ctx.b.node('softmax', node.name, [x.id, tableId], attrs, 1 / SOFTMAX_ONE);
  ctx.values.set(node.outputs[0], { id, scale: 1 / SOFTMAX_ONE });
}

// ---------------------------------------------------------------- LayerNormalization

/** The per-element values of a constant broadcast to the normalized dims (`fill` when absent). */
function perElement(ctx: QuantContext, node: GraphNode, name: string | undefined, normDims: number[], fill: number): Float64Array {
  const n = normDims.reduce((p, d) => p * d, 1);
  if (name === undefined) return new Float64Array(n).fill(fill);
  const c = ctx.constant(name);
  if (!c) ctx.unsupported(node, `"${name}" must be a constant`, 'export the model with its LayerNorm parameters as initializers');
  const idx = broadcastIndex(c.dims, normDims);
  return Float64Array.from(idx, (i) => c.data[i]);
}

export function quantizeLayerNorm(ctx: QuantContext, node: GraphNode & { op: 'LayerNormalization' }): void {
  const [xName, scaleName, biasName] = node.inputs;
  const x = ctx.value(xName);
  const dims = ctx.b.info(x.id).dims;
  const { axis, epsilon } = node.attrs;
  const normDims = dims.slice(axis);
  const n = normDims.reduce((p, d) => p * d, 1);
  const xmax = wordBound(ctx, xName, x);
  // d = N·x − Σx: |d| ≤ 2·N·xmax must stay below 2^31 (and its shift below 2^30).
  if (2 * n * xmax > 2 ** 30) ctx.unsupported(node, `normalizing ${n} elements of ${Math.log2(xmax) + 1}-bit words overflows int32`, 'normalize fewer elements');
  // V = Σ d²/2^sqShift ≤ N·(N·xmax)² / 2^sqShift ≤ 2^29.
  const sqShift = Math.max(0, Math.ceil(Math.log2(n ** 3 * xmax ** 2)) - 29);
  const divShift = Math.max(0, 30 - Math.ceil(Math.log2(2 * n * xmax)));
  // V in real units: var · N³ / (scale² · 2^sqShift).
  const vUnit = n ** 3 / (x.scale ** 2 * 2 ** sqShift);
  const eps = Math.min(2 ** 30, Math.round(epsilon * vUnit));
  // w = (x − mean)/std · 2^(divShift + sqShift/2) / √N.
  const wUnit = 2 ** (divShift + sqShift / 2) / Math.sqrt(n);
  const outName = node.outputs[0];
  const bits = outputBits(ctx, outName);
  const outScale = ctx.scaleOf(outName, bits);
  const gamma = perElement(ctx, node, scaleName, normDims, 1);
  const beta = perElement(ctx, node, biasName, normDims, 0);
  const factors = Array.from(gamma, (g) => Math.abs(g) / (wUnit * outScale));
  const { mults, shift } = quantizeMultipliers(factors);
  gamma.forEach((g, i) => {
    if (g < 0) mults[i] = -mults[i];
  });
  const bias = Int32Array.from(beta, (b) => roundInt32(b / outScale));
  const multId = ctx.b.weight(`${node.name}.mult`, [n], mults);
  const biasId = ctx.b.weight(`${node.name}.bias`, [n], bias);
  const { lo, hi } = rangeOf(bits);
  const attrs = { axis, xmax, sqShift, divShift, eps, shift, lo, hi };
  const id = ctx.b.node('layernorm', node.name, [x.id, multId, biasId], attrs, outScale);
  ctx.values.set(outName, { id, scale: outScale });
}

// ---------------------------------------------------------------- ReduceMean

/** ReduceMean and ReduceSum → `reducemean`: the sum's rescale is scale_x / (count · scale_y), or scale_x / scale_y for a sum. */
export function quantizeReduceMean(ctx: QuantContext, node: GraphNode & { op: 'ReduceMean' | 'ReduceSum' }): void {
  const xName = node.inputs[0];
  const x = ctx.value(xName);
  const dims = ctx.b.info(x.id).dims;
  const { axes, keepdims } = node.attrs;
  const count = axes.reduce((p, a) => p * dims[a], 1);
  if (count * wordBound(ctx, xName, x) > 2 ** 31) ctx.unsupported(node, `a sum of ${count} words may overflow int32`, 'reduce fewer elements per output');
  const outName = node.outputs[0];
  const bits = outputBits(ctx, outName);
  const outScale = ctx.scaleOf(outName, bits);
  const { mult, shift } = quantizeMultiplier(x.scale / ((node.op === 'ReduceMean' ? count : 1) * outScale));
  const { lo, hi } = rangeOf(bits);
  const id = ctx.b.node('reducemean', node.name, [x.id], { axes: [...axes], keepdims, mult, shift, lo, hi }, outScale);
  ctx.values.set(outName, { id, scale: outScale });
}

// ---------------------------------------------------------------- Sqrt

export function quantizeSqrt(ctx: QuantContext, node: GraphNode & { op: 'Sqrt' }): void {
  const xName = node.inputs[0];
  const x = ctx.value(xName);
  const outName = node.outputs[0];
  const bits = outputBits(ctx, outName);
  const outScale = ctx.scaleOf(outName, bits);
  // u = x · scale_x / scale_y² · 4^frac: the largest input gives u ≤ 2^30, so ⌊√u⌋ keeps frac extra bits.
  const ratio = x.scale / outScale ** 2;
  const uMax = wordBound(ctx, xName, x) * ratio;
  const frac = Math.max(0, Math.min(15, Math.floor((30 - Math.log2(uMax)) / 2)));
  const { mult, shift } = quantizeMultiplier(ratio * 4 ** frac);
  const { hi } = rangeOf(bits);
  const id = ctx.b.node('sqrt', node.name, [x.id], { mult, shift, frac, lo: 0, hi }, outScale);
  ctx.values.set(outName, { id, scale: outScale });
}
