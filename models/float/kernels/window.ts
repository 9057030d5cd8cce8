// Conv, MaxPool, AveragePool, GlobalAveragePool over NCHW tensors.

import type { FloatTensor } from '../../graph.ts';
import type { Window2d } from '../../ops.ts';
import { product } from '../../shape.ts';
import { floatInput, type Kernel } from './kernel.ts';

/** Visits the in-bounds input positions (offsets within one H×W plane) of window (oh, ow). */
function forWindow(w: Window2d, h: number, wid: number, oh: number, ow: number, visit: (offset: number, k: number) => void): void {
  const [kh, kw] = w.kernelShape;
  for (let y = 0; y < kh; y++) {
    const iy = oh * w.strides[0] - w.pads[0] + y * w.dilations[0];
    if (iy < 0 || iy >= h) continue;
    for (let x = 0; x < kw; x++) {
      const ix = ow * w.strides[1] - w.pads[1] + x * w.dilations[1];
      if (ix < 0 || ix >= wid) continue;
      visit(iy * wid + ix, y * kw + x);
    }
  }
}

export const conv: Kernel<'Conv'> = (node, inputs, outDims) => {
  const x = floatInput(node, inputs, 0);
  const w = floatInput(node, inputs, 1);
  const bias = inputs.length > 2 ? floatInput(node, inputs, 2) : undefined;
  const [batch, c, h, wid] = x.dims;
  const [, m, oh, ow] = outDims;
  const cg = c / node.attrs.group;
  const mg = m / node.attrs.group;
  const kk = node.attrs.kernelShape[0] * node.attrs.kernelShape[1];
  const out = new Float32Array(product(outDims));
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oc = 0; oc < m; oc++) {
      const g = Math.floor(oc / mg);
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          let acc = bias ? bias.data[oc] : 0;
          for (let ic = 0; ic < cg; ic++) {
            const plane = (b * c + g * cg + ic) * h * wid;
            const filter = (oc * cg + ic) * kk;
            forWindow(node.attrs, h, wid, y, xo, (off, k) => {
              acc += x.data[plane + off] * w.data[filter + k];
            });
          }
          out[o++] = acc;
        }
      }
    }
  }
  return { dims: [...outDims], data: out };
};

function pool(reduce: (values: number[], win: Window2d) => number): Kernel<'MaxPool' | 'AveragePool'> {
  return (node, inputs, outDims) => {
    const x = floatInput(node, inputs, 0);
    const [, , h, wid] = x.dims;
    const [batch, c, oh, ow] = outDims;
    const out = new Float32Array(product(outDims));
    let o = 0;
    for (let plane = 0; plane < batch * c; plane++) {
      const base = plane * h * wid;
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          const values: number[] = [];
          forWindow(node.attrs, h, wid, y, xo, (off) => values.push(x.data[base + off]));
          out[o++] = reduce(values, node.attrs);
        }
      }
    }
    return { dims: [...outDims], data: out } satisfies FloatTensor;
  };
}

export const maxPool: Kernel<'MaxPool'> = pool((values) => Math.max(...values));

export const averagePool: Kernel<'AveragePool'> = (node, inputs, outDims) =>
  pool((values) => {
    const sum = values.reduce((s, v) => s + v, 0);
    // Without ceil_mode every window lies inside the padded input, so "include pad" divides by the kernel size.
    const count = node.attrs.countIncludePad ? node.attrs.kernelShape[0] * node.attrs.kernelShape[1] : values.length;
    return sum / count;
  })(node, inputs, outDims);

export const globalAveragePool: Kernel<'GlobalAveragePool'> = (node, inputs, outDims) => {
  const x = floatInput(node, inputs, 0);
  const planes = x.dims[0] * x.dims[1];
  const size = product(x.dims, 2);
  const out = new Float32Array(planes);
  for (let p = 0; p < planes; p++) {
    let sum = 0;
    for (let i = 0; i < size; i++) sum += x.data[p * size + i];
    out[p] = sum / size;
  }
  return { dims: [...outDims], data: out };
};
