// Conv, MaxPool, AveragePool, GlobalAveragePool over NCHW tensors.

import type { FloatTensor } from '../../graph.ts';
import type { Window2d } from '../../ops.ts';
import { product } from '../../shape.ts';
import { floatInput, type Kernel } from './kernel.ts';

/**
 * Per output position along one axis, the taps [first[o], end[o]) that land inside the input: input index
 * o·stride − pad + k·dilation in [0, size). The in-bounds taps of an axis are always one contiguous range.
 */
function validTaps(outs: number, taps: number, stride: number, pad: number, dilation: number, size: number): { first: Int32Array; end: Int32Array } {
  const first = new Int32Array(outs);
  const end = new Int32Array(outs);
  for (let o = 0; o < outs; o++) {
    let a = taps;
    let z = 0;
    for (let k = 0; k < taps; k++) {
      const i = o * stride - pad + k * dilation;
      if (i >= 0 && i < size) {
        if (k < a) a = k;
        z = k + 1;
      }
    }
    first[o] = a;
    end[o] = Math.max(a, z);
  }
  return { first, end };
}

/**
 * Per tap k along one axis, the outputs [first[k], end[k]) it reaches inside the input: o·stride − pad +
 * k·dilation in [0, size), a contiguous range of o.
 */
function validOutputs(taps: number, outs: number, stride: number, pad: number, dilation: number, size: number): [Int32Array, Int32Array] {
  const first = new Int32Array(taps);
  const end = new Int32Array(taps);
  for (let k = 0; k < taps; k++) {
    const off = k * dilation - pad; // input = o·stride + off
    const a = Math.max(0, Math.ceil(-off / stride));
    const z = Math.min(outs, Math.floor((size - 1 - off) / stride) + 1);
    first[k] = a;
    end[k] = Math.max(a, z);
  }
  return [first, end];
}

/** A rank-3 (1-D window) shape [N, C, L] as [N, C, 1, L]; rank-4 shapes unchanged. */
export function as4d(dims: readonly number[]): number[] {
  return dims.length === 3 ? [dims[0], dims[1], 1, dims[2]] : [...dims];
}

/**
 * Conv. Each output is bias + Σ x·w in double precision, the terms taken in the order (input channel, ky, kx)
 * over the in-bounds taps, then rounded to float32: calibration reads these values, so the order is part of
 * the result. The loops run tap-outer, position-inner over one output channel's accumulators, which adds the
 * same terms in the same order to every output as a per-output loop would.
 */
export const conv: Kernel<'Conv'> = (node, inputs, outDims) => {
  const x = floatInput(node, inputs, 0);
  const w = floatInput(node, inputs, 1);
  const bias = inputs.length > 2 ? floatInput(node, inputs, 2) : undefined;
  const [batch, c, h, wid] = as4d(x.dims);
  const [, m, oh, ow] = as4d(outDims);
  const { kernelShape: [kh, kw], strides: [sh, sw], pads: [pt, pl], dilations: [dh, dw] } = node.attrs;
  const cg = c / node.attrs.group;
  const mg = m / node.attrs.group;
  const kk = kh * kw;
  const [ys0, ys1] = validOutputs(kh, oh, sh, pt, dh, h);
  const [xs0, xs1] = validOutputs(kw, ow, sw, pl, dw, wid);
  const out = new Float32Array(product(outDims));
  const acc = new Float64Array(oh * ow);
  const xd = x.data;
  for (let b = 0; b < batch; b++) {
    for (let oc = 0; oc < m; oc++) {
      const g = Math.floor(oc / mg);
      acc.fill(bias ? bias.data[oc] : 0);
      for (let ic = 0; ic < cg; ic++) {
        const plane = (b * c + g * cg + ic) * h * wid;
        const filter = (oc * cg + ic) * kk;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const wv = w.data[filter + ky * kw + kx];
            for (let yo = ys0[ky]; yo < ys1[ky]; yo++) {
              const row = plane + (yo * sh - pt + ky * dh) * wid - pl + kx * dw;
              const a = yo * ow;
              for (let xo = xs0[kx]; xo < xs1[kx]; xo++) acc[a + xo] += xd[row + xo * sw] * wv;
            }
          }
        }
      }
      out.set(acc, (b * m + oc) * oh * ow);
    }
  }
  return { dims: [...outDims], data: out };
};

/** MaxPool (max) and AveragePool (sum / divisor(count)) over each window's in-bounds taps, row by row. */
function pool(max: boolean, divisor: (count: number) => number): Kernel<'MaxPool' | 'AveragePool'> {
  return (node, inputs, outDims) => {
    const x = floatInput(node, inputs, 0);
    const [, , h, wid] = as4d(x.dims);
    const [batch, c, oh, ow] = as4d(outDims);
    const { kernelShape: [kh, kw], strides: [sh, sw], pads: [pt, pl], dilations: [dh, dw] } = node.attrs;
    const ys = validTaps(oh, kh, sh, pt, dh, h);
    const xs = validTaps(ow, kw, sw, pl, dw, wid);
    const out = new Float32Array(product(outDims));
    let o = 0;
    for (let plane = 0; plane < batch * c; plane++) {
      const base = plane * h * wid;
      for (let yo = 0; yo < oh; yo++) {
        for (let xo = 0; xo < ow; xo++) {
          // Sum from 0 in window order (ky, then kx); max starts at -Infinity (= Math.max() of nothing).
          let r = max ? -Infinity : 0;
          for (let ky = ys.first[yo]; ky < ys.end[yo]; ky++) {
            const row = base + (yo * sh - pt + ky * dh) * wid + xo * sw - pl;
            for (let kx = xs.first[xo]; kx < xs.end[xo]; kx++) {
              const v = x.data[row + kx * dw];
              r = max ? Math.max(r, v) : r + v; // Math.max folds like Math.max(...window): NaN wins, +0 > -0
            }
          }
          const count = (ys.end[yo] - ys.first[yo]) * (xs.end[xo] - xs.first[xo]);
          out[o++] = max ? r : r / divisor(count);
        }
      }
    }
    return { dims: [...outDims], data: out } satisfies FloatTensor;
  };
}

export const maxPool: Kernel<'MaxPool'> = pool(true, () => 1);

// Without ceil_mode every window lies inside the padded input, so "include pad" divides by the kernel size.
export const averagePool: Kernel<'AveragePool'> = (node, inputs, outDims) =>
  pool(false, (count) => (node.attrs.countIncludePad ? node.attrs.kernelShape[0] * node.attrs.kernelShape[1] : count))(node, inputs, outDims);

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
