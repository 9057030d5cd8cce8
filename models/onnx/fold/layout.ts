// Load-time folding of data movement on constants: Gather, Slice, Concat, Unsqueeze, Squeeze, Reshape,
// Flatten, Expand, Tile, Transpose (latest-opset forms: axes/starts/shape as inputs).

import { isIntTensor, numElements, type Tensor } from '../../graph.ts';
import { broadcastDims, broadcastIndex, product, strideIndex, stridesOf } from '../../shape.ts';
import { sliceIndices } from '../expanders/slice.ts';
import type { RewriteContext } from '../expanders/types.ts';
import { allConstant, checkFolded, constInput, gathered, intsOf, normalizeAxis } from './tensor.ts';
import type { Folder } from './types.ts';

/** Values of `t` read at `index` (flat positions), as a new tensor of `dims`. */
function pick(ctx: RewriteContext, t: Tensor, dims: number[], index: ArrayLike<number>): Tensor {
  checkFolded(ctx, dims);
  return gathered(t, dims, index);
}

/** Flat index of every element of a strided view of `src` (start offset + per-axis steps). */
function viewIndex(src: readonly number[], outDims: number[], starts: number[], steps: number[]): Int32Array {
  const strides = stridesOf(src);
  const index = strideIndex(outDims, strides.map((s, a) => s * steps[a]));
  const base = starts.reduce((o, s, a) => o + s * strides[a], 0);
  for (let i = 0; i < index.length; i++) index[i] += base;
  return index;
}

const gather: Folder = (ctx: RewriteContext) => {
  const ts = allConstant(ctx, 2, 2);
  if (!ts) return undefined;
  const [data, indices] = ts;
  const axis = normalizeAxis(ctx, ctx.attrs.int('axis', 0), data.dims.length);
  const dim = data.dims[axis];
  const outer = product(data.dims, 0, axis);
  const inner = product(data.dims, axis + 1);
  const idx = Array.from(indices.data, (v) => {
    const k = v < 0 ? v + dim : v;
    if (k < 0 || k >= dim) ctx.fail(`index ${v} is out of range for axis ${axis} of size ${dim}`);
    return k;
  });
  const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
  checkFolded(ctx, dims);
  const index = new Int32Array(outer * idx.length * inner);
  let p = 0;
  for (let o = 0; o < outer; o++) for (const k of idx) for (let j = 0; j < inner; j++) index[p++] = (o * dim + k) * inner + j;
  return [pick(ctx, data, dims, index)];
};

const slice: Folder = (ctx: RewriteContext) => {
  const data = constInput(ctx, 0);
  const ops = [1, 2, 3, 4].map((i) => constInput(ctx, i));
  if (!data || ops.some((t) => t === null)) return undefined;
  if (!ops[0] || !ops[1]) ctx.fail('inputs 1 (starts) and 2 (ends) are required', 'the file is corrupt');
  const rank = data.dims.length;
  const starts = intsOf(ctx, ops[0]!, 'starts');
  const ends = intsOf(ctx, ops[1]!, 'ends');
  const axes = (ops[2] ? intsOf(ctx, ops[2], 'axes') : starts.map((_, i) => i)).map((a) => normalizeAxis(ctx, a, rank, 'axes'));
  if (new Set(axes).size !== axes.length) ctx.fail(`axes [${axes.join(', ')}] repeat an axis`);
  const steps = ops[3] ? intsOf(ctx, ops[3], 'steps') : starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    ctx.fail('starts, ends, axes and steps differ in length');
  }
  const first = data.dims.map(() => 0);
  const step = data.dims.map(() => 1);
  const dims = [...data.dims];
  axes.forEach((a, i) => {
    const d = data.dims[a];
    const s = steps[i];
    if (s === 0) ctx.fail('a step is 0');
    // The same ONNX clamping as the run-time Slice (expanders/slice.ts), INT64_MAX ends included.
    const picked = sliceIndices(d, starts[i], ends[i], s);
    first[a] = picked[0] ?? 0;
    step[a] = s;
    dims[a] = picked.length;
  });
  checkFolded(ctx, dims);
  return [pick(ctx, data, dims, viewIndex(data.dims, dims, first, step))];
};

const concat: Folder = (ctx: RewriteContext) => {
  const ts = allConstant(ctx);
  if (!ts) return undefined;
  const rank = ts[0].dims.length;
  if (!ctx.attrs.has('axis')) ctx.fail('attribute axis is required', 'the file is corrupt');
  const axis = normalizeAxis(ctx, ctx.attrs.int('axis', 0), rank);
  const dims = [...ts[0].dims];
  dims[axis] = ts.reduce((s, t) => s + (t.dims[axis] ?? 0), 0);
  for (const t of ts) {
    if (t.dims.length !== rank || t.dims.some((d, i) => i !== axis && d !== dims[i])) {
      ctx.fail(`inputs [${t.dims.join(', ')}] and [${ts[0].dims.join(', ')}] differ outside axis ${axis}`);
    }
  }
  checkFolded(ctx, dims);
  const like = ts.find((t) => t.data.length > 0) ?? ts[0];
  if (ts.some((t) => t.data.length > 0 && isIntTensor(t) !== isIntTensor(like))) ctx.fail('its inputs mix integer and float tensors', 'the file is corrupt');
  const outer = product(dims, 0, axis);
  const values = isIntTensor(like) ? new Int32Array(numElements(dims)) : new Float32Array(numElements(dims));
  let p = 0;
  for (let o = 0; o < outer; o++) {
    for (const t of ts) {
      const chunk = product(t.dims, axis);
      values.set(t.data.subarray(o * chunk, (o + 1) * chunk), p);
      p += chunk;
    }
  }
  return [{ dims, data: values } as Tensor];
};

