// Pad (opset 18+ form: data, pads, constant_value, axes; modes constant, reflect, edge, wrap).
// Negative pads crop first, as onnxruntime does; the positive pads then extend the cropped axis.
// constant → the crop (Gather), then per padded axis a Concat with constant blocks of the value;
// reflect / edge / wrap → per padded axis a Gather with a constant index list (crop and extension in one).
// Refused, where onnxruntime rejects or miscomputes them: reflect pads beyond the cropped length − 1, wrap pads
// beyond the cropped length.

import { gatherAxes } from './slice.ts';
import { checkSize, constFloats, constInts, constVector, dataDims, Emitter, range } from './sliceOps.ts';
import { normalizeAxis } from '../fold/tensor.ts';
import type { Expander, RewriteContext } from './types.ts';

const MODES = ['constant', 'reflect', 'edge', 'wrap'];

/** The source index of padded position i - begin along an axis of `dim` entries. */
function source(mode: string, i: number, dim: number): number {
  if (mode === 'edge') return Math.max(0, Math.min(dim - 1, i));
  if (mode === 'wrap') return ((i % dim) + dim) % dim;
  if (dim === 1) return 0;
  const period = 2 * (dim - 1);
  const r = ((i % period) + period) % period;
  return r < dim ? r : period - r;
}

export const expandPad: Expander = (ctx: RewriteContext) => {
  const dims = dataDims(ctx);
  const rank = dims.length;
  const mode = ctx.attrs.string('mode', 'constant');
  if (!MODES.includes(mode)) ctx.unsupported(`mode "${mode}" is not supported`, `use one of ${MODES.join(', ')}`);
  const pads = constVector(ctx, 1, 'pads');
  if (!pads) ctx.fail('input 1 (pads) is missing', 'the file is corrupt');
  const value = constFloats(ctx, 2, 'constant_value');
  if (value && value.data.length !== 1) ctx.fail(`constant_value has ${value.data.length} elements, expected 1`);
  const fill = value ? value.data[0] : 0;
  const axesIn = constInts(ctx, 3, 'axes');
  const axes = (axesIn ?? range(0, rank)).map((a) => normalizeAxis(ctx, a, rank, 'axes entry'));
  if (new Set(axes).size !== axes.length) ctx.fail(`axes [${axes.join(', ')}] repeat an axis`, 'list each axis once');
  if (pads.length !== 2 * axes.length) ctx.fail(`pads has ${pads.length} entries, expected ${2 * axes.length}`, 'give a begin and an end per axis');
  const begin = new Map<number, number>();
  const end = new Map<number, number>();
  axes.forEach((a, i) => {
    begin.set(a, pads[i]);
    end.set(a, pads[i + axes.length]);
    if (dims[a] + pads[i] + pads[i + axes.length] <= 0) ctx.unsupported(`axis ${a} of [${dims.join(', ')}] would be empty`, 'fix the pads');
  });
  // Checked before any index list or constant block is built.
  checkSize(ctx, dims.map((d, a) => d + (begin.get(a) ?? 0) + (end.get(a) ?? 0)));
  const e = new Emitter(ctx);
  const out = ctx.outputs[0];
  const active = axes.filter((a) => begin.get(a) !== 0 || end.get(a) !== 0).sort((p, q) => p - q);
  for (const a of active) {
    const kept = dims[a] + Math.min(0, begin.get(a)!) + Math.min(0, end.get(a)!);
    if (kept < 1) {
      const why = `its negative pads [${begin.get(a)}, ${end.get(a)}] crop axis ${a} of [${dims.join(', ')}] to nothing`;
      if (mode === 'constant') ctx.unsupported(why, 'opml does not run empty tensors; crop less');
      ctx.fail(why, `${mode} mode needs at least one entry left; crop less`);
    }
  }
  if (mode !== 'constant') {
    const lists = new Map<number, number[]>();
    for (const a of active) {
      const b = begin.get(a)!;
      const t = end.get(a)!;
      const skip = Math.max(0, -b);
      const n = dims[a] + Math.min(0, b) + Math.min(0, t);
      const before = Math.max(0, b);
      const after = Math.max(0, t);
      const widest = Math.max(before, after);
      if (mode === 'reflect' && widest > n - 1) {
        ctx.fail(`reflect pads [${b}, ${t}] on axis ${a} (${n} entries after cropping) exceed the allowed ${n - 1}`, 'reflect pads must be below the axis length; use edge or constant mode');
      }
      if (mode === 'wrap' && widest > n) {
        ctx.fail(`wrap pads [${b}, ${t}] on axis ${a} (${n} entries after cropping) exceed its length`, 'wrap pads must not exceed the axis length');
      }
      lists.set(a, range(-before, n + before + after).map((i) => skip + source(mode, i, n)));
    }
    gatherAxes(ctx, e, ctx.inputs[0], dims, lists, out);
    return e.nodes;
  }
  // Crop the negative pads first.
  const crops = new Map<number, number[]>();
  const cur = [...dims];
  for (const a of active) {
    const b = Math.min(0, begin.get(a)!);
    const t = Math.min(0, end.get(a)!);
    if (b < 0 || t < 0) {
      crops.set(a, range(-b, dims[a] + b + t));
      cur[a] = dims[a] + b + t;
    }
  }
  const grow = active.filter((a) => begin.get(a)! > 0 || end.get(a)! > 0);
  let x = ctx.inputs[0];
  if (crops.size > 0) {
    if (grow.length === 0) {
      gatherAxes(ctx, e, x, dims, crops, out);
      return e.nodes;
    }
    const cropped = ctx.fresh(`${ctx.name}/crop`);
    gatherAxes(ctx, e, x, dims, crops, cropped);
    x = cropped;
  }
  if (grow.length === 0) {
    e.reshape(x, cur, 'alias', out);
    return e.nodes;
  }
  grow.forEach((a, k) => {
    const parts: string[] = [];
    const block = (n: number, hint: string): string => {
      const bd = [...cur];
      bd[a] = n;
      return e.floats(hint, bd, new Float32Array(bd.reduce((p, d) => p * d, 1)).fill(fill));
    };
    const b = Math.max(0, begin.get(a)!);
    const t = Math.max(0, end.get(a)!);
    if (b > 0) parts.push(block(b, `pad${a}_begin`));
    parts.push(x);
    if (t > 0) parts.push(block(t, `pad${a}_end`));
    x = e.concat(parts, a, `pad${a}`, k === grow.length - 1 ? out : undefined);
    cur[a] += b + t;
  });
  return e.nodes;
};
