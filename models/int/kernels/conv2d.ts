/**
 * conv2d: 2-D convolution over NCHW with groups (depthwise when group = C), per-output-channel requantization.
 *   y[b,m,oh,ow] = clamp32(requant(acc, mult[m], shift), lo, hi),
 *   acc = add32 over the valid taps (window2d.ts) and ic ∈ [0, C/group) of
 *         mul32(x[b, g·C/group + ic, iy, ix], w[m, ic, ky, kx]), starting from bias[m], with g = ⌊m / (M/group)⌋.
 * Inputs: x [N, C, H, W] (int8 words), w [M, C/group, kh, kw], bias [M] (int32), mult [M] (int32).
 * Padding contributes nothing (invalid taps are skipped). Sums wrap, so any order gives the same bits.
 *
 * Lowering: loops b → group → output channel (its multiplier in a register, bias loaded per position) →
 * the window walker's row and column runs; per position every valid tap of U input channels is unrolled
 * (LOAD + MAC: 2 steps per product), U the largest divisor of C/group with U·kh·kw ≤ MAX_UNROLL_TAPS, and
 * a loop runs over the C/(group·U) channel blocks.
 */
import { asm } from '../../../vm/isa.ts';
import { add32, clamp32, mul32, requant } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import type { NodeLayout } from '../layout.ts';
import { KernelShapeError, type IntKernel, type KernelCall } from './kernel.ts';
import { checkProgramSize, emitRect, MAX_UNROLL_TAPS, planeOrigin, rectTaps, walkPlane, windowGeometry, type Geometry } from './window2d.ts';

interface ConvGeometry extends Geometry {
  m: number;
  group: number;
  /** input channels per group */
  cg: number;
  /** output channels per group */
  mg: number;
}

export function convGeometry({ attrs, inputDims }: Pick<KernelCall<'conv2d'>, 'attrs' | 'inputDims'>): ConvGeometry {
  const [x, w, bias, mult] = inputDims;
  const geo = windowGeometry('conv2d', attrs, x);
  if (w?.length !== 4) throw new KernelShapeError('conv2d', `weight must be [M, C/group, kh, kw], got [${w}]`);
  const [m, cg, kh, kw] = w;
  const group = attrs.group;
  if (!Number.isInteger(group) || group < 1 || geo.c % group !== 0 || m % group !== 0 || cg !== geo.c / group) {
    throw new KernelShapeError('conv2d', `group ${group} does not fit input [${x}] and weight [${w}]`);
  }
  if (kh !== geo.kh || kw !== geo.kw) throw new KernelShapeError('conv2d', `weight [${w}] disagrees with kernel [${attrs.kernel}]`);
  if (bias?.length !== 1 || bias[0] !== m || mult?.length !== 1 || mult[0] !== m) {
    throw new KernelShapeError('conv2d', `bias and mult must be [${m}], got [${bias}] and [${mult}]`);
  }
  return { ...geo, m, group, cg, mg: m / group };
}

/** Input channels unrolled per block: the largest divisor of cg with U·kh·kw ≤ MAX_UNROLL_TAPS (at least 1). */
export function channelBlock(cg: number, kk: number): number {
  for (let u = Math.min(cg, Math.floor(MAX_UNROLL_TAPS / kk)); u > 1; u--) if (cg % u === 0) return u;
  return 1;
}

