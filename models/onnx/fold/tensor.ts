// Small helpers for load-time folding: building int/float tensors, reading constant operands, broadcasting.

import { isIntTensor, numElements, type FloatTensor, type IntTensor, type Tensor } from '../../graph.ts';
import { broadcastDims, broadcastIndex } from '../../shape.ts';
import type { RewriteContext } from '../expanders/types.ts';
import { checkDims, saturateInt32 } from '../tensors.ts';

/** The most elements one folded tensor may have (constants built at load time live in memory as numbers). */
export const FOLD_MAX_ELEMENTS = 2 ** 24;

/** Checks the dims of a folded output: sane, and at most FOLD_MAX_ELEMENTS elements. */
export function checkFolded(ctx: RewriteContext, dims: readonly number[]): void {
  const n = checkDims(`${ctx.subject} output`, dims);
  if (n > FOLD_MAX_ELEMENTS) {
    ctx.fail(`folding it at load time would build a constant of ${n} elements, more than ${FOLD_MAX_ELEMENTS}`, 'the model is corrupt, or compute this value at run time');
  }
}

export function intTensor(dims: number[], values: ArrayLike<number>): IntTensor {
  return { dims, data: Int32Array.from(values as ArrayLike<number>, saturateInt32) };
}

export function floatTensor(dims: number[], values: ArrayLike<number>): FloatTensor {
  return { dims, data: Float32Array.from(values) };
}

/** A tensor of the same kind (int or float) as `like`, with `values`. */
export function sameKind(like: Tensor, dims: number[], values: ArrayLike<number>): Tensor {
  return isIntTensor(like) ? intTensor(dims, values) : floatTensor(dims, values);
}

/** The constant values of input i, or undefined when it is absent. Returns null for run-time data. */
export function constInput(ctx: RewriteContext, i: number): Tensor | undefined | null {
  const name = ctx.inputs[i];
  if (name === undefined || name === '') return undefined;
  return ctx.constant(name) ?? null;
}

/** Every present input as a constant (between min and max of them), or undefined when any is run-time data. */
export function allConstant(ctx: RewriteContext, min = 1, max = Infinity): Tensor[] | undefined {
  const present = ctx.inputs.filter((i) => i !== '').length;
  if (present < min || present > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    ctx.fail(`it has ${present} inputs, expected ${want}`, 'the file is corrupt');
  }
  const out: Tensor[] = [];
  for (const name of ctx.inputs) {
    if (name === '') continue;
    const t = ctx.constant(name);
    if (!t) return undefined;
    out.push(t);
  }
  return out;
}

/** Integer list from a constant tensor (axes, shapes, pads). */
export function intsOf(ctx: RewriteContext, t: Tensor, role: string): number[] {
  if (!isIntTensor(t)) ctx.fail(`${role} must be an integer tensor`, 'the file is corrupt');
  return [...t.data];
}

/** The one value of a scalar (or one-element) constant. */
export function scalarOf(ctx: RewriteContext, t: Tensor, role: string): number {
  if (t.data.length !== 1) ctx.fail(`${role} must hold one value, it holds ${t.data.length}`);
  return t.data[0];
}

export function normalizeAxis(ctx: RewriteContext, axis: number, rank: number, role = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) ctx.fail(`${role} ${axis} is out of range for rank ${rank}`, `use a value in [${-rank}, ${rank - 1}]`);
  return a;
}

/** Elementwise map over broadcast inputs; `int` picks the result kind. */
export function broadcastMap(ctx: RewriteContext, inputs: Tensor[], int: boolean, fn: (...v: number[]) => number): Tensor {
  let dims: number[] = [];
  for (const t of inputs) {
    const d = broadcastDims(dims, t.dims);
    if (!d) ctx.fail(`input dims ${inputs.map((x) => `[${x.dims.join(', ')}]`).join(' and ')} do not broadcast`);
    dims = d;
  }
  checkFolded(ctx, dims);
  const n = numElements(dims);
  const maps = inputs.map((t) => broadcastIndex(t.dims, dims));
  const out = new Float64Array(n);
  const args = new Array<number>(inputs.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < inputs.length; k++) args[k] = inputs[k].data[maps[k][i]];
    out[i] = fn(...args);
  }
  return int ? intTensor(dims, out) : floatTensor(dims, out);
}
