// Data movement: Flatten, Reshape, Transpose, Concat, Gather.

import { product } from '../../shape.ts';
import { floatOut, type ImportContext, type Importer } from './context.ts';

export const importFlatten: Importer<'Flatten'> = (ctx: ImportContext) => {
  ctx.arity(1);
  const x = ctx.float(0, 'input');
  const axis = ctx.axis('axis', ctx.attrs.int('axis', 1), x.dims.length, true);
  const dims = [product(x.dims, 0, axis), product(x.dims, axis)];
  return { attrs: { axis }, outputs: [floatOut(dims)] };
};

export const importReshape: Importer<'Reshape'> = (ctx: ImportContext) => {
  ctx.arity(2);
  const x = ctx.float(0, 'data');
  const target = ctx.constInts(1, 'shape');
  if (!target) ctx.fail('input 1 (shape) is missing', 'the file is corrupt');
  const allowZero = ctx.attrs.int('allowzero', 0) !== 0;
  const shape = target.map((s, i) => (s === 0 && !allowZero ? x.dims[i] : s));
  if (shape.some((s) => s === undefined || s < -1)) {
    ctx.fail(`shape [${target.join(', ')}] is invalid for input ${ctx.dims(x.dims)}`);
  }
  const inferred = shape.filter((s) => s === -1).length;
  const known = product(shape.filter((s) => s !== -1));
  const total = product(x.dims);
  if (inferred > 1) ctx.fail(`shape [${target.join(', ')}] has more than one -1`);
  if (inferred === 1) {
    if (known === 0 || total % known !== 0) {
      ctx.fail(`cannot reshape ${ctx.dims(x.dims)} (${total} elements) to [${target.join(', ')}]`);
    }
    shape[shape.indexOf(-1)] = total / known;
  } else if (known !== total) {
    ctx.fail(`cannot reshape ${ctx.dims(x.dims)} (${total} elements) to [${target.join(', ')}] (${known} elements)`);
  }
  return { attrs: { shape }, inputs: ctx.names(0, 1), outputs: [floatOut([...shape])] };
};

export const importTranspose: Importer<'Transpose'> = (ctx: ImportContext) => {
  ctx.arity(1);
  const x = ctx.float(0, 'data');
  const rank = x.dims.length;
  const perm = ctx.attrs.ints('perm') ?? x.dims.map((_, i) => rank - 1 - i);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    ctx.fail(`perm [${perm.join(', ')}] is not a permutation of the ${rank} axes of ${ctx.dims(x.dims)}`);
  }
  return { attrs: { perm }, outputs: [floatOut(perm.map((p) => x.dims[p]))] };
};

export const importConcat: Importer<'Concat'> = (ctx: ImportContext) => {
  if (ctx.inputNames.length < 1) ctx.fail('it has no inputs');
  const parts = ctx.inputNames.map((_, i) => ctx.float(i, `inputs[${i}]`));
  const first = parts[0].dims;
  if (!ctx.attrs.has('axis')) ctx.fail('attribute axis is required', 'the file is corrupt');
  const axis = ctx.axis('axis', ctx.attrs.int('axis', 0), first.length);
  const dims = [...first];
  for (const p of parts.slice(1)) {
    const fits = p.dims.length === first.length && p.dims.every((d, i) => i === axis || d === first[i]);
    if (!fits) ctx.fail(`input ${ctx.dims(p.dims)} does not match ${ctx.dims(first)} outside axis ${axis}`);
    dims[axis] += p.dims[axis];
  }
  return { attrs: { axis }, outputs: [floatOut(dims)] };
};

export const importGather: Importer<'Gather'> = (ctx: ImportContext) => {
  ctx.arity(2);
  const data = ctx.float(0, 'data');
  const indices = ctx.int(1, 'indices');
  if (data.dims.length < 1) ctx.fail('data must have rank >= 1');
  const axis = ctx.axis('axis', ctx.attrs.int('axis', 0), data.dims.length);
  const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
  return { attrs: { axis }, outputs: [floatOut(dims)] };
};