function emit(call: Pick<KernelCall<'conv2d'>, 'attrs' | 'inputDims'>, layout: Pick<NodeLayout, 'inputs' | 'output'>): Codegen {
  const geo = convGeometry(call);
  const { shift, lo, hi } = call.attrs;
  const [xBase, wBase, biasBase, multBase] = layout.inputs;
  const hw = geo.h * geo.w;
  const kk = geo.kh * geo.kw;
  const u = channelBlock(geo.cg, kk);
  const blocks = geo.cg / u;
  const g = new Codegen();
  const px = g.reg(); // window origin in the current input plane (group's first channel)
  const py = g.reg(); // next output word
  const pw = g.reg(); // w[m, 0, 0, 0]
  const pj = g.reg(); // m
  const mult = g.reg();
  const acc = g.reg();
  const t = g.reg();
  g.li(px, planeOrigin(geo, xBase));
  g.li(py, layout.output);
  g.li(pw, wBase);
  g.li(pj, 0);
  const position = (rect: { ky0: number; ky1: number; kx0: number; kx1: number }) => {
    g.emit(asm.LOAD(acc, pj, biasBase));
    if (rectTaps(rect) > 0) {
      g.repeat(blocks, () => {
        for (let ic = 0; ic < u; ic++) {
          emitRect(g, geo, rect, px, ic * hw, (xOff, k) => g.emit(asm.LOAD(t, px, xOff), asm.MAC(acc, t, pw, ic * kk + k)), [{ reg: pw, perRow: geo.kw }]);
        }
        if (blocks > 1) {
          g.addi(px, px, u * hw);
          g.addi(pw, pw, u * kk);
        }
      });
      if (blocks > 1) {
        g.addi(px, px, -geo.cg * hw);
        g.addi(pw, pw, -geo.cg * kk);
      }
    }
    g.emit(asm.RQ(acc, acc, mult, shift), asm.alu('MAX', acc, acc, 0, lo), asm.alu('MIN', acc, acc, 0, hi), asm.STORE(py, acc, 0));
  };
  g.repeat(geo.n, () => {
    g.repeat(geo.group, () => {
      g.repeat(geo.mg, () => {
        g.emit(asm.LOAD(mult, pj, multBase));
        walkPlane(g, geo, px, py, position);
        g.addi(px, px, -geo.oh * geo.sh * geo.w);
        g.addi(pw, pw, geo.cg * kk);
        g.addi(pj, pj, 1);
      });
      g.addi(px, px, geo.cg * hw);
    });
    g.addi(pw, pw, -geo.m * geo.cg * kk);
    g.addi(pj, pj, -geo.m);
  });
  g.halt();
  return g;
}

export const conv2d: IntKernel<'conv2d'> = {
  outputDims(attrs, inputDims) {
    const geo = convGeometry({ attrs, inputDims });
    checkProgramSize('conv2d', emit({ attrs, inputDims }, { inputs: [0, 0, 0, 0], output: 0 }).code.length);
    return [geo.n, geo.m, geo.oh, geo.ow];
  },

  execute(call, [x, w, bias, mult]) {
    const geo = convGeometry(call);
    const { n, c, h, w: wid, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw, m, cg, mg } = geo;
    const { shift, lo, hi } = call.attrs;
    const y = new Int32Array(n * m * oh * ow);
    // One output plane at a time, one filter tap at a time across the plane: each update is
    // add32(acc, mul32(x, w)) (Int32Array stores wrap) and sums are order-free, so the bits are those of the
    // per-output definition: acc = bias + Σ over in-plane taps.
    const acc = new Int32Array(oh * ow);
    for (let b = 0; b < n; b++) {
      for (let oc = 0; oc < m; oc++) {
        const grp = Math.floor(oc / mg);
        acc.fill(bias[oc]);
        for (let ic = 0; ic < cg; ic++) {
          const plane = (b * c + grp * cg + ic) * h * wid;
          const filter = (oc * cg + ic) * kh * kw;
          for (let ky = 0; ky < kh; ky++) {
            for (let kx = 0; kx < kw; kx++) {
              const wv = w[filter + ky * kw + kx];
              if (wv === 0) continue;
              // Output columns whose tap ix = xo·sw − pl + kx·dw lies inside the row.
              const xoFirst = Math.max(0, Math.ceil((pl - kx * dw) / sw));
              const xoLast = Math.min(ow - 1, Math.floor((wid - 1 + pl - kx * dw) / sw));
              for (let yo = 0; yo < oh; yo++) {
                const iy = yo * sh - pt + ky * dh;
                if (iy < 0 || iy >= h) continue;
                const row = plane + iy * wid - pl + kx * dw;
                const out = yo * ow;
                for (let xo = xoFirst; xo <= xoLast; xo++) acc[out + xo] += Math.imul(x[row + xo * sw], wv);
              }
            }
          }
        }
        const base = (b * m + oc) * oh * ow;
        for (let i = 0; i < oh * ow; i++) y[base + i] = clamp32(requant(acc[i], mult[oc], shift), lo, hi);
      }
    }
    return y;
  },

  lower(call, layout) {
    return emit(call, layout).code;
  },
};
