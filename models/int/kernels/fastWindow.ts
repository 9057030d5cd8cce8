/**
 * Fast window and per-channel kernels: maxpool2d, avgpool2d, channelAffine over NCHW. Prepared once per call
 * (FastPlanner, fastCommon.ts); each produces the reference `execute`'s words for every input.
 *
 * Pools, why they are exact. Along each spatial axis the valid taps of an output form one contiguous range
 * of k (the input index o·stride − pad + k·dilation is increasing in k), so the reference's skip tests are
 * the ranges [k0, k1) per output row and column, computed once per call. Within them the taps are visited in
 * the reference's order. maxpool: max from lo, then min with hi (as comparisons: equal for integers). avgpool:
 * the add32 sum of the valid taps, requant by mults[count] (count = kh·kw, or the valid taps
 * (ky1 − ky0)·(kx1 − kx0)), clamp: rqClamp's words.
 */
import { elementCount } from '../graph.ts';
import { channelAffine } from './channelAffine.ts';
import { isInt32, requantClampInto, rqClamp, type FastPlanner, type FastRunner } from './fastCommon.ts';
import type { KernelCall } from './kernel.ts';
import { avgpool2d, maxpool2d } from './pool2d.ts';
import { windowGeometry, type Geometry } from './window2d.ts';

/**
 * Per output position along one axis, the range [first[o], end[o]) of kernel taps that land inside the input
 * (the reference's skip tests, as a range), and the input index of tap 0 (o·stride − pad).
 */
interface AxisTaps {
  first: Int32Array;
  end: Int32Array;
  origin: Int32Array;
}

function axisTaps(outs: number, taps: number, stride: number, pad: number, dilation: number, size: number): AxisTaps {
  const first = new Int32Array(outs);
  const end = new Int32Array(outs);
  const origin = new Int32Array(outs);
  for (let o = 0; o < outs; o++) {
    let a = taps;
    let z = 0;
    origin[o] = o * stride - pad;
    for (let k = 0; k < taps; k++) {
      const i = origin[o] + k * dilation;
      if (i >= 0 && i < size) {
        a = Math.min(a, k);
        z = k + 1;
      }
    }
    first[o] = a;
    end[o] = Math.max(a, z);
  }
  return { first, end, origin };
}

/** The geometry and tap ranges of a pool call, or undefined when the reference must run (it then throws). */
function poolPlan(op: 'maxpool2d' | 'avgpool2d', call: KernelCall<'maxpool2d' | 'avgpool2d'>): { geo: Geometry; rows: AxisTaps; cols: AxisTaps } | undefined {
  if (call.inputDims.length !== 1) return undefined;
  const geo = windowGeometry(op, call.attrs, call.inputDims[0]);
  const rows = axisTaps(geo.oh, geo.kh, geo.sh, geo.pt, geo.dh, geo.h);
  const cols = axisTaps(geo.ow, geo.kw, geo.sw, geo.pl, geo.dw, geo.w);
  return { geo, rows, cols };
}

/** The reference itself as a runner (for calls the reference rejects: it throws the same error). */
function referenceRunner<K extends 'maxpool2d' | 'avgpool2d' | 'channelAffine'>(kernel: { execute(call: KernelCall<K>, inputs: Int32Array[]): Int32Array }, call: KernelCall<K>): FastRunner {
  return (inputs, y) => y.set(kernel.execute(call, inputs));
}

export const maxpool2dPlan: FastPlanner<'maxpool2d'> = (call) => {
  const plan = poolPlan('maxpool2d', call);
  if (!plan) return referenceRunner(maxpool2d, call);
  const { geo, rows, cols } = plan;
  const { n, c, h, w, oh, ow, dh, dw } = geo;
  const { lo, hi } = call.attrs;
  const rowStep = dh * w;
  if (geo.kh === 2 && geo.kw === 2 && isFull(rows, 2) && isFull(cols, 2)) return maxpool2x2(geo, lo, hi);
  return ([x], y) => {
    let o = 0;
    for (let plane = 0, base = 0; plane < n * c; plane++, base += h * w) {
      for (let yo = 0; yo < oh; yo++) {
        const ya = rows.first[yo];
        const yz = rows.end[yo];
        const rowBase = base + rows.origin[yo] * w;
        for (let xo = 0; xo < ow; xo++) {
          const xa = cols.first[xo];
          const xz = cols.end[xo];
          const colBase = rowBase + cols.origin[xo];
          let mx = lo;
          for (let ky = ya; ky < yz; ky++) {
            const row = colBase + ky * rowStep;
            for (let kx = xa; kx < xz; kx++) {
              const v = x[row + kx * dw];
              if (v > mx) mx = v;
            }
          }
          y[o++] = mx < hi ? mx : hi;
        }
      }
    }
  };
};

