// Elementwise ops: broadcasting binary arithmetic and the unary activations.

import { broadcastDims } from '../../shape.ts';
import { floatOut, type ImportContext, type Imported, type Importer } from './context.ts';

type BinaryOp = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow';
type UnaryOp = 'Relu' | 'Sigmoid' | 'Tanh' | 'Sqrt' | 'Erf';

function binary<K extends BinaryOp>(ctx: ImportContext): Imported<K> {
  ctx.arity(2);
  const a = ctx.float(0, 'A');
  const b = ctx.float(1, 'B');
  const dims = broadcastDims(a.dims, b.dims);
  if (!dims) ctx.fail(`operand shapes ${ctx.dims(a.dims)} and ${ctx.dims(b.dims)} do not broadcast`);
  return { attrs: {} as Imported<K>['attrs'], outputs: [floatOut(dims)] };
}

function unary<K extends UnaryOp>(ctx: ImportContext): Imported<K> {
  ctx.arity(1);
  const x = ctx.float(0, 'X');
  return { attrs: {} as Imported<K>['attrs'], outputs: [floatOut([...x.dims])] };
}

export const importAdd: Importer<'Add'> = binary;
export const importSub: Importer<'Sub'> = binary;
export const importMul: Importer<'Mul'> = binary;
export const importDiv: Importer<'Div'> = binary;
export const importPow: Importer<'Pow'> = binary;
export const importRelu: Importer<'Relu'> = unary;
export const importSigmoid: Importer<'Sigmoid'> = unary;
export const importTanh: Importer<'Tanh'> = unary;
export const importSqrt: Importer<'Sqrt'> = unary;
export const importErf: Importer<'Erf'> = unary;

export const importHardSigmoid: Importer<'HardSigmoid'> = (ctx: ImportContext) => {
  ctx.arity(1);
  const x = ctx.float(0, 'X');
  const attrs = { alpha: ctx.attrs.float('alpha', 0.2), beta: ctx.attrs.float('beta', 0.5) };
  return { attrs, outputs: [floatOut([...x.dims])] };
};

export const importGelu: Importer<'Gelu'> = (ctx: ImportContext) => {
  if (ctx.opset < 20) {
    ctx.unsupported(`Gelu exists from opset 20 on, the model imports opset ${ctx.opset}`, 'export with opset 20 or later');
  }
  ctx.arity(1);
  const x = ctx.float(0, 'X');
  const approximate = ctx.attrs.string('approximate', 'none');
  if (approximate !== 'none' && approximate !== 'tanh') {
    ctx.unsupported(`approximate="${approximate}" is not supported`, 'use "none" or "tanh"');
  }
  return { attrs: { approximate }, outputs: [floatOut([...x.dims])] };
};

/** Clip: min and max come from constant scalar inputs (absent = unbounded); run-time bounds are refused. */
export const importClip: Importer<'Clip'> = (ctx: ImportContext) => {
  ctx.arity(1, 3);
  const x = ctx.float(0, 'input');
  const bound = (i: number, role: string, fallback: number): number => {
    const v = ctx.constFloats(i, role);
    if (v === undefined) return fallback;
    if (v.length !== 1) ctx.fail(`${role} has ${v.length} values, expected a scalar`);
    if (Number.isNaN(v[0])) ctx.fail(`${role} is NaN`, 'use a number or leave the bound out');
    return v[0];
  };
  const attrs = { min: bound(1, 'min', -Infinity), max: bound(2, 'max', Infinity) };
  return { attrs, inputs: ctx.names(0, 1), outputs: [floatOut([...x.dims])] };
};

type ActivationOp = 'LeakyRelu' | 'Elu' | 'Selu' | 'Celu' | 'ThresholdedRelu' | 'HardSwish' | 'Softplus' | 'Softsign'
  | 'Exp' | 'Log' | 'Neg' | 'Abs' | 'Reciprocal' | 'Mish' | 'Swish' | 'Sin' | 'Cos' | 'Tan' | 'Asin' | 'Acos' | 'Atan'
  | 'Sinh' | 'Cosh' | 'Asinh' | 'Acosh' | 'Atanh' | 'Sign' | 'Floor' | 'Ceil' | 'Round';

/** A unary activation whose attributes `read` normalizes; `since` is the opset the op appeared in. */
function activation<K extends ActivationOp>(read: (ctx: ImportContext) => Imported<K>['attrs'], since = 1): Importer<K> {
  return (ctx: ImportContext) => {
    if (ctx.opset < since) {
      ctx.unsupported(`${ctx.op} exists from opset ${since} on, the model imports opset ${ctx.opset}`, `export with opset ${since} or later`);
    }
    ctx.arity(1);
    const x = ctx.float(0, 'X');
    return { attrs: read(ctx), outputs: [floatOut([...x.dims])] };
  };
}

const none = () => ({}) as Record<string, never>;
const alpha = (fallback: number) => (ctx: ImportContext) => ({ alpha: ctx.attrs.float('alpha', fallback) });

export const importLeakyRelu: Importer<'LeakyRelu'> = activation(alpha(0.01));
export const importElu: Importer<'Elu'> = activation(alpha(1));
export const importSelu: Importer<'Selu'> = activation((ctx) => ({
  alpha: ctx.attrs.float('alpha', 1.67326319217681884765625),
  gamma: ctx.attrs.float('gamma', 1.05070102214813232421875),
}));
export const importCelu: Importer<'Celu'> = activation((ctx) => {
  const a = ctx.attrs.float('alpha', 1);
  if (a === 0) ctx.fail('alpha is 0', 'Celu divides by alpha; use a non-zero value');
  return { alpha: a };
}, 12);
export const importThresholdedRelu: Importer<'ThresholdedRelu'> = activation(alpha(1), 10);
export const importHardSwish: Importer<'HardSwish'> = activation(none, 14);
export const importSoftplus: Importer<'Softplus'> = activation(none);
export const importSoftsign: Importer<'Softsign'> = activation(none);
export const importExp: Importer<'Exp'> = activation(none);
export const importLog: Importer<'Log'> = activation(none);
export const importNeg: Importer<'Neg'> = activation(none);
export const importAbs: Importer<'Abs'> = activation(none);
export const importReciprocal: Importer<'Reciprocal'> = activation(none);
export const importMish: Importer<'Mish'> = activation(none, 18);
export const importSwish: Importer<'Swish'> = activation(alpha(1), 24);
export const importSin: Importer<'Sin'> = activation(none, 7);
export const importCos: Importer<'Cos'> = activation(none, 7);
export const importTan: Importer<'Tan'> = activation(none, 7);
export const importAsin: Importer<'Asin'> = activation(none, 7);
export const importAcos: Importer<'Acos'> = activation(none, 7);
export const importAtan: Importer<'Atan'> = activation(none, 7);
export const importSinh: Importer<'Sinh'> = activation(none, 9);
export const importCosh: Importer<'Cosh'> = activation(none, 9);
export const importAsinh: Importer<'Asinh'> = activation(none, 9);
export const importAcosh: Importer<'Acosh'> = activation(none, 9);
export const importAtanh: Importer<'Atanh'> = activation(none, 9);
export const importSign: Importer<'Sign'> = activation(none, 9);
export const importFloor: Importer<'Floor'> = activation(none);
export const importCeil: Importer<'Ceil'> = activation(none);
export const importRound: Importer<'Round'> = activation(none, 11);
