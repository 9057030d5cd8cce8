// Resize (opset 19+ form: X, roi, scales, sizes) → per resized axis: nearest → a Gather with constant indices;
// linear → a MatMul with a constant [in, out] interpolation matrix (the axis moved last by Transposes around it
// when it is not last). Coordinates follow onnxruntime's float32 arithmetic so indices and weights match it.
// Refused by name: an output over 2^28 elements or an interpolation matrix over 2^24 entries, cubic, tf_crop_and_resize, antialias=1, exclude_outside=1, keep_aspect_ratio_policy≠stretch.

import { gatherAxes } from './slice.ts';
import { checkSize, constFloats, constInts, dataDims, Emitter, range } from './sliceOps.ts';
import { normalizeAxis } from '../fold/tensor.ts';
import type { Expander, RewriteContext } from './types.ts';

const f = Math.fround;
const TRANSFORMS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];
const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

/** The original coordinate of output position x (float32 arithmetic, as onnxruntime computes it). */
export function originalCoordinate(mode: string, x: number, scale: number, lenOut: number, lenIn: number): number {
  switch (mode) {
    case 'half_pixel': return f(f(f(x + 0.5) / scale) - 0.5);
    case 'pytorch_half_pixel': return lenOut > 1 ? f(f(f(x + 0.5) / scale) - 0.5) : 0;
    case 'align_corners': return lenOut === 1 ? 0 : f(f(x * (lenIn - 1)) / (lenOut - 1));
    case 'asymmetric': return f(x / scale);
    default: {
      const adjustment = f(lenOut / f(scale * lenIn));
      const center = f(lenIn / 2);
      const offset = f(center * f(1 - adjustment));
      // onnxruntime evaluates this last expression in double (0.5 is a double literal there).
      return f(offset + (x + 0.5) / scale - 0.5);
    }
  }
}

function nearestPixel(mode: string, x: number): number {
  switch (mode) {
    case 'round_prefer_floor': return x === Math.trunc(x) + 0.5 ? Math.floor(x) : Math.sign(x) * Math.round(Math.abs(x));
    case 'round_prefer_ceil': return Math.sign(x) * Math.round(Math.abs(x));
    case 'floor': return Math.floor(x);
    default: return Math.ceil(x);
  }
}

export function nearestIndices(transform: string, nearest: string, scale: number, lenIn: number, lenOut: number): number[] {
  return range(0, lenOut).map((x) => {
    const c = originalCoordinate(transform, x, scale, lenOut, lenIn);
    return Math.max(0, Math.min(lenIn - 1, nearestPixel(nearest, c)));
  });
}

/** The clamped source coordinate of output j for linear mode. */
function linearCoordinate(transform: string, scale: number, lenIn: number, lenOut: number, j: number): number {
  const c = scale === 1 ? j : originalCoordinate(transform, j, scale, lenOut, lenIn);
  return Math.max(0, Math.min(c, lenIn - 1));
}

/** [lenIn, lenOut] row-major: column j holds the two linear weights of output j. */
export function linearMatrix(transform: string, scale: number, lenIn: number, lenOut: number): Float32Array {
  const m = new Float32Array(lenIn * lenOut);
  for (let j = 0; j < lenOut; j++) {
    const c = linearCoordinate(transform, scale, lenIn, lenOut, j);
    const x1 = Math.min(Math.trunc(c), lenIn - 1);
    const x2 = Math.min(x1 + 1, lenIn - 1);
    let w1 = f(Math.abs(c - x2));
    let w2 = f(Math.abs(c - x1));
    if (x1 === x2) w1 = w2 = 0.5;
    m[x1 * lenOut + j] += w1;
    m[x2 * lenOut + j] += w2;
  }
  return m;
}

/** Whether linearMatrix would be the identity (every output reads its own index with weight 1), without building it. */
function isIdentityAxis(transform: string, scale: number, lenIn: number, lenOut: number): boolean {
  if (lenIn !== lenOut) return false;
  for (let j = 0; j < lenOut; j++) if (linearCoordinate(transform, scale, lenIn, lenOut, j) !== j) return false;
  return true;
}

/** The largest interpolation matrix (lenIn × lenOut entries) built for one axis. */
const MAX_MATRIX = 2 ** 24;

