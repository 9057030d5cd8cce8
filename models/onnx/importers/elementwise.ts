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
