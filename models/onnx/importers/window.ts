// Conv, MaxPool, AveragePool, GlobalAveragePool: 2-D windows over NCHW tensors. auto_pad is resolved into
// explicit pads here so later stages only see `pads`.

import type { Window2d } from '../../ops.ts';
import { floatOut, type ImportContext, type Importer } from './context.ts';

function pair(ctx: ImportContext, name: string, fallback: number): [number, number] {
  const v = ctx.attrs.ints(name);
  if (v === undefined) return [fallback, fallback];
  if (v.length !== 2) ctx.unsupported(`${name} has ${v.length} values; only 2-D windows are supported`);
  if (v.some((x) => !Number.isInteger(x) || x < 1)) ctx.fail(`${name} [${v.join(', ')}] must be positive integers`);
  return [v[0], v[1]];
}

/** Reads strides/pads/dilations/auto_pad for a 2-D window of the given kernel over input [H, W]. */
function window(ctx: ImportContext, kernel: [number, number], spatial: [number, number], dilatable: boolean): Window2d {
  const strides = pair(ctx, 'strides', 1);
  const dilations = dilatable ? pair(ctx, 'dilations', 1) : ([1, 1] as [number, number]);
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  const explicit = ctx.attrs.ints('pads');
  let pads: [number, number, number, number] = [0, 0, 0, 0];
  if (autoPad === 'NOTSET') {
    if (explicit) {
      if (explicit.length !== 4) ctx.unsupported(`pads has ${explicit.length} values; only 2-D windows are supported`);
      if (explicit.some((p) => !Number.isInteger(p) || p < 0)) ctx.fail(`pads [${explicit.join(', ')}] must be non-negative`);
      pads = [explicit[0], explicit[1], explicit[2], explicit[3]];
    }
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    for (let i = 0; i < 2; i++) {
      const out = Math.ceil(spatial[i] / strides[i]);
      const extent = (kernel[i] - 1) * dilations[i] + 1;
      const total = Math.max(0, (out - 1) * strides[i] + extent - spatial[i]);
      const small = Math.floor(total / 2);
      const [begin, end] = autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
      pads[i] = begin;
      pads[i + 2] = end;
    }
  } else if (autoPad !== 'VALID') {
    ctx.fail(`auto_pad "${autoPad}" is not a valid value`, 'use NOTSET, VALID, SAME_UPPER or SAME_LOWER');
  }
  return { kernelShape: kernel, strides, pads, dilations };
}

/** Output [H', W'] of a window, failing if the window does not fit. */
export function windowOutput(ctx: ImportContext, w: Window2d, spatial: [number, number]): [number, number] {
  const out: number[] = [];
  for (let i = 0; i < 2; i++) {
    const extent = (w.kernelShape[i] - 1) * w.dilations[i] + 1;
    const padded = spatial[i] + w.pads[i] + w.pads[i + 2];
    if (padded < extent) {
      ctx.fail(`the window (extent ${extent}) is larger than the padded input (${padded}) on spatial axis ${i}`);
    }
    out.push(Math.floor((padded - extent) / w.strides[i]) + 1);
  }
  return [out[0], out[1]];
}

function nchw(ctx: ImportContext, dims: readonly number[]): [number, number, number, number] {
  if (dims.length !== 4) {
    ctx.unsupported(`input ${ctx.dims(dims)} has rank ${dims.length}; only 2-D (NCHW, rank 4) windows are supported`);
  }
  return [dims[0], dims[1], dims[2], dims[3]];
}

function noCeilMode(ctx: ImportContext): void {
  if (ctx.attrs.int('ceil_mode', 0) !== 0) ctx.unsupported('ceil_mode=1 is not supported', 'export with ceil_mode=False');
}

export const importConv: Importer<'Conv'> = (ctx: ImportContext) => {
  ctx.arity(2, 3);
  const x = ctx.float(0, 'X');
  const w = ctx.float(1, 'W');
  const b = ctx.optionalFloat(2, 'B');
  const [n, c, h, wid] = nchw(ctx, x.dims);
  if (w.dims.length !== 4) ctx.fail(`weight ${ctx.dims(w.dims)} must have rank 4 [M, C/group, kH, kW]`);
  const [m, cg, kh, kw] = w.dims;
  const group = ctx.attrs.int('group', 1);
  if (group < 1 || c % group !== 0 || m % group !== 0 || cg !== c / group) {
    ctx.fail(`group=${group} does not fit input channels ${c}, output channels ${m} and weight ${ctx.dims(w.dims)}`);
  }
  const ks = ctx.attrs.ints('kernel_shape');
  if (ks && (ks.length !== 2 || ks[0] !== kh || ks[1] !== kw)) {
    ctx.fail(`kernel_shape [${ks.join(', ')}] disagrees with weight ${ctx.dims(w.dims)}`);
  }
  if (b && (b.dims.length !== 1 || b.dims[0] !== m)) ctx.fail(`bias ${ctx.dims(b.dims)} must be [${m}]`);
  const win = window(ctx, [kh, kw], [h, wid], true);
  const [oh, ow] = windowOutput(ctx, win, [h, wid]);
  return { attrs: { ...win, group }, outputs: [floatOut([n, m, oh, ow])] };
};

function kernelShape(ctx: ImportContext): [number, number] {
  const ks = ctx.attrs.ints('kernel_shape');
  if (!ks) ctx.fail('attribute kernel_shape is required', 'the file is corrupt');
  if (ks.length !== 2) ctx.unsupported(`kernel_shape has ${ks.length} values; only 2-D windows are supported`);
  if (ks.some((k) => !Number.isInteger(k) || k < 1)) ctx.fail(`kernel_shape [${ks.join(', ')}] must be positive`);
  return [ks[0], ks[1]];
}

export const importMaxPool: Importer<'MaxPool'> = (ctx: ImportContext) => {
  ctx.arity(1);
  const x = ctx.float(0, 'X');
  const [n, c, h, w] = nchw(ctx, x.dims);
  noCeilMode(ctx);
  ctx.attrs.ignore('storage_order'); // only affects the Indices output, which is not supported
  const win = window(ctx, kernelShape(ctx), [h, w], true);
  const [oh, ow] = windowOutput(ctx, win, [h, w]);
  return { attrs: win, outputs: [floatOut([n, c, oh, ow])] };
};

export const importAveragePool: Importer<'AveragePool'> = (ctx: ImportContext) => {
  ctx.arity(1);
  const x = ctx.float(0, 'X');
  const [n, c, h, w] = nchw(ctx, x.dims);
  noCeilMode(ctx);
  const countIncludePad = ctx.attrs.int('count_include_pad', 0) !== 0;
  const win = window(ctx, kernelShape(ctx), [h, w], ctx.opset >= 19);
  const [oh, ow] = windowOutput(ctx, win, [h, w]);
  return { attrs: { ...win, countIncludePad }, outputs: [floatOut([n, c, oh, ow])] };
};

export const importGlobalAveragePool: Importer<'GlobalAveragePool'> = (ctx: ImportContext) => {
  ctx.arity(1);
  const x = ctx.float(0, 'X');
  if (x.dims.length < 3) ctx.fail(`input ${ctx.dims(x.dims)} must have rank >= 3 (N, C, spatial...)`);
  const dims = x.dims.map((d, i) => (i < 2 ? d : 1));
  return { attrs: {}, outputs: [floatOut(dims)] };
};
