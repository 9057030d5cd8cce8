// Load-time folding of elementwise ops on constants: integer and float arithmetic (ONNX integer Div
// truncates), comparisons and logic (bool results are 0/1 integer tensors), Where.

import { isIntTensor, type Tensor } from '../../graph.ts';
import type { RewriteContext } from '../expanders/types.ts';
import { allConstant, broadcastMap } from './tensor.ts';
import type { Folder } from './types.ts';

/** Float results are computed in double and rounded to float32 like the evaluator's kernels. */
function arithmetic(fn: (a: number, b: number, int: boolean, ctx: RewriteContext) => number, variadic = false): Folder {
  return (ctx) => {
    const ts = variadic ? allConstant(ctx, 1) : allConstant(ctx, 2, 2);
    if (!ts) return undefined;
    const int = ts.every(isIntTensor);
    let acc: Tensor = ts[0];
    for (const t of ts.slice(1)) acc = broadcastMap(ctx, [acc, t], int, (a, b) => fn(a, b, int, ctx));
    if (ts.length === 1) acc = broadcastMap(ctx, [acc], int, (a) => a);
    return [acc];
  };
}

function unary(fn: (a: number, int: boolean) => number, forceInt?: boolean): Folder {
  return (ctx) => {
    const ts = allConstant(ctx, 1, 1);
    if (!ts) return undefined;
    const int = forceInt ?? isIntTensor(ts[0]);
    return [broadcastMap(ctx, [ts[0]], int, (a) => fn(a, isIntTensor(ts[0])))];
  };
}

function compare(fn: (a: number, b: number) => boolean): Folder {
  return (ctx) => {
    const ts = allConstant(ctx, 2, 2);
    if (!ts) return undefined;
    return [broadcastMap(ctx, ts, true, (a, b) => (fn(a, b) ? 1 : 0))];
  };
}

function divide(a: number, b: number, int: boolean, ctx: RewriteContext): number {
  if (!int) return a / b;
  if (b === 0) ctx.fail('integer division by zero');
  return Math.trunc(a / b);
}

const mod: Folder = (ctx: RewriteContext) => {
  const fmod = ctx.attrs.int('fmod', 0) !== 0;
  return arithmetic((a, b, int) => {
    if (int && b === 0) ctx.fail('integer modulo by zero');
    if (fmod || !int) {
      if (!fmod) ctx.unsupported('Mod of floats needs fmod=1', 'set fmod=1 (the ONNX spec requires it for floats)');
      return a % b;
    }
    const r = a % b;
    return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
  })(ctx);
};

/** Round half to even, as ONNX Round. */
function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const where: Folder = (ctx: RewriteContext) => {
  const ts = allConstant(ctx, 3, 3);
  if (!ts) return undefined;
  return [broadcastMap(ctx, ts, isIntTensor(ts[1]) && isIntTensor(ts[2]), (c, x, y) => (c !== 0 ? x : y))];
};

export const ELEMENTWISE_FOLDERS: Record<string, Folder> = {
  Add: arithmetic((a, b) => a + b),
  Sub: arithmetic((a, b) => a - b),
  Mul: arithmetic((a, b) => a * b),
  Div: arithmetic(divide),
  Mod: mod,
  Pow: arithmetic((a, b) => a ** b),
  Min: arithmetic((a, b) => Math.min(a, b), true),
  Max: arithmetic((a, b) => Math.max(a, b), true),
  Sum: arithmetic((a, b) => a + b, true),
  Neg: unary((a) => -a),
  Abs: unary((a) => Math.abs(a)),
  Sign: unary((a) => Math.sign(a)),
  Floor: unary((a) => Math.floor(a)),
  Ceil: unary((a) => Math.ceil(a)),
  Round: unary((a) => roundEven(a)),
  Sqrt: unary((a) => Math.sqrt(a)),
  Reciprocal: unary((a) => 1 / a),
  Not: unary((a) => (a === 0 ? 1 : 0), true),
  Equal: compare((a, b) => a === b),
  Less: compare((a, b) => a < b),
  Greater: compare((a, b) => a > b),
  LessOrEqual: compare((a, b) => a <= b),
  GreaterOrEqual: compare((a, b) => a >= b),
  And: compare((a, b) => a !== 0 && b !== 0),
  Or: compare((a, b) => a !== 0 || b !== 0),
  Xor: compare((a, b) => (a !== 0) !== (b !== 0)),
  Where: where,
};
