// Small helpers for load-time folding: building int/float tensors, reading constant operands, broadcasting.

import { isIntTensor, numElements, type FloatTensor, type IntTensor, type Tensor } from '../../graph.ts';
import { broadcastDims, broadcastIndex } from '../../shape.ts';
import type { RewriteContext } from '../expanders/types.ts';
import { checkDims, saturateInt32 } from '../tensors.ts';

/** The most elements one folded tensor may have (constants built at load time live in memory). */
export const FOLD_MAX_ELEMENTS = 2 ** 24;

/** The most elements folding may build in a model without weights (2^26; foldBudget adds four per weight element). */
export const FOLD_BUDGET = 2 ** 26;

function checkBudget(ctx: RewriteContext, n: number): void {
  const { elements: used, budget } = ctx.folded;
  if (used + n > budget) {
    ctx.fail(
      `folding it at load time would build ${n} more constant elements after ${used}, past this model's budget of ${budget} (2^26 plus four per weight element)`,
      'the model is corrupt, or compute these values at run time',
    );
  }
}

/** Counts a fold's outputs against the model's budget (fold/index.ts calls it for every folder, the pipeline for canonical ops on constants). */
export function chargeFolded(ctx: RewriteContext, outputs: readonly (Tensor | undefined)[]): void {
  const n = outputs.reduce((s, t) => s + (t ? t.data.length : 0), 0);
  checkBudget(ctx, n);
  ctx.folded.elements += n;
}

/** A model's folding budget: 2^26 elements, plus four per element of its initializers (a Cast or Transpose of every weight, and then some). */
export function foldBudget(initializerElements: number): number {
  return FOLD_BUDGET + 4 * initializerElements;
}

/** Checks the dims of a folded output: sane, at most FOLD_MAX_ELEMENTS elements, within the model's budget. */
export function checkFolded(ctx: RewriteContext, dims: readonly number[]): void {
  const n = checkDims(`${ctx.subject} output`, dims);
  if (n > FOLD_MAX_ELEMENTS) {
    ctx.fail(`folding it at load time would build a constant of ${n} elements, more than ${FOLD_MAX_ELEMENTS}`, 'the model is corrupt, or compute this value at run time');
  }
  checkBudget(ctx, n);
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Refuses an integer result opml cannot hold (it keeps integers as int32 words). */
export function checkInt32(ctx: RewriteContext, v: number): number {
  if (!(v >= INT32_MIN && v <= INT32_MAX)) {
    ctx.unsupported(`value ${v} does not fit int32; opml holds integers as int32`, 'keep integer (shape) arithmetic within [-2^31, 2^31 - 1]');
  }
  return v;
}

/** An integer folded result: every value must fit int32 (refused by name otherwise; fractions truncate). */
export function intResult(ctx: RewriteContext, dims: number[], values: ArrayLike<number>): IntTensor {
  const data = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = checkInt32(ctx, values[i]);
  return { dims, data };
}

/** An integer tensor of values read from a file or already held (saturated: INT64_MAX/MIN are sentinels). */
export function intTensor(dims: number[], values: ArrayLike<number>): IntTensor {
  return { dims, data: Int32Array.from(values as ArrayLike<number>, saturateInt32) };
}

export function floatTensor(dims: number[], values: ArrayLike<number>): FloatTensor {
  return { dims, data: Float32Array.from(values) };
}

/** A tensor of the same kind (int or float) as `like`, with `values` (values it already holds: no checks). */
export function sameKind(like: Tensor, dims: number[], values: ArrayLike<number>): Tensor {
  return isIntTensor(like) ? intTensor(dims, values) : floatTensor(dims, values);
}

/** `t`'s values at the flat positions `index`, as a new tensor of the same kind with `dims`. */
export function gathered(t: Tensor, dims: number[], index: ArrayLike<number>): Tensor {
  const data = isIntTensor(t) ? new Int32Array(index.length) : new Float32Array(index.length);
  const src = t.data;
  for (let i = 0; i < index.length; i++) data[i] = src[index[i]];
  return { dims, data } as Tensor;
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
  const datas = inputs.map((t) => t.data);
  if (inputs.length === 1) {
    const [d] = datas;
    const [m] = maps;
    for (let i = 0; i < n; i++) out[i] = fn(d[m[i]]);
  } else if (inputs.length === 2) {
    const [a, b] = datas;
    const [ma, mb] = maps;
    for (let i = 0; i < n; i++) out[i] = fn(a[ma[i]], b[mb[i]]);
  } else {
    const args = new Array<number>(inputs.length);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < inputs.length; k++) args[k] = datas[k][maps[k][i]];
      out[i] = fn(...args);
    }
  }
  return int ? intResult(ctx, dims, out) : floatTensor(dims, out);
}
