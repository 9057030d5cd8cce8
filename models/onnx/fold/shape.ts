// Load-time folding of the shape arithmetic exporters write: Shape and Size (from static dims, even on
// run-time values), ConstantOfShape, Range.

import { isIntTensor, numElements, type Tensor } from '../../graph.ts';
import { checkFolded, constInput, floatTensor, intResult, intTensor, intsOf, scalarOf } from './tensor.ts';
import type { RewriteContext } from '../expanders/types.ts';
import type { Folder } from './types.ts';

const clampIndex = (v: number, rank: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);

const shape: Folder = (ctx: RewriteContext) => {
  const dims = ctx.info(ctx.inputs[0]).dims;
  const start = clampIndex(ctx.attrs.int('start', 0), dims.length);
  const end = clampIndex(ctx.attrs.int('end', dims.length), dims.length);
  const part = dims.slice(start, Math.max(start, end));
  return [intTensor([part.length], part)];
};

const size: Folder = (ctx: RewriteContext) => [intTensor([], [numElements(ctx.info(ctx.inputs[0]).dims)])];

const constantOfShape: Folder = (ctx: RewriteContext) => {
  const s = constInput(ctx, 0);
  if (s === null) return undefined;
  const dims = s ? intsOf(ctx, s, 'input 0 (shape)') : [];
  checkFolded(ctx, dims);
  const value = ctx.attrs.tensor('value') ?? floatTensor([1], [0]);
  if (value.data.length !== 1) ctx.fail(`attribute value holds ${value.data.length} elements, expected 1`, 'the file is corrupt');
  const n = numElements(dims);
  const data = isIntTensor(value) ? new Int32Array(n) : new Float32Array(n);
  data.fill(value.data[0]);
  return [{ dims, data } as Tensor];
};

const range: Folder = (ctx: RewriteContext) => {
  const ts = [0, 1, 2].map((i) => constInput(ctx, i));
  if (ts.some((t) => t === null)) return undefined;
  if (ts.some((t) => t === undefined)) ctx.fail('it needs start, limit and delta', 'the file is corrupt');
  const [start, limit, delta] = ts.map((t, i) => scalarOf(ctx, t!, ['start', 'limit', 'delta'][i]));
  if (delta === 0) ctx.fail('delta is 0');
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  checkFolded(ctx, [n]);
  const values = Array.from({ length: n }, (_, i) => start + i * delta);
  return [isIntTensor(ts[0]!) ? intResult(ctx, [n], values) : floatTensor([n], values)];
};

export const SHAPE_FOLDERS: Record<string, Folder> = {
  Shape: shape,
  Size: size,
  ConstantOfShape: constantOfShape,
  Range: range,
};
