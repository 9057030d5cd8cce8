/**
 * Conv → one `conv2d` node; BatchNormalization → `channelAffine` (or folded into the Conv before it).
 *
 * Conv: the weight (a constant [M, C/group, kh, kw]) is quantized to int8 per output channel and the bias to
 * int32 at scale_x·scale_w[m]. A following BatchNormalization with constant parameters is folded into the
 * weights and bias in float (w' = w·γ/√(σ²+ε), b' = (b − μ)·γ/√(σ²+ε) + β), and a Relu after that into
 * lo = 0, or a Clip into its bounds on the output scale, so Conv-BN-Relu and Conv-BN-ReLU6 are one node. A
 * channel's weight scale is raised, if needed, until its bias fits in 2^24 (a channel whose weights vanish but
 * whose bias does not, e.g. after BN). A 1-D conv (rank-3 input) is a 2-D one over [N, C, 1, L] between two
 * `copy` nodes.
 *
 * BatchNormalization alone: y = x·g[c] + h[c] with g = γ/√(σ²+ε), h = β − μ·g. Per channel a factor
 * q[c] = g[c]/s_q[c] in [−2^13, 2^13] (13 bits of the factor, safe for int8 and int16 inputs), an offset
 * h[c]/(scale_x·s_q[c]) kept within 2^28 by raising s_q, and the multiplier scale_x·s_q[c]/scale_y. A
 * following Relu or Clip folds into the output clamp.
 */
import type { GraphNode } from '../../graph.ts';
import type { QuantContext } from '../context.ts';
import { quantizeMultipliers } from '../multiplier.ts';
import { fillEmptyScales, roundInt32 } from '../weights.ts';
import { clampWords, foldableClamp } from './common.ts';
import { from4d, intWindow, to4d } from './pool.ts';

/** Bias words of a conv stay below this magnitude (weight scales are raised to make it so). */
const CONV_BIAS_LIMIT = 2 ** 24;
/** channelAffine factors and offsets stay below these magnitudes. */
const AFFINE_FACTOR_LIMIT = 2 ** 13;
const AFFINE_OFFSET_LIMIT = 2 ** 28;

interface BatchNormParams {
  /** per-channel factor γ/√(σ²+ε) */
  g: Float64Array;
  /** per-channel offset β − μ·g */
  h: Float64Array;
}

/** The constant parameters of a BatchNormalization, or undefined when one of them is computed at run time. */
function batchNormParams(ctx: QuantContext, node: GraphNode & { op: 'BatchNormalization' }): BatchNormParams | undefined {
  const params = node.inputs.slice(1, 5).map((n) => ctx.constant(n));
  if (params.length !== 4 || params.some((p) => p === undefined)) return undefined;
  const [scale, beta, mean, variance] = params.map((p) => p!.data);
  const c = scale.length;
  const g = Float64Array.from({ length: c }, (_, i) => scale[i] / Math.sqrt(variance[i] + node.attrs.epsilon));
  const h = Float64Array.from({ length: c }, (_, i) => beta[i] - mean[i] * g[i]);
  return { g, h };
}

