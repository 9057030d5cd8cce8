/**
 * RMSNormalization → `rmsnorm` (models/int/kernels/rmsnorm.ts; docs/INTEGER.md, "RMSNorm"). The input may be int8
 * or 16-bit words at any scale (the residual stream of a LLaMA block is 16-bit: its consumers are Add and
 * RMSNormalization); the scale (gamma) must be a constant broadcasting to the normalized dims, expanded to one
 * signed multiplier per element. Output: int8 at the calibrated scale, or 16-bit when every consumer takes 16-bit
 * words.
 *
 * The kernel sums x'² exactly (P = Σ x'² + eps in two int32 halves) and normalizes the square root to 15 bits, so
 * its precision does not depend on how a row's rms compares with the calibrated range:
 *   xmax = the input's word bound (128 for int8, 32768 for 16-bit words; wider inputs are refused), N ≤ 16383
 *   eps  = min(2^31 − 1, round(ε · N / scale_x²))      (ε in the units of P: P/N ≈ mean(x²) / scale_x²)
 *   w    ≈ x / rms · 2^30 / √N, so mult[i] / 2^shift ≈ γ_i · √N / (2^30 · scale_y) (one shared shift, the sign of
 *   γ_i in the multiplier).
 */
import type { GraphNode } from '../../graph.ts';
import { broadcastIndex } from '../../float/indexing.ts';
import type { QuantContext } from '../context.ts';
import { quantizeMultipliers } from '../multiplier.ts';
import { int16, int8 } from './common.ts';
import { outputBits, wordBound } from './normalize.ts';

/** Most elements per row: the low halves of the squares (≤ 65535 each, eps's included) sum below 2^30. */
export const RMSNORM_MAX_ROW = 16383;

/** The kernel's eps word and the unit of w (w ≈ (x / rms) · wUnit) for N elements at scale_x. */
export function rmsnormEps(n: number, scaleX: number, epsilon: number): { eps: number; wUnit: number } {
  return { eps: Math.min(2 ** 31 - 1, Math.round((epsilon * n) / scaleX ** 2)), wUnit: 2 ** 30 / Math.sqrt(n) };
}

export function quantizeRMSNorm(ctx: QuantContext, node: GraphNode & { op: 'RMSNormalization' }): void {
  const [xName, scaleName] = node.inputs;
  const x = ctx.value(xName);
  const dims = ctx.b.info(x.id).dims;
  const { axis, epsilon } = node.attrs;
  const normDims = dims.slice(axis);
  const n = normDims.reduce((p, d) => p * d, 1);
  const xmax = wordBound(ctx, xName, x);
  if (xmax > 32768) ctx.unsupported(node, `its input words reach ${xmax}, beyond the 16-bit words the integer kernel squares exactly`, 'calibrate the model again');
  if (n > RMSNORM_MAX_ROW) ctx.unsupported(node, `normalizing ${n} elements per row is more than the integer kernel sums exactly (${RMSNORM_MAX_ROW})`, 'normalize fewer elements');
  const g = ctx.constant(scaleName);
  if (!g) ctx.unsupported(node, `"${scaleName}" must be a constant`, 'export the model with its RMSNorm scale as an initializer');
  const idx = broadcastIndex(g.dims, normDims);
  const gamma = Float64Array.from(idx, (i) => g.data[i]);
  const { eps, wUnit } = rmsnormEps(n, x.scale, epsilon);
  const outName = node.outputs[0];
  const bits = outputBits(ctx, outName);
  const outScale = ctx.scaleOf(outName, bits);
  const { mults, shift } = quantizeMultipliers(Array.from(gamma, (v) => Math.abs(v) / (wUnit * outScale)));
  gamma.forEach((v, i) => {
    if (v < 0) mults[i] = -mults[i];
  });
  const multId = ctx.b.weight(`${node.name}.mult`, [n], mults);
  const { lo, hi } = bits === 8 ? int8 : int16;
  const id = ctx.b.node('rmsnorm', node.name, [x.id, multId], { axis, xmax, eps, shift, lo, hi }, outScale);
  ctx.values.set(outName, { id, scale: outScale });
}
