/**
 * MaxPool → `maxpool2d` at the input's scale (max commutes with a positive scale; the clamp is the int16
 * range, a no-op for int8 and int16 words). AveragePool and GlobalAveragePool → `avgpool2d`: the division by
 * the window count and the change to the output's calibrated int8 scale are one requant per output, with
 * mults[n]/2^shift ≈ scale_x/(n·scale_y) for every count n the geometry produces (one shared shift, chosen
 * for the smallest such n; counts that never occur get 0).
 */
import type { GraphNode } from '../../graph.ts';
import type { IntWindow2d } from '../../int/graph.ts';
import { axisRuns, windowGeometry } from '../../int/kernels/window2d.ts';
import type { Window2d } from '../../ops.ts';
import type { QuantContext } from '../context.ts';
import { quantizeMultipliers } from '../multiplier.ts';
import { int16, int8 } from './common.ts';

export function intWindow(w: Window2d): IntWindow2d {
  const [t, l, b, r] = w.pads;
  return { kernel: [w.kernelShape[0], w.kernelShape[1]], strides: [w.strides[0], w.strides[1]], pads: [t, l, b, r], dilations: [w.dilations[0], w.dilations[1]] };
}

function rank4(ctx: QuantContext, node: GraphNode, dims: readonly number[]): void {
  if (dims.length !== 4) ctx.unsupported(node, `input [${dims}] has rank ${dims.length}; only NCHW (rank 4) inputs are supported`, 'reshape to [N, C, H, W]');
}

export function quantizeMaxPool(ctx: QuantContext, node: GraphNode & { op: 'MaxPool' }): void {
  const x = ctx.value(node.inputs[0]);
  rank4(ctx, node, ctx.b.info(x.id).dims);
  const id = ctx.b.node('maxpool2d', node.name, [x.id], { ...intWindow(node.attrs), lo: int16.lo, hi: int16.hi }, x.scale);
  ctx.values.set(node.outputs[0], { id, scale: x.scale });
}

function emitAverage(ctx: QuantContext, node: GraphNode, win: IntWindow2d, countIncludePad: boolean): void {
  const x = ctx.value(node.inputs[0]);
  const dims = ctx.b.info(x.id).dims;
  rank4(ctx, node, dims);
  const geo = windowGeometry('avgpool2d', win, dims);
  const kk = geo.kh * geo.kw;
  const used = new Set<number>();
  if (countIncludePad) used.add(kk);
  else {
    const rows = axisRuns(geo.oh, geo.h, geo.kh, geo.sh, geo.pt, geo.dh);
    const cols = axisRuns(geo.ow, geo.w, geo.kw, geo.sw, geo.pl, geo.dw);
    for (const r of rows) for (const c of cols) used.add((r.k1 - r.k0) * (c.k1 - c.k0));
  }
  const outScale = ctx.scaleOf(node.outputs[0]);
  const reals = Array.from({ length: kk + 1 }, (_, n) => (n > 0 && used.has(n) ? x.scale / (n * outScale) : 0));
  const { mults, shift } = quantizeMultipliers(reals);
  const id = ctx.b.node('avgpool2d', node.name, [x.id], { ...win, countIncludePad, mults: Array.from(mults), shift, lo: int8.lo, hi: int8.hi }, outScale);
  ctx.values.set(node.outputs[0], { id, scale: outScale });
}

export function quantizeAveragePool(ctx: QuantContext, node: GraphNode & { op: 'AveragePool' }): void {
  emitAverage(ctx, node, intWindow(node.attrs), node.attrs.countIncludePad);
}

export function quantizeGlobalAveragePool(ctx: QuantContext, node: GraphNode & { op: 'GlobalAveragePool' }): void {
  const dims = ctx.b.info(ctx.value(node.inputs[0]).id).dims;
  rank4(ctx, node, dims);
  emitAverage(ctx, node, { kernel: [dims[2], dims[3]], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] }, true);
}
