// Broadcasting binary arithmetic and unary activations.

import { numElements, type FloatTensor } from '../../graph.ts';
import type { OpType } from '../../ops.ts';
import { sameDims } from '../../shape.ts';
import { broadcastIndex } from '../indexing.ts';
import { erf, gelu, geluTanh, sigmoid } from '../math.ts';
import { floatInput, type Kernel } from './kernel.ts';

function binary<K extends OpType>(fn: (a: number, b: number) => number): Kernel<K> {
  return (node, inputs, outDims) => {
    const a = floatInput(node, inputs, 0);
    const b = floatInput(node, inputs, 1);
    const n = numElements(outDims);
    const out = new Float32Array(n);
    if (sameDims(a.dims, outDims) && sameDims(b.dims, outDims)) {
      for (let i = 0; i < n; i++) out[i] = fn(a.data[i], b.data[i]);
    } else {
      const ia = broadcastIndex(a.dims, outDims);
      const ib = broadcastIndex(b.dims, outDims);
      for (let i = 0; i < n; i++) out[i] = fn(a.data[ia[i]], b.data[ib[i]]);
    }
    return { dims: [...outDims], data: out };
  };
}

function unary<K extends OpType>(fn: (x: number) => number): Kernel<K> {
  return (node, inputs) => {
    const x = floatInput(node, inputs, 0);
    return { dims: [...x.dims], data: x.data.map(fn) } satisfies FloatTensor;
  };
}

export const add: Kernel<'Add'> = binary((a, b) => a + b);
export const sub: Kernel<'Sub'> = binary((a, b) => a - b);
export const mul: Kernel<'Mul'> = binary((a, b) => a * b);
export const div: Kernel<'Div'> = binary((a, b) => a / b);
export const pow: Kernel<'Pow'> = binary((a, b) => a ** b);
export const relu: Kernel<'Relu'> = unary((x) => (x > 0 ? x : 0));
export const sigmoidKernel: Kernel<'Sigmoid'> = unary(sigmoid);
export const tanh: Kernel<'Tanh'> = unary(Math.tanh);
export const sqrt: Kernel<'Sqrt'> = unary(Math.sqrt);
export const erfKernel: Kernel<'Erf'> = unary(erf);

export const hardSigmoid: Kernel<'HardSigmoid'> = (node, inputs, outDims) => {
  const { alpha, beta } = node.attrs;
  return unary<'HardSigmoid'>((x) => Math.max(0, Math.min(1, alpha * x + beta)))(node, inputs, outDims);
};

export const geluKernel: Kernel<'Gelu'> = (node, inputs, outDims) =>
  unary<'Gelu'>(node.attrs.approximate === 'tanh' ? geluTanh : gelu)(node, inputs, outDims);
