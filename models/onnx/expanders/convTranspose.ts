// ConvTranspose (2-D, or 1-D lifted to 2-D over H = 1; constant weights) → zero insertion (Concat of a zero row/column along H and W, then a
// Gather whose index list interleaves the zero entry s-1 times between rows and crops negative padding), then
// a Conv (stride 1, the same dilations, group) with flipped, transposed weights and the remaining pads.
// Padding follows onnxruntime: with output_shape (or SAME_*), the total padding is split head/tail as it does.

import { checkSize, constFloats, dataDims, Emitter, range } from './sliceOps.ts';
import type { Expander, RewriteContext } from './types.ts';

interface Axis {
  len: number;
  kernel: number;
  stride: number;
  dilation: number;
  head: number;
  tail: number;
  adj: number;
  out: number;
}

function axisPads(ctx: RewriteContext, autoPad: string, a: Omit<Axis, 'head' | 'tail' | 'out'>, pads: [number, number], outShape: number | undefined): Axis {
  const full = (a.len - 1) * a.stride + a.adj + (a.kernel - 1) * a.dilation + 1;
  let [head, tail] = pads;
  let target = outShape;
  if (target === undefined && (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER')) target = a.len * a.stride;
  if (target !== undefined) {
    const total = Math.max(0, full - target);
    if (autoPad === 'SAME_UPPER') [head, tail] = [Math.floor(total / 2), total - Math.floor(total / 2)];
    else [head, tail] = [total - Math.floor(total / 2), Math.floor(total / 2)];
  } else if (autoPad === 'VALID') {
    [head, tail] = [0, 0];
  }
  const out = full - head - tail;
  if (out < 1) ctx.unsupported(`its output would have ${out} entries along an axis`, 'fix pads or output_shape');
  if (outShape !== undefined && out !== outShape) ctx.unsupported(`output_shape ${target} cannot be reached (got ${out})`, 'use output_padding to reach it');
  return { ...a, head, tail, out };
}

/**
 * Index list over [0, len] (len = the zero entry) for one axis: the input rows with stride-1 zeros between
 * them, plus `before`/`after` zeros (negative: rows cropped).
 */
function interleave(len: number, stride: number, before: number, after: number): number[] {
  const full = (len - 1) * stride + 1;
  return range(-before, full + before + after).map((p) => (p >= 0 && p < full && p % stride === 0 ? p / stride : len));
}

export const expandConvTranspose: Expander = (ctx: RewriteContext) => {
  const given = dataDims(ctx, 0, 'X');
  const oneD = given.length === 3;
  if (given.length !== 4 && !oneD) ctx.unsupported(`X is [${given.join(', ')}]; only 1-D (NCL) and 2-D (NCHW) ConvTranspose are supported`, 'reshape to 4-D');
  const dims = oneD ? [given[0], given[1], 1, given[2]] : given;
  const Wc = constFloats(ctx, 1, 'W');
  if (!Wc) ctx.fail('input 1 (W) is missing', 'the file is corrupt');
  if (Wc.dims.length !== given.length) ctx.fail(`W [${Wc.dims.join(', ')}] does not have X's rank ${given.length}`, 'fix the weights');
  const W = oneD ? { dims: [Wc.dims[0], Wc.dims[1], 1, Wc.dims[2]], data: Wc.data } : Wc;
  // A 1-D node's attributes, lifted to 2-D over H = 1.
  const lift = (v: number[] | undefined, one: number): number[] | undefined => (v && oneD ? [one, ...v] : v);
  const liftPads = (v: number[] | undefined): number[] | undefined => (v && oneD ? [0, v[0], 0, v[1]] : v);
  const B = constFloats(ctx, 2, 'B');
  const [n, c, h, w] = dims;
  const group = ctx.attrs.int('group', 1);
  if (W.dims.length !== 4 || W.dims[0] !== c || group < 1 || c % group !== 0) {
    ctx.fail(`W [${Wc.dims.join(', ')}] does not fit X [${given.join(', ')}] with group ${group}`, 'fix the weights');
  }
  const [, mg, kh, kw] = W.dims;
  const m = mg * group;
  const cg = c / group;
  if (B && (B.data.length !== m)) ctx.fail(`B has ${B.data.length} entries, expected ${m}`);
  const ks = lift(ctx.attrs.ints('kernel_shape'), 1) ?? [kh, kw];
  if (ks[0] !== kh || ks[1] !== kw) ctx.fail(`kernel_shape [${ks.join(', ')}] does not match W [${Wc.dims.join(', ')}]`);
  const strides = lift(ctx.attrs.ints('strides'), 1) ?? [1, 1];
  const dil = lift(ctx.attrs.ints('dilations'), 1) ?? [1, 1];
  const pads = liftPads(ctx.attrs.ints('pads')) ?? [0, 0, 0, 0];
  const adj = lift(ctx.attrs.ints('output_padding'), 0) ?? [0, 0];
  const outShape = lift(ctx.attrs.ints('output_shape'), 1);
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad)) ctx.fail(`auto_pad "${autoPad}" is not valid`);
  if (strides.length !== 2 || dil.length !== 2 || pads.length !== 4 || adj.length !== 2 || (outShape && outShape.length !== 2 && outShape.length !== 4)) {
    ctx.fail('strides, dilations, output_padding need 2 entries and pads 4', 'fix the attributes');
  }
  if ([...strides, ...dil].some((v) => v < 1) || adj.some((v, i) => v < 0 || v >= Math.max(strides[i], dil[i]))) {
    ctx.fail(`strides [${strides}], dilations [${dil}] or output_padding [${adj}] are out of range`, 'output_padding must be below the stride or dilation');
  }
  const os = outShape ? outShape.slice(-2) : undefined;
  const ax = [0, 1].map((i) => axisPads(ctx, autoPad, {
    len: [h, w][i], kernel: [kh, kw][i], stride: strides[i], dilation: dil[i], adj: adj[i],
  }, [pads[i], pads[i + 2]], os?.[i]));

  // Sizes are checked before any index list or constant is built: the output, and the zero-inserted input.
  checkSize(ctx, oneD ? [n, m, ax[1].out] : [n, m, ax[0].out, ax[1].out]);
  const spread = [n, c, ...ax.map((a) => {
    const span = (a.kernel - 1) * a.dilation;
    if (a.stride === 1 && span >= a.head && span + a.adj >= a.tail) return a.len;
    return (a.len - 1) * a.stride + 1 + Math.min(0, span - a.head) + Math.min(0, span - a.tail + a.adj);
  })];
  checkSize(ctx, spread, 'the zero-inserted input');
  const e = new Emitter(ctx);
  // Zero insertion and the negative part of the equivalent Conv's padding, per spatial axis.
  let x = oneD ? e.reshape(ctx.inputs[0], dims, 'to2d') : ctx.inputs[0];
  const cur = [n, c, h, w];
  const convPads = [0, 0, 0, 0];
  ax.forEach((a, i) => {
    const axis = 2 + i;
    const span = (a.kernel - 1) * a.dilation;
    const before = span - a.head;
    const after = span - a.tail + a.adj;
    convPads[i] = Math.max(0, before);
    convPads[i + 2] = Math.max(0, after);
    const needsZero = a.stride > 1;
    if (!needsZero && before >= 0 && after >= 0) return;
    const idx = interleave(a.len, a.stride, Math.min(0, before), Math.min(0, after));
    if (needsZero) {
      const zd = [...cur];
      zd[axis] = 1;
      const zero = e.floats(`zero${axis}`, zd, new Float32Array(zd.reduce((p, d) => p * d, 1)));
      x = e.concat([x, zero], axis, `zeros${axis}`);
    }
    x = e.gather(x, axis, idx, `interleave${axis}`);
    cur[axis] = idx.length;
  });
  // Flipped, transposed weights: Wc[g·Mg + o, ci, y, x] = W[g·Cg + ci, o, kh-1-y, kw-1-x].
  const wc = new Float32Array(m * cg * kh * kw);
  for (let g = 0; g < group; g++) {
    for (let o = 0; o < mg; o++) {
      for (let ci = 0; ci < cg; ci++) {
        for (let y = 0; y < kh; y++) {
          for (let xx = 0; xx < kw; xx++) {
            const src = (((g * cg + ci) * mg + o) * kh + (kh - 1 - y)) * kw + (kw - 1 - xx);
            wc[(((g * mg + o) * cg + ci) * kh + y) * kw + xx] = W.data[src];
          }
        }
      }
    }
  }
  const inputs = [x, e.floats('weight', [m, cg, kh, kw], wc)];
  if (B) inputs.push(ctx.inputs[2]);
  const y = e.op('Conv', inputs, 'conv', oneD ? undefined : ctx.outputs[0], {
    kernel_shape: { ints: [kh, kw] },
    strides: { ints: [1, 1] },
    dilations: { ints: dil },
    pads: { ints: convPads },
    group: { int: group },
  });
  if (oneD) e.reshape(y, [n, m, ax[1].out], 'to1d', ctx.outputs[0]);
  return e.nodes;
};