function reshaped(ctx: RewriteContext, dims: number[]): Tensor[] | undefined {
  const data = constInput(ctx, 0);
  if (!data) return undefined;
  checkFolded(ctx, dims);
  if (numElements(dims) !== data.data.length) ctx.fail(`cannot reshape [${data.dims.join(', ')}] to [${dims.join(', ')}]`);
  return [{ dims, data: data.data.slice() } as Tensor];
}

const unsqueeze: Folder = (ctx: RewriteContext) => {
  const data = constInput(ctx, 0);
  const axesT = constInput(ctx, 1);
  if (!data || axesT === null) return undefined;
  if (!axesT) ctx.fail('input 1 (axes) is missing', 'the file is corrupt');
  const rank = data.dims.length + axesT.data.length;
  const raw = intsOf(ctx, axesT, 'axes');
  const axes = raw.map((a) => normalizeAxis(ctx, a, rank, 'axes'));
  if (new Set(axes).size !== axes.length) ctx.fail(`axes [${raw.join(', ')}] repeat an axis`, 'list each axis once');
  const dims: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : data.dims[k++]);
  return reshaped(ctx, dims);
};

const squeeze: Folder = (ctx: RewriteContext) => {
  const data = constInput(ctx, 0);
  const axesT = constInput(ctx, 1);
  if (!data || axesT === null) return undefined;
  const rank = data.dims.length;
  const axes = axesT ? intsOf(ctx, axesT, 'axes').map((a) => normalizeAxis(ctx, a, rank, 'axes')) : data.dims.flatMap((d, i) => (d === 1 ? [i] : []));
  if (new Set(axes).size !== axes.length) ctx.fail(`axes [${[...axesT!.data].join(', ')}] repeat an axis`, 'list each axis once');
  for (const a of axes) if (data.dims[a] !== 1) ctx.fail(`axis ${a} of [${data.dims.join(', ')}] is not 1`);
  return reshaped(ctx, data.dims.filter((_, i) => !axes.includes(i)));
};

const reshape: Folder = (ctx: RewriteContext) => {
  const data = constInput(ctx, 0);
  const shapeT = constInput(ctx, 1);
  if (!data || !shapeT) return undefined;
  const allowZero = ctx.attrs.int('allowzero', 0) !== 0;
  const target = intsOf(ctx, shapeT, 'shape').map((s, i) => (s === 0 && !allowZero ? data.dims[i] : s));
  const known = product(target.filter((s) => s !== -1));
  const free = target.indexOf(-1);
  if (free >= 0) {
    if (known === 0 || data.data.length % known !== 0) ctx.fail(`cannot reshape [${data.dims.join(', ')}] to [${target.join(', ')}]`);
    target[free] = data.data.length / known;
  }
  return reshaped(ctx, target);
};

const flatten: Folder = (ctx: RewriteContext) => {
  const data = constInput(ctx, 0);
  if (!data) return undefined;
  const rank = data.dims.length;
  const raw = ctx.attrs.int('axis', 1);
  const axis = raw < 0 ? raw + rank : raw;
  if (axis < 0 || axis > rank) ctx.fail(`axis ${raw} is out of range for rank ${rank}`);
  return reshaped(ctx, [product(data.dims, 0, axis), product(data.dims, axis)]);
};

const expand: Folder = (ctx: RewriteContext) => {
  const ts = allConstant(ctx, 2, 2);
  if (!ts) return undefined;
  const dims = broadcastDims(ts[0].dims, intsOf(ctx, ts[1], 'shape'));
  if (!dims) ctx.fail(`[${ts[0].dims.join(', ')}] does not broadcast to [${[...ts[1].data].join(', ')}]`);
  checkFolded(ctx, dims);
  return [pick(ctx, ts[0], dims, broadcastIndex(ts[0].dims, dims))];
};

const tile: Folder = (ctx: RewriteContext) => {
  const ts = allConstant(ctx, 2, 2);
  if (!ts) return undefined;
  const [data] = ts;
  const repeats = intsOf(ctx, ts[1], 'repeats');
  if (repeats.length !== data.dims.length) ctx.fail(`repeats has ${repeats.length} values for rank ${data.dims.length}`);
  if (repeats.some((r) => r < 0)) ctx.fail(`repeats [${repeats.join(', ')}] has a negative value`, 'give non-negative repeats');
  const dims = data.dims.map((d, i) => d * repeats[i]);
  checkFolded(ctx, dims);
  // Output axis a of size r·d read as (r, d) with strides (0, stride_a).
  const strides = stridesOf(data.dims);
  const index = strideIndex(data.dims.flatMap((d, a) => [repeats[a], d]), strides.flatMap((s) => [0, s]));
  return [pick(ctx, data, dims, index)];
};

const transpose: Folder = (ctx: RewriteContext) => {
  const data = constInput(ctx, 0);
  if (!data) return undefined;
  const rank = data.dims.length;
  const perm = ctx.attrs.ints('perm') ?? data.dims.map((_, i) => rank - 1 - i);
  if ([...perm].sort((a, b) => a - b).some((p, i) => p !== i) || perm.length !== rank) ctx.fail(`perm [${perm.join(', ')}] is not a permutation of ${rank} axes`);
  const strides = stridesOf(data.dims);
  const dims = perm.map((p) => data.dims[p]);
  checkFolded(ctx, dims);
  return [pick(ctx, data, dims, strideIndex(dims, perm.map((p) => strides[p])))];
};

export const LAYOUT_FOLDERS: Record<string, Folder> = {
  Gather: gather,
  Slice: slice,
  Concat: concat,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Reshape: reshape,
  Flatten: flatten,
  Expand: expand,
  Tile: tile,
  Transpose: transpose,
};
