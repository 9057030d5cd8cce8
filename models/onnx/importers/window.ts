// Conv, MaxPool, AveragePool, GlobalAveragePool: 2-D windows over NCHW tensors. auto_pad is resolved into
// explicit pads here so later stages only see `pads`.

import type { Window2d } from '../../ops.ts';
import { floatOut, type ImportContext, type Importer } from './context.ts';

/** A per-axis attribute of a 1-D (rank-3 input) or 2-D window as 2-D values: a 1-D window is [1, v] (H = 1). */
function pair(ctx: ImportContext, name: string, fallback: number, dims1: boolean): [number, number] {
  const v = ctx.attrs.ints(name);
  if (v === undefined) return [dims1 ? 1 : fallback, fallback];
  const want = dims1 ? 1 : 2;
  if (v.length !== want) ctx.unsupported(`${name} has ${v.length} values; only ${want}-D windows fit this input`);
  if (v.some((x) => !Number.isInteger(x) || x < 1)) ctx.fail(`${name} [${v.join(', ')}] must be positive integers`);
  return dims1 ? [1, v[0]] : [v[0], v[1]];
}

/** Reads strides/pads/dilations/auto_pad for a 2-D window of the given kernel over input [H, W]. */
function window(ctx: ImportContext, kernel: [number, number], spatial: [number, number], dilatable: boolean, dims1: boolean): Window2d {
  const strides = pair(ctx, 'strides', 1, dims1);
  const dilations = dilatable ? pair(ctx, 'dilations', 1, dims1) : ([1, 1] as [number, number]);
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  const explicit = ctx.attrs.ints('pads');
  let pads: [number, number, number, number] = [0, 0, 0, 0];
  if (autoPad === 'NOTSET') {
    if (explicit) {
      if (explicit.length !== (dims1 ? 2 : 4)) ctx.unsupported(`pads has ${explicit.length} values; only ${dims1 ? 1 : 2}-D windows fit this input`);
      if (explicit.some((p) => !Number.isInteger(p) || p < 0)) ctx.fail(`pads [${explicit.join(', ')}] must be non-negative`);
      pads = dims1 ? [0, explicit[0], 0, explicit[1]] : [explicit[0], explicit[1], explicit[2], explicit[3]];
    }
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    // onnxruntime sizes SAME pads from the undilated kernel for pools and refuses dilated SAME convs; the spec
    // leaves the combination unclear, so it is refused rather than guessed.
    if (dilations.some((d) => d !== 1)) {
      ctx.unsupported(`auto_pad ${autoPad} with dilations [${dilations.join(', ')}] is not supported`, 'give explicit pads (auto_pad NOTSET) for a dilated window');
    }
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

/**
 * The input as [N, C, H, W]: a rank-3 input [N, C, L] (a 1-D window) is [N, C, 1, L]; `dims1` says which.
 * Output dims are given back in the input's rank by `outDims`.
 */
function nchw(ctx: ImportContext, dims: readonly number[]): { n: number; c: number; h: number; w: number; dims1: boolean } {
  if (dims.length === 3) return { n: dims[0], c: dims[1], h: 1, w: dims[2], dims1: true };
  if (dims.length !== 4) {
    ctx.unsupported(`input ${ctx.dims(dims)} has rank ${dims.length}; only 2-D (NCHW, rank 4) and 1-D (NCL, rank 3) windows are supported`);
  }
  return { n: dims[0], c: dims[1], h: dims[2], w: dims[3], dims1: false };
}

function outDims(dims1: boolean, n: number, c: number, oh: number, ow: number): number[] {
  return dims1 ? [n, c, ow] : [n, c, oh, ow];
}

/**
 * ceil_mode=1 as extra bottom/right padding: the output size is rounded up (a last window that would start in
 * the end padding is dropped, as onnxruntime does), and the windows past the input read only padding taps,
 * which are skipped. Exact for MaxPool (padding is −∞) and for AveragePool without count_include_pad (the
 * divisor counts the input taps); AveragePool with count_include_pad=1 is refused when the rounding adds a window.
 */
function ceilPads(ctx: ImportContext, w: Window2d, spatial: [number, number], countsPad: boolean): Window2d {
  if (ctx.attrs.int('ceil_mode', 0) === 0) return w;
  const pads: [number, number, number, number] = [...w.pads];
  for (let i = 0; i < 2; i++) {
    const extent = (w.kernelShape[i] - 1) * w.dilations[i] + 1;
    const padded = spatial[i] + w.pads[i] + w.pads[i + 2];
    if (padded < extent) continue; // windowOutput reports it
    let out = Math.ceil((padded - extent) / w.strides[i]) + 1;
    if ((out - 1) * w.strides[i] >= spatial[i] + w.pads[i]) out--;
    const extra = Math.max(0, (out - 1) * w.strides[i] + extent - padded);
    if (extra > 0 && countsPad) {
      ctx.unsupported('ceil_mode=1 with count_include_pad=1 is not supported', 'export with ceil_mode=False or count_include_pad=0');
    }
    pads[i + 2] += extra;
  }
  return { ...w, pads };
}

export const importConv: Importer<'Conv'> = (ctx: ImportContext) => {
  ctx.arity(2, 3);
  const x = ctx.float(0, 'X');
  const w = ctx.float(1, 'W');
  const b = ctx.optionalFloat(2, 'B');
  const { n, c, h, w: wid, dims1 } = nchw(ctx, x.dims);
  if (w.dims.length !== x.dims.length) ctx.fail(`weight ${ctx.dims(w.dims)} must have rank ${x.dims.length} [M, C/group, ${dims1 ? 'k' : 'kH, kW'}]`);
  const [m, cg] = w.dims;
  const [kh, kw] = dims1 ? [1, w.dims[2]] : [w.dims[2], w.dims[3]];
  const group = ctx.attrs.int('group', 1);
  if (group < 1 || c % group !== 0 || m % group !== 0 || cg !== c / group) {
    ctx.fail(`group=${group} does not fit input channels ${c}, output channels ${m} and weight ${ctx.dims(w.dims)}`);
  }
  const ks = ctx.attrs.ints('kernel_shape');
  if (ks && (ks.length !== w.dims.length - 2 || ks.some((k, i) => k !== w.dims[i + 2]))) {
    ctx.fail(`kernel_shape [${ks.join(', ')}] disagrees with weight ${ctx.dims(w.dims)}`);
  }
  if (b && (b.dims.length !== 1 || b.dims[0] !== m)) ctx.fail(`bias ${ctx.dims(b.dims)} must be [${m}]`);
  const win = window(ctx, [kh, kw], [h, wid], true, dims1);
  const [oh, ow] = windowOutput(ctx, win, [h, wid]);
  return { attrs: { ...win, group }, outputs: [floatOut(outDims(dims1, n, m, oh, ow))] };
};

function kernelShape(ctx: ImportContext, dims1: boolean): [number, number] {
  const ks = ctx.attrs.ints('kernel_shape');
  if (!ks) ctx.fail('attribute kernel_shape is required', 'the file is corrupt');
  const want = dims1 ? 1 : 2;
  if (ks.length !== want) ctx.unsupported(`kernel_shape has ${ks.length} values; only ${want}-D windows fit this input`);
  if (ks.some((k) => !Number.isInteger(k) || k < 1)) ctx.fail(`kernel_shape [${ks.join(', ')}] must be positive`);
  return dims1 ? [1, ks[0]] : [ks[0], ks[1]];
}

export const importMaxPool: Importer<'MaxPool'> = (ctx: ImportContext) => {
  ctx.arity(1);
  const x = ctx.float(0, 'X');
  const { n, c, h, w, dims1 } = nchw(ctx, x.dims);
  ctx.attrs.ignore('storage_order'); // only affects the Indices output, which is not supported
  const win = ceilPads(ctx, window(ctx, kernelShape(ctx, dims1), [h, w], true, dims1), [h, w], false);
  const [oh, ow] = windowOutput(ctx, win, [h, w]);
  return { attrs: win, outputs: [floatOut(outDims(dims1, n, c, oh, ow))] };
};

export const importAveragePool: Importer<'AveragePool'> = (ctx: ImportContext) => {
  ctx.arity(1);
  const x = ctx.float(0, 'X');
  const { n, c, h, w, dims1 } = nchw(ctx, x.dims);
  const countIncludePad = ctx.attrs.int('count_include_pad', 0) !== 0;
  const win = ceilPads(ctx, window(ctx, kernelShape(ctx, dims1), [h, w], ctx.opset >= 19, dims1), [h, w], countIncludePad);
  const [oh, ow] = windowOutput(ctx, win, [h, w]);
  return { attrs: { ...win, countIncludePad }, outputs: [floatOut(outDims(dims1, n, c, oh, ow))] };
};

export const importGlobalAveragePool: Importer<'GlobalAveragePool'> = (ctx: ImportContext) => {
  ctx.arity(1);
  const x = ctx.float(0, 'X');
  if (x.dims.length < 3) ctx.fail(`input ${ctx.dims(x.dims)} must have rank >= 3 (N, C, spatial...)`);
  const dims = x.dims.map((d, i) => (i < 2 ? d : 1));
  return { attrs: {}, outputs: [floatOut(dims)] };
};
