// BatchNormalization (inference), LayerNormalization, RMSNormalization, Softmax, ReduceMean; statistics in double precision.

import { numElements } from '../../graph.ts';
import { product, stridesOf } from '../../shape.ts';
import { broadcastIndex, strideIndex } from '../indexing.ts';
import { floatInput, type Kernel } from './kernel.ts';

export const batchNormalization: Kernel<'BatchNormalization'> = (node, inputs) => {
  const [x, scale, bias, mean, variance] = [0, 1, 2, 3, 4].map((i) => floatInput(node, inputs, i));
  const c = x.dims[1];
  const inner = product(x.dims, 2);
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const ch = Math.floor(i / inner) % c;
    const inv = 1 / Math.sqrt(variance.data[ch] + node.attrs.epsilon);
    out[i] = (x.data[i] - mean.data[ch]) * inv * scale.data[ch] + bias.data[ch];
  }
  return { dims: [...x.dims], data: out };
};

export const layerNormalization: Kernel<'LayerNormalization'> = (node, inputs) => {
  const x = floatInput(node, inputs, 0);
  const scale = floatInput(node, inputs, 1);
  const bias = inputs.length > 2 ? floatInput(node, inputs, 2) : undefined;
  const normDims = x.dims.slice(node.attrs.axis);
  const size = product(normDims);
  const rows = product(x.dims, 0, node.attrs.axis);
  const is = broadcastIndex(scale.dims, normDims);
  const ib = bias && broadcastIndex(bias.dims, normDims);
  const out = new Float32Array(x.data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * size;
    let mean = 0;
    for (let i = 0; i < size; i++) mean += x.data[base + i];
    mean /= size;
    let variance = 0;
    for (let i = 0; i < size; i++) variance += (x.data[base + i] - mean) ** 2;
    variance /= size;
    const inv = 1 / Math.sqrt(variance + node.attrs.epsilon);
    for (let i = 0; i < size; i++) {
      let v = (x.data[base + i] - mean) * inv * scale.data[is[i]];
      if (bias && ib) v += bias.data[ib[i]];
      out[base + i] = v;
    }
  }
  return { dims: [...x.dims], data: out };
};

/** x / sqrt(mean(x²) + ε) · scale per row of the dims [axis, rank); the mean square in double precision. */
export const rmsNormalization: Kernel<'RMSNormalization'> = (node, inputs) => {
  const x = floatInput(node, inputs, 0);
  const scale = floatInput(node, inputs, 1);
  const normDims = x.dims.slice(node.attrs.axis);
  const size = product(normDims);
  const rows = product(x.dims, 0, node.attrs.axis);
  const is = broadcastIndex(scale.dims, normDims);
  const out = new Float32Array(x.data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * size;
    let ss = 0;
    for (let i = 0; i < size; i++) ss += x.data[base + i] ** 2;
    const inv = 1 / Math.sqrt(ss / size + node.attrs.epsilon);
    for (let i = 0; i < size; i++) out[base + i] = x.data[base + i] * inv * scale.data[is[i]];
  }
  return { dims: [...x.dims], data: out };
};

export const softmax: Kernel<'Softmax'> = (node, inputs) => {
  const x = floatInput(node, inputs, 0);
  const axis = node.attrs.axis;
  const len = x.dims[axis];
  const inner = product(x.dims, axis + 1);
  const outer = product(x.dims, 0, axis);
  const out = new Float32Array(x.data.length);
  const exps = new Float64Array(len);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let max = -Infinity;
      for (let i = 0; i < len; i++) max = Math.max(max, x.data[base + i * inner]);
      let sum = 0;
      for (let i = 0; i < len; i++) sum += exps[i] = Math.exp(x.data[base + i * inner] - max);
      for (let i = 0; i < len; i++) out[base + i * inner] = exps[i] / sum;
    }
  }
  return { dims: [...x.dims], data: out };
};

/** Sums over `axes` in double precision, in input order. */
function reducedSums(x: { dims: number[]; data: Float32Array }, axes: readonly number[]): Float64Array {
  // The reduced tensor with kept (size-1) axes; each input element adds into the slot it maps to.
  const kept = x.dims.map((d, i) => (axes.includes(i) ? 1 : d));
  const keptStrides = stridesOf(kept).map((s, i) => (axes.includes(i) ? 0 : s));
  const target = strideIndex(x.dims, keptStrides);
  const sums = new Float64Array(numElements(kept));
  for (let i = 0; i < x.data.length; i++) sums[target[i]] += x.data[i];
  return sums;
}

export const reduceMean: Kernel<'ReduceMean'> = (node, inputs, outDims) => {
  const x = floatInput(node, inputs, 0);
  const sums = reducedSums(x, node.attrs.axes);
  const count = x.data.length / sums.length;
  return { dims: [...outDims], data: Float32Array.from(sums, (s) => s / count) };
};

export const reduceSum: Kernel<'ReduceSum'> = (node, inputs, outDims) => {
  const x = floatInput(node, inputs, 0);
  return { dims: [...outDims], data: Float32Array.from(reducedSums(x, node.attrs.axes)) };
};
