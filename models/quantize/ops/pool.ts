/**
 * MaxPool → `maxpool2d` at the input's scale (max commutes with a positive scale; the clamp is the int16
 * range, a no-op for int8 and int16 words). AveragePool and GlobalAveragePool → `avgpool2d`: the division by
 * the window count and the change to the output's calibrated int8 scale are one requant per output, with
 * mults[n]/2^shift ≈ scale_x/(n·scale_y) for every count n the geometry produces (one shared shift, chosen
 * for the smallest such n; counts that never occur get 0). A rank-3 input (a 1-D window) runs as [N, C, 1, L]
 * between two `copy` nodes.
 */
import type { GraphNode } from '../../graph.ts';
import type { IntWindow2d } from '../../int/graph.ts';
import { axisRuns, windowGeometry } from '../../int/kernels/window2d.ts';
import type { Window2d } from '../../ops.ts';
import type { IntValue, QuantContext } from '../context.ts';
import { quantizeMultipliers } from '../multiplier.ts';
import { int16, int8 } from './common.ts';

export function intWindow(w: Window2d): IntWindow2d {
  const [t, l, b, r] = w.pads;
  return { kernel: [w.kernelShape[0], w.kernelShape[1]], strides: [w.strides[0], w.strides[1]], pads: [t, l, b, r], dilations: [w.dilations[0], w.dilations[1]] };
}

function rank4(ctx: QuantContext, node: GraphNode, dims: readonly number[]): void {
  if (dims.length !== 4) ctx.unsupported(node, `input [${dims}] has rank ${dims.length}; only NCHW (rank 4) inputs are supported`, 'reshape to [N, C, H, W]');
}

/** A rank-3 activation [N, C, L] (a 1-D window's input) as [N, C, 1, L]: a `copy` under new dims. */
export function to4d(ctx: QuantContext, node: GraphNode, x: IntValue): IntValue {
  const [n, c, l] = ctx.b.info(x.id).dims;
  return { id: ctx.b.node('copy', `${node.name}.to4d`, [x.id], { dims: [n, c, 1, l] }, x.scale), scale: x.scale };
}

/** The [N, C, 1, L'] result of a 1-D window back as float value `output`'s rank-3 dims. */
export function from4d(ctx: QuantContext, node: GraphNode, id: number, output: string): number {
  const dims = ctx.graph.values.get(output)!.dims;
  return ctx.b.node('copy', `${node.name}.to3d`, [id], { dims }, ctx.b.info(id).scale);
}

/** The input of a window op as rank 4 (a rank-3 input through `to4d`), and whether it was rank 3. */
function windowInput(ctx: QuantContext, node: GraphNode): { x: IntValue; dims1: boolean } {
  const x = ctx.value(node.inputs[0]);
  const dims1 = ctx.b.info(x.id).dims.length === 3;
  return { x: dims1 ? to4d(ctx, node, x) : x, dims1 };
}

export function quantizeMaxPool(ctx: QuantContext, node: GraphNode & { op: 'MaxPool' }): void {
  const { x, dims1 } = windowInput(ctx, node);
  rank4(ctx, node, ctx.b.info(x.id).dims);
  const id = ctx.b.node('maxpool2d', node.name, [x.id], { ...intWindow(node.attrs), lo: int16.lo, hi: int16.hi }, x.scale);
  ctx.values.set(node.outputs[0], { id: dims1 ? from4d(ctx, node, id, node.outputs[0]) : id, scale: x.scale });
}

function emitAverage(ctx: QuantContext, node: GraphNode, win: IntWindow2d, countIncludePad: boolean): void {
  const { x, dims1 } = windowInput(ctx, node);
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
  ctx.values.set(node.outputs[0], { id: dims1 ? from4d(ctx, node, id, node.outputs[0]) : id, scale: outScale });
}

export function quantizeAveragePool(ctx: QuantContext, node: GraphNode & { op: 'AveragePool' }): void {
  emitAverage(ctx, node, intWindow(node.attrs), node.attrs.countIncludePad);
}

export function quantizeGlobalAveragePool(ctx: QuantContext, node: GraphNode & { op: 'GlobalAveragePool' }): void {
  const dims = ctx.b.info(ctx.value(node.inputs[0]).id).dims;
  if (dims.length !== 3) rank4(ctx, node, dims);
  const [h, w] = dims.length === 3 ? [1, dims[2]] : [dims[2], dims[3]];
  emitAverage(ctx, node, { kernel: [h, w], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] }, true);
}
