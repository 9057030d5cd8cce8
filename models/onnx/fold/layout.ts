// Load-time folding of data movement on constants: Gather, Slice, Concat, Unsqueeze, Squeeze, Reshape,
// Flatten, Expand, Tile, Transpose (latest-opset forms: axes/starts/shape as inputs).

import { numElements, type Tensor } from '../../graph.ts';
import { broadcastDims, broadcastIndex, product, stridesOf } from '../../shape.ts';
import type { RewriteContext } from '../expanders/types.ts';
import { allConstant, checkFolded, constInput, intsOf, normalizeAxis, sameKind } from './tensor.ts';
import type { Folder } from './types.ts';

/** Values of `t` read at `index` (flat positions), as a new tensor of `dims`. */
function pick(ctx: RewriteContext, t: Tensor, dims: number[], index: ArrayLike<number>): Tensor {
  checkFolded(ctx, dims);
  return sameKind(t, dims, Array.from(index, (i) => t.data[i]));
}

/** Flat index of every element of a strided view of `src` (start offset + per-axis steps). */
function viewIndex(src: readonly number[], outDims: number[], starts: number[], steps: number[]): number[] {
  const strides = stridesOf(src);
  const n = numElements(outDims);
  const out = new Array<number>(n);
  const coord = new Array<number>(outDims.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let a = 0; a < outDims.length; a++) off += (starts[a] + coord[a] * steps[a]) * strides[a];
    out[i] = off;
    for (let a = outDims.length - 1; a >= 0; a--) {
      if (++coord[a] < outDims[a]) break;
      coord[a] = 0;
    }
  }
  return out;
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
  const index: number[] = [];
  for (let o = 0; o < outer; o++) for (const k of idx) for (let j = 0; j < inner; j++) index.push((o * dim + k) * inner + j);
  return [pick(ctx, data, [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)], index)];
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
    const norm = (v: number) => (v < 0 ? v + d : v);
    const [lo, hi] = s > 0 ? [0, d] : [-1, d - 1];
    const b = Math.min(Math.max(norm(starts[i]), lo), hi);
    const e = Math.min(Math.max(norm(ends[i]), lo), hi);
    first[a] = b;
    step[a] = s;
    dims[a] = Math.max(0, Math.ceil((e - b) / s));
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
  const outer = product(dims, 0, axis);
  const values: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const t of ts) {
      const chunk = product(t.dims, axis);
      for (let j = 0; j < chunk; j++) values.push(t.data[o * chunk + j]);
    }
  }
  return [sameKind(ts.find((t) => t.data.length > 0) ?? ts[0], dims, values)];
};

function reshaped(ctx: RewriteContext, dims: number[]): Tensor[] | undefined {
  const data = constInput(ctx, 0);
  if (!data) return undefined;
  checkFolded(ctx, dims);
  if (numElements(dims) !== data.data.length) ctx.fail(`cannot reshape [${data.dims.join(', ')}] to [${dims.join(', ')}]`);
  return [sameKind(data, dims, data.data)];
}

const unsqueeze: Folder = (ctx: RewriteContext) => {
  const data = constInput(ctx, 0);
  const axesT = constInput(ctx, 1);
  if (!data || axesT === null) return undefined;
  if (!axesT) ctx.fail('input 1 (axes) is missing', 'the file is corrupt');
  const rank = data.dims.length + axesT.data.length;
  const axes = intsOf(ctx, axesT, 'axes').map((a) => normalizeAxis(ctx, a, rank, 'axes'));
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
  const dims = data.dims.map((d, i) => d * repeats[i]);
  checkFolded(ctx, dims);
  const strides = stridesOf(data.dims);
  const index = new Array<number>(numElements(dims));
  const coord = dims.map(() => 0);
  for (let i = 0; i < index.length; i++) {
    index[i] = coord.reduce((s, c, a) => s + (c % data.dims[a]) * strides[a], 0);
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++coord[a] < dims[a]) break;
      coord[a] = 0;
    }
  }
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
  return [pick(ctx, data, dims, permutedIndex(dims, perm.map((p) => strides[p])))];
};

function permutedIndex(dims: number[], strides: number[]): number[] {
  const n = numElements(dims);
  const out = new Array<number>(n);
  const coord = dims.map(() => 0);
  for (let i = 0; i < n; i++) {
    out[i] = coord.reduce((s, c, a) => s + c * strides[a], 0);
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++coord[a] < dims[a]) break;
      coord[a] = 0;
    }
  }
  return out;
}

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
