// Clip and the unary activations added for any-ONNX support (LeakyRelu, Elu, Selu, Celu, ThresholdedRelu,
// HardSwish, Softplus, Softsign, Exp, Log, Neg, Abs, Reciprocal, Mish, Swish, the trigonometric and hyperbolic
// functions, Sign, Floor, Ceil, Round). Double precision, rounded to
// float32 at the output. The quantizer tabulates these same functions (models/quantize/ops/lookup.ts).

import type { FloatTensor, NodeOf } from '../../graph.ts';
import type { NodeAttrs, OpType } from '../../ops.ts';
import { sigmoid } from '../math.ts';
import { floatInput, type Kernel } from './kernel.ts';

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Round half to even (ONNX Round). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The scalar function of each unary op, given its normalized attributes. */
export const UNARY_FUNCTIONS: { [K in UnaryActivation]: (a: NodeAttrs[K]) => (x: number) => number } = {
  Clip: ({ min, max }) => (x) => Math.min(Math.max(x, min), max),
  LeakyRelu: ({ alpha }) => (x) => (x >= 0 ? x : alpha * x),
  Elu: ({ alpha }) => (x) => (x >= 0 ? x : alpha * Math.expm1(x)),
  Selu: ({ alpha, gamma }) => (x) => (x > 0 ? gamma * x : gamma * alpha * Math.expm1(x)),
  Celu: ({ alpha }) => (x) => Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha)),
  ThresholdedRelu: ({ alpha }) => (x) => (x > alpha ? x : 0),
  HardSwish: () => (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)),
  Softplus: () => softplus,
  Softsign: () => (x) => x / (1 + Math.abs(x)),
  Exp: () => Math.exp,
  Log: () => Math.log,
  Neg: () => (x) => -x,
  Abs: () => Math.abs,
  Reciprocal: () => (x) => 1 / x,
  Mish: () => (x) => x * Math.tanh(softplus(x)),
  Swish: ({ alpha }) => (x) => x * sigmoid(alpha * x),
  Sin: () => Math.sin,
  Cos: () => Math.cos,
  Tan: () => Math.tan,
  Asin: () => Math.asin,
  Acos: () => Math.acos,
  Atan: () => Math.atan,
  Sinh: () => Math.sinh,
  Cosh: () => Math.cosh,
  Asinh: () => Math.asinh,
  Acosh: () => Math.acosh,
  Atanh: () => Math.atanh,
  Sign: () => (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  Floor: () => Math.floor,
  Ceil: () => Math.ceil,
  Round: () => roundHalfEven,
};

export type UnaryActivation =
  | 'Clip' | 'LeakyRelu' | 'Elu' | 'Selu' | 'Celu' | 'ThresholdedRelu' | 'HardSwish' | 'Softplus' | 'Softsign'
  | 'Exp' | 'Log' | 'Neg' | 'Abs' | 'Reciprocal' | 'Mish' | 'Swish' | 'Sin' | 'Cos' | 'Tan' | 'Asin' | 'Acos' | 'Atan'
  | 'Sinh' | 'Cosh' | 'Asinh' | 'Acosh' | 'Atanh' | 'Sign' | 'Floor' | 'Ceil' | 'Round';

function unaryKernel<K extends UnaryActivation & OpType>(op: K): Kernel<K> {
  return (node: NodeOf<K>, inputs) => {
    const x = floatInput(node, inputs, 0);
    const f = (UNARY_FUNCTIONS[op] as (a: NodeAttrs[K]) => (x: number) => number)(node.attrs);
    return { dims: [...x.dims], data: x.data.map(f) } satisfies FloatTensor;
  };
}

export const ACTIVATION_KERNELS: { [K in UnaryActivation]: Kernel<K> } = {
  Clip: unaryKernel('Clip'),
  LeakyRelu: unaryKernel('LeakyRelu'),
  Elu: unaryKernel('Elu'),
  Selu: unaryKernel('Selu'),
  Celu: unaryKernel('Celu'),
  ThresholdedRelu: unaryKernel('ThresholdedRelu'),
  HardSwish: unaryKernel('HardSwish'),
  Softplus: unaryKernel('Softplus'),
  Softsign: unaryKernel('Softsign'),
  Exp: unaryKernel('Exp'),
  Log: unaryKernel('Log'),
  Neg: unaryKernel('Neg'),
  Abs: unaryKernel('Abs'),
  Reciprocal: unaryKernel('Reciprocal'),
  Mish: unaryKernel('Mish'),
  Swish: unaryKernel('Swish'),
  Sin: unaryKernel('Sin'),
  Cos: unaryKernel('Cos'),
  Tan: unaryKernel('Tan'),
  Asin: unaryKernel('Asin'),
  Acos: unaryKernel('Acos'),
  Atan: unaryKernel('Atan'),
  Sinh: unaryKernel('Sinh'),
  Cosh: unaryKernel('Cosh'),
  Asinh: unaryKernel('Asinh'),
  Acosh: unaryKernel('Acosh'),
  Atanh: unaryKernel('Atanh'),
  Sign: unaryKernel('Sign'),
  Floor: unaryKernel('Floor'),
  Ceil: unaryKernel('Ceil'),
  Round: unaryKernel('Round'),
};