export function quantizeConv(ctx: QuantContext, node: GraphNode & { op: 'Conv' }): void {
  const [xName, wName, bName] = node.inputs;
  const wConst = ctx.constant(wName);
  if (!wConst) ctx.unsupported(node, `the weight "${wName}" must be a constant (initializer), not a run-time value`, 'export the model with constant weights');
  const bConst = bName !== undefined ? ctx.constant(bName) : undefined;
  if (bName !== undefined && !bConst) ctx.unsupported(node, `the bias "${bName}" must be a constant (initializer)`, 'export the model with a constant bias');
  const dims1 = wConst.dims.length === 3; // a 1-D conv runs as a 2-D one over [N, C, 1, L]
  const [m, cg, kh, kw] = dims1 ? [wConst.dims[0], wConst.dims[1], 1, wConst.dims[2]] : wConst.dims;
  const per = cg * kh * kw;
  const w = Float64Array.from(wConst.data);
  const bias = new Float64Array(m);
  if (bConst) bias.set(bConst.data);

  let output = node.outputs[0];
  let next = ctx.soleConsumer(output);
  if (next?.op === 'BatchNormalization' && next.inputs[0] === output) {
    const bn = batchNormParams(ctx, next);
    if (bn) {
      for (let oc = 0; oc < m; oc++) {
        for (let i = 0; i < per; i++) w[oc * per + i] *= bn.g[oc];
        bias[oc] = bias[oc] * bn.g[oc] + bn.h[oc];
      }
      ctx.fused.add(next);
      output = next.outputs[0];
      next = ctx.soleConsumer(output);
    }
  }
  const act = foldableClamp(next);
  if (act) {
    ctx.fused.add(next!);
    output = next!.outputs[0];
  }

  const x = dims1 ? to4d(ctx, node, ctx.value(xName)) : ctx.value(xName);
  const outScale = ctx.scaleOf(output);
  const { lo, hi } = clampWords(act, outScale);
  const raw: number[] = [];
  for (let oc = 0; oc < m; oc++) {
    let maxAbs = 0;
    for (let i = 0; i < per; i++) maxAbs = Math.max(maxAbs, Math.abs(w[oc * per + i]));
    raw.push(Math.max(maxAbs / 127, Math.abs(bias[oc]) / (x.scale * CONV_BIAS_LIMIT)));
  }
  // An empty channel (zero weights and bias) must not set the shift all channels' multipliers share.
  const scales = fillEmptyScales(raw);
  const q = new Int32Array(m * per);
  for (let oc = 0; oc < m; oc++) {
    for (let i = 0; i < per; i++) q[oc * per + i] = Math.max(-127, Math.min(127, Math.round(w[oc * per + i] / scales[oc])));
  }
  const { mults, shift } = quantizeMultipliers(scales.map((s) => (x.scale * s) / outScale));
  const biasWords = Int32Array.from({ length: m }, (_, oc) => roundInt32(bias[oc] / (x.scale * scales[oc])));
  const wId = ctx.b.weight(`${node.name}.weight`, [m, cg, kh, kw], q);
  const biasId = ctx.b.weight(`${node.name}.bias`, [m], biasWords);
  const multId = ctx.b.weight(`${node.name}.mult`, [m], mults);
  const id = ctx.b.node(
    'conv2d',
    node.name,
    [x.id, wId, biasId, multId],
    { ...intWindow(node.attrs), group: node.attrs.group, shift, lo, hi },
    outScale,
  );
  ctx.values.set(output, { id: dims1 ? from4d(ctx, node, id, output) : id, scale: outScale });
}

export function quantizeBatchNormalization(ctx: QuantContext, node: GraphNode & { op: 'BatchNormalization' }): void {
  const bn = batchNormParams(ctx, node);
  if (!bn) ctx.unsupported(node, 'scale, B, mean and var must be constants (initializers)', 'export the model in eval mode with constant statistics');
  let output = node.outputs[0];
  const next = ctx.soleConsumer(output);
  const act = foldableClamp(next);
  if (act) {
    ctx.fused.add(next!);
    output = next!.outputs[0];
  }
  const x = ctx.value(node.inputs[0]);
  const outScale = ctx.scaleOf(output);
  const { lo, hi } = clampWords(act, outScale);
  const c = bn.g.length;
  // A channel with g = h = 0 (output 0) takes another channel's scale, so it does not set the shared shift.
  const sq = fillEmptyScales(
    Array.from({ length: c }, (_, i) => Math.max(Math.abs(bn.g[i]) / (AFFINE_FACTOR_LIMIT - 1), Math.abs(bn.h[i]) / (x.scale * AFFINE_OFFSET_LIMIT))),
  );
  const factor = Int32Array.from({ length: c }, (_, i) => Math.round(bn.g[i] / sq[i]));
  const offset = Int32Array.from({ length: c }, (_, i) => roundInt32(bn.h[i] / (x.scale * sq[i])));
  const { mults, shift } = quantizeMultipliers(sq.map((s) => (x.scale * s) / outScale));
  const wId = ctx.b.weight(`${node.name}.factor`, [c], factor);
  const biasId = ctx.b.weight(`${node.name}.offset`, [c], offset);
  const multId = ctx.b.weight(`${node.name}.mult`, [c], mults);
  const id = ctx.b.node('channelAffine', node.name, [x.id, wId, biasId, multId], { shift, lo, hi }, outScale);
  ctx.values.set(output, { id, scale: outScale });
}