function readAttrs(ctx: RewriteContext): { mode: string; transform: string; nearest: string } {
  const mode = ctx.attrs.string('mode', 'nearest');
  if (mode === 'cubic') ctx.unsupported('mode "cubic" is not supported', 'use nearest or linear');
  if (mode !== 'nearest' && mode !== 'linear') ctx.fail(`mode "${mode}" is not valid`, 'use nearest or linear');
  const transform = ctx.attrs.string('coordinate_transformation_mode', 'half_pixel');
  if (transform === 'tf_crop_and_resize') ctx.unsupported('coordinate_transformation_mode "tf_crop_and_resize" is not supported', `use one of ${TRANSFORMS.join(', ')}`);
  if (!TRANSFORMS.includes(transform)) ctx.unsupported(`coordinate_transformation_mode "${transform}" is not supported`, `use one of ${TRANSFORMS.join(', ')}`);
  const nearest = ctx.attrs.string('nearest_mode', 'round_prefer_floor');
  if (!NEAREST.includes(nearest)) ctx.fail(`nearest_mode "${nearest}" is not valid`, `use one of ${NEAREST.join(', ')}`);
  if (ctx.attrs.int('antialias', 0) !== 0) ctx.unsupported('antialias=1 is not supported', 'export with antialias=0');
  if (ctx.attrs.int('exclude_outside', 0) !== 0) ctx.unsupported('exclude_outside=1 is not supported', 'export with exclude_outside=0');
  const policy = ctx.attrs.string('keep_aspect_ratio_policy', 'stretch');
  if (policy !== 'stretch') ctx.unsupported(`keep_aspect_ratio_policy "${policy}" is not supported`, 'use stretch (give explicit sizes)');
  ctx.attrs.ignore('cubic_coeff_a', 'extrapolation_value');
  return { mode, transform, nearest };
}

export const expandResize: Expander = (ctx: RewriteContext) => {
  const dims = dataDims(ctx, 0, 'X');
  const rank = dims.length;
  const { mode, transform, nearest } = readAttrs(ctx);
  const axes = (ctx.attrs.ints('axes') ?? range(0, rank)).map((a) => normalizeAxis(ctx, a, rank, 'axes entry'));
  const scalesT = constFloats(ctx, 2, 'scales');
  const sizes = constInts(ctx, 3, 'sizes');
  const scalesIn = scalesT && scalesT.data.length > 0 ? [...scalesT.data] : undefined;
  if ((scalesIn === undefined) === (sizes === undefined)) ctx.fail('it needs exactly one of scales and sizes', 'give one of them');
  const given = scalesIn ?? sizes!;
  if (given.length !== axes.length) ctx.fail(`${scalesIn ? 'scales' : 'sizes'} has ${given.length} entries for ${axes.length} axes`, 'give one per axis');
  const e = new Emitter(ctx);
  const out = ctx.outputs[0];
  const plan: { axis: number; lenOut: number; scale: number }[] = [];
  const outDims = [...dims];
  axes.forEach((a, i) => {
    const lenIn = dims[a];
    const lenOut = scalesIn ? Math.floor(f(scalesIn[i] * lenIn)) : sizes![i];
    const scale = scalesIn ? f(scalesIn[i]) : f(lenOut / lenIn);
    if (!(scale > 0) || !(lenOut >= 1)) ctx.unsupported(`axis ${a} of [${dims.join(', ')}] would resize to ${lenOut} entries`, 'give a positive scale or size');
    plan.push({ axis: a, lenOut, scale });
    outDims[a] = lenOut;
  });
  // Checked before any index list or matrix is built.
  checkSize(ctx, outDims);
  if (mode === 'nearest') {
    const lists = new Map(plan.map((p) => [p.axis, nearestIndices(transform, nearest, p.scale, dims[p.axis], p.lenOut)]));
    gatherAxes(ctx, e, ctx.inputs[0], dims, lists, out);
    return e.nodes;
  }
  const resized = plan.filter((p) => !isIdentityAxis(transform, p.scale, dims[p.axis], p.lenOut));
  for (const p of resized) {
    if (dims[p.axis] * p.lenOut > MAX_MATRIX) {
      ctx.fail(`linear resize of axis ${p.axis} from ${dims[p.axis]} to ${p.lenOut} entries needs a ${dims[p.axis]}×${p.lenOut} interpolation matrix, more than 2^24 entries`, 'resize less per axis, or use nearest mode');
    }
  }
  // Shrinking axes first, so that no intermediate is larger than both the input and the output.
  const work = resized
    .map((p) => ({ ...p, m: linearMatrix(transform, p.scale, dims[p.axis], p.lenOut) }))
    .sort((p, q) => Number(p.lenOut >= dims[p.axis]) - Number(q.lenOut >= dims[q.axis]) || q.axis - p.axis);
  let x = ctx.inputs[0];
  const cur = [...dims];
  if (work.length === 0) {
    e.reshape(x, cur, 'alias', out);
    return e.nodes;
  }
  work.forEach((p, k) => {
    const last = k === work.length - 1 ? out : undefined;
    const a = p.axis;
    const m = e.floats(`lerp${a}`, [dims[a], p.lenOut], p.m);
    if (a === rank - 1) {
      x = e.op('MatMul', [x, m], `lerp${a}`, last);
    } else {
      const perm = range(0, rank);
      perm[a] = rank - 1;
      perm[rank - 1] = a;
      const moved = e.transpose(x, perm, `to_last${a}`);
      const y = e.op('MatMul', [moved, m], `lerp${a}`);
      x = e.transpose(y, perm, `from_last${a}`, last);
    }
    cur[a] = p.lenOut;
  });
  return e.nodes;
};