/** True when every output along the axis has all `taps` taps valid. */
const isFull = (axis: AxisTaps, taps: number): boolean => axis.first.every((a) => a === 0) && axis.end.every((z) => z === taps);

/**
 * maxpool2d with a 2×2 window whose taps are all valid at every output (no padding reached): the reference's
 * max over the four taps in its order (ky, kx) = (0,0), (0,1), (1,0), (1,1), from lo, then min with hi.
 */
function maxpool2x2({ n, c, h, w, oh, ow, sh, sw, pt, pl, dh, dw }: Geometry, lo: number, hi: number): FastRunner {
  const down = dh * w;
  return ([x], y) => {
    let o = 0;
    for (let plane = 0, base = 0; plane < n * c; plane++, base += h * w) {
      for (let yo = 0; yo < oh; yo++) {
        let p = base + (yo * sh - pt) * w - pl;
        for (let xo = 0; xo < ow; xo++, p += sw) {
          const a = x[p];
          const b = x[p + dw];
          const c2 = x[p + down];
          const d = x[p + down + dw];
          let mx = lo;
          if (a > mx) mx = a;
          if (b > mx) mx = b;
          if (c2 > mx) mx = c2;
          if (d > mx) mx = d;
          y[o++] = mx < hi ? mx : hi;
        }
      }
    }
  };
}

/** True when avgpool2d's own checks (pool2d.ts) pass: kh·kw + 1 int32 mults, shift an integer in [0, 63]. */
function avgAttrsOk({ mults, shift }: { mults: number[]; shift: number }, geo: Geometry): boolean {
  return mults.length === geo.kh * geo.kw + 1 && mults.every(isInt32) && Number.isInteger(shift) && shift >= 0 && shift <= 63;
}

export const avgpool2dPlan: FastPlanner<'avgpool2d'> = (call) => {
  const plan = poolPlan('avgpool2d', call);
  if (!plan || !avgAttrsOk(call.attrs, plan.geo)) return referenceRunner(avgpool2d, call);
  const { geo, rows, cols } = plan;
  const { n, c, h, w, oh, ow, kh, kw, dh, dw } = geo;
  const { lo, hi, mults, shift, countIncludePad } = call.attrs;
  const s = shift & 63;
  const rowStep = dh * w;
  const full = mults[kh * kw];
  return ([x], y) => {
    let o = 0;
    for (let plane = 0, base = 0; plane < n * c; plane++, base += h * w) {
      for (let yo = 0; yo < oh; yo++) {
        const ya = rows.first[yo];
        const yz = rows.end[yo];
        const rowBase = base + rows.origin[yo] * w;
        for (let xo = 0; xo < ow; xo++) {
          const xa = cols.first[xo];
          const xz = cols.end[xo];
          const colBase = rowBase + cols.origin[xo];
          let sum = 0;
          for (let ky = ya; ky < yz; ky++) {
            const row = colBase + ky * rowStep;
            for (let kx = xa; kx < xz; kx++) sum = (sum + x[row + kx * dw]) | 0;
          }
          const m = countIncludePad ? full : mults[(yz - ya) * (xz - xa)];
          y[o++] = rqClamp(sum, m, s, lo, hi);
        }
      }
    }
  };
};

/** The shape checks of channelAffine.ts: x [N, C, …], w, bias and mult [C]. */
function affineShapeOk([x, w, bias, mult]: number[][]): boolean {
  if (!x || x.length < 2) return false;
  return [w, bias, mult].every((d) => d?.length === 1 && d[0] === x[1]);
}

/**
 * channelAffine: per (batch, channel) run of `inner` words, t = add32(mul32(x, w[c]), bias[c]) into y, then
 * clamp32(requant(t, mult[c], shift), lo, hi) in place (requantClampInto with the channel's multiplier).
 */
export const channelAffinePlan: FastPlanner<'channelAffine'> = (call) => {
  if (!affineShapeOk(call.inputDims)) return referenceRunner(channelAffine, call);
  const xDims = call.inputDims[0];
  const [n, c] = xDims;
  const inner = elementCount(xDims.slice(2));
  const { shift, lo, hi } = call.attrs;
  const s = shift & 63;
  return ([x, w, bias, mult], y) => {
    for (let b = 0, base = 0; b < n; b++) {
      for (let ch = 0; ch < c; ch++, base += inner) {
        const wc = w[ch];
        const bc = bias[ch];
        for (let i = base; i < base + inner; i++) y[i] = (Math.imul(x[i], wc) + bc) | 0;
        requantClampInto(y, base, y, base, inner, mult[ch], s, lo, hi);
      }
    }
  };
};
