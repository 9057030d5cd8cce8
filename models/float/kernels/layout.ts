// Data movement: Flatten, Reshape, Transpose, Concat, Gather.

import { isIntTensor } from '../../graph.ts';
import { product, stridesOf } from '../../shape.ts';
import { strideIndex } from '../indexing.ts';
import { evalError, floatInput, type Kernel } from './kernel.ts';

export const flatten: Kernel<'Flatten'> = (node, inputs, outDims) => ({
  dims: [...outDims],
  data: floatInput(node, inputs, 0).data.slice(),
});

export const reshape: Kernel<'Reshape'> = (node, inputs) => ({
  dims: [...node.attrs.shape],
  data: floatInput(node, inputs, 0).data.slice(),
});

export const transpose: Kernel<'Transpose'> = (node, inputs, outDims) => {
  const x = floatInput(node, inputs, 0);
  const strides = stridesOf(x.dims);
  const index = strideIndex(outDims, node.attrs.perm.map((p) => strides[p]));
  return { dims: [...outDims], data: Float32Array.from(index, (i) => x.data[i]) };
};

export const concat: Kernel<'Concat'> = (node, inputs, outDims) => {
  const axis = node.attrs.axis;
  const parts = inputs.map((_, i) => floatInput(node, inputs, i));
  const outer = product(outDims, 0, axis);
  const out = new Float32Array(product(outDims));
  let o = 0;
  for (let r = 0; r < outer; r++) {
    for (const p of parts) {
      const chunk = product(p.dims, axis);
      out.set(p.data.subarray(r * chunk, (r + 1) * chunk), o);
      o += chunk;
    }
  }
  return { dims: [...outDims], data: out };
};

export const gather: Kernel<'Gather'> = (node, inputs, outDims) => {
  const data = floatInput(node, inputs, 0);
  const indices = inputs[1];
  if (!indices || !isIntTensor(indices)) throw evalError(node, 'input 1 (indices) is not an integer tensor', 'feed indices as an Int32Array');
  const axis = node.attrs.axis;
  const len = data.dims[axis];
  const inner = product(data.dims, axis + 1);
  const outer = product(data.dims, 0, axis);
  const out = new Float32Array(product(outDims));
  let o = 0;
  for (let r = 0; r < outer; r++) {
    for (let k = 0; k < indices.data.length; k++) {
      const raw = indices.data[k];
      if (raw < -len || raw >= len) {
        throw evalError(node, `index ${raw} at position ${k} is out of range [${-len}, ${len - 1}]`, `indices must address axis ${axis} of length ${len} (e.g. token ids below the vocabulary size)`);
      }
      const idx = raw < 0 ? raw + len : raw;
      const start = (r * len + idx) * inner;
      out.set(data.data.subarray(start, start + inner), o);
      o += inner;
    }
  }
  return { dims: [...outDims], data: out };
};
