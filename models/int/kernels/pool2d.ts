/**
 * maxpool2d and avgpool2d over NCHW, window geometry as in window2d.ts. Inputs: x [N, C, H, W].
 *
 * maxpool2d: y = min(max(lo, max over the valid taps of x), hi). Padding is −∞ (invalid taps are skipped);
 *   a window with no valid tap gives lo (with lo ≤ hi). No rescaling: y has x's scale.
 * avgpool2d: y = clamp32(requant(S, mults[n], shift), lo, hi) with S = add32 of x over the valid taps and
 *   n = kh·kw when countIncludePad, else the number of valid taps (0 for a window wholly in padding, where
 *   S = 0 and so y = clamp32(0, lo, hi)). `mults` has kh·kw + 1 entries, mults[n]/2^shift ≈ scale_x/(n·scale_y):
 *   the division by the count and the change of scale are one rounding (rshr: ties toward +∞).
 *
 * Lowering: the window walker (window2d.ts) over N·C planes. maxpool: LI lo, then LOAD + MAX per valid tap.
 * avgpool: the multiplier of the (row, column run)'s count set once per run, then one MAC per valid tap against
 * a register holding 1, then RQ.
 */
import { asm } from '../../../vm/isa.ts';
import { add32, clamp32, requant } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import type { IntAttrs } from '../graph.ts';
import type { NodeLayout } from '../layout.ts';
import { KernelShapeError, type IntKernel, type KernelCall } from './kernel.ts';
import { checkProgramSize, emitRect, planeOrigin, rectTaps, walkPlane, windowGeometry, type Geometry, type Rect } from './window2d.ts';

type PoolOp = 'maxpool2d' | 'avgpool2d';

function poolGeometry<K extends PoolOp>(op: K, attrs: IntAttrs[K], inputDims: number[][]): Geometry {
  if (inputDims.length !== 1) throw new KernelShapeError(op, `takes one input, got ${inputDims.length}`);
  const geo = windowGeometry(op, attrs, inputDims[0]);
  if (op === 'avgpool2d') {
    const { mults, shift } = attrs as IntAttrs['avgpool2d'];
    if (mults.length !== geo.kh * geo.kw + 1 || !mults.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31)) {
      throw new KernelShapeError(op, `mults must be ${geo.kh * geo.kw + 1} int32 values (one per window count 0..kh·kw), got ${mults.length}`);
    }
    if (!Number.isInteger(shift) || shift < 0 || shift > 63) throw new KernelShapeError(op, `shift ${shift} must be in [0, 63]`);
  }
  return geo;
}

/** The reference of both pools: `reduce(values of the valid taps, n)` per output position. */
function poolReference(geo: Geometry, x: Int32Array, reduce: (taps: number[]) => number): Int32Array {
  const { n, c, h, w, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw } = geo;
  const y = new Int32Array(n * c * oh * ow);
  let o = 0;
  const taps: number[] = [];
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let yo = 0; yo < oh; yo++) {
      for (let xo = 0; xo < ow; xo++) {
        taps.length = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = yo * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = xo * sw - pl + kx * dw;
            if (ix < 0 || ix >= w) continue;
            taps.push(x[base + iy * w + ix]);
          }
        }
        y[o++] = reduce(taps);
      }
    }
  }
  return y;
}

/** Common lowering frame: walk every plane; `body` takes its registers and returns the per-position code. */
function lowerPool(
  op: PoolOp,
  geo: Geometry,
  layout: Pick<NodeLayout, 'inputs' | 'output'>,
  body: (g: Codegen, px: number, py: number) => { position: (rect: Rect) => void; beforeRun?: (rect: Rect) => void },
): Codegen {
  const g = new Codegen();
  const px = g.reg();
  const py = g.reg();
  g.li(px, planeOrigin(geo, layout.inputs[0]));
  g.li(py, layout.output);
  const { position, beforeRun } = body(g, px, py);
  g.repeat(geo.n * geo.c, () => {
    walkPlane(g, geo, px, py, position, beforeRun);
    const next = geo.h * geo.w - geo.oh * geo.sh * geo.w;
    if (next !== 0) g.addi(px, px, next);
  });
  g.halt();
  checkProgramSize(op, g.code.length);
  return g;
}

function lowerMax(call: Pick<KernelCall<'maxpool2d'>, 'attrs' | 'inputDims'>, layout: Pick<NodeLayout, 'inputs' | 'output'>): Codegen {
  const geo = poolGeometry('maxpool2d', call.attrs, call.inputDims);
  const { lo, hi } = call.attrs;
  return lowerPool('maxpool2d', geo, layout, (g, px, py) => {
    const acc = g.reg();
    const t = g.reg();
    return {
      position(rect) {
        g.li(acc, lo);
        emitRect(g, geo, rect, px, 0, (xOff) => g.emit(asm.LOAD(t, px, xOff), asm.alu('MAX', acc, acc, t)));
        g.emit(asm.alu('MIN', acc, acc, 0, hi), asm.STORE(py, acc, 0));
      },
    };
  });
}

function lowerAvg(call: Pick<KernelCall<'avgpool2d'>, 'attrs' | 'inputDims'>, layout: Pick<NodeLayout, 'inputs' | 'output'>): Codegen {
  const geo = poolGeometry('avgpool2d', call.attrs, call.inputDims);
  const { lo, hi, mults, shift, countIncludePad } = call.attrs;
  return lowerPool('avgpool2d', geo, layout, (g, px, py) => {
    const acc = g.reg();
    const one = g.reg();
    const mult = g.reg();
    g.li(one, 1);
    if (countIncludePad) g.li(mult, mults[geo.kh * geo.kw]);
    return {
      beforeRun(rect) {
        if (!countIncludePad) g.li(mult, mults[rectTaps(rect)]);
      },
      position(rect) {
        g.li(acc, 0);
        emitRect(g, geo, rect, px, 0, (xOff) => g.emit(asm.MAC(acc, one, px, xOff)));
        g.emit(asm.RQ(acc, acc, mult, shift), asm.alu('MAX', acc, acc, 0, lo), asm.alu('MIN', acc, acc, 0, hi), asm.STORE(py, acc, 0));
      },
    };
  });
}

const DUMMY = { inputs: [0], output: 0 };

export const maxpool2d: IntKernel<'maxpool2d'> = {
  outputDims(attrs, inputDims) {
    const geo = poolGeometry('maxpool2d', attrs, inputDims);
    lowerMax({ attrs, inputDims }, DUMMY);
    return [geo.n, geo.c, geo.oh, geo.ow];
  },
  execute(call, [x]) {
    const { lo, hi } = call.attrs;
    return poolReference(poolGeometry('maxpool2d', call.attrs, call.inputDims), x, (taps) => {
      let m = lo;
      for (const v of taps) m = Math.max(m, v);
      return Math.min(m, hi);
    });
  },
  lower: (call, layout) => lowerMax(call, layout).code,
};

export const avgpool2d: IntKernel<'avgpool2d'> = {
  outputDims(attrs, inputDims) {
    const geo = poolGeometry('avgpool2d', attrs, inputDims);
    lowerAvg({ attrs, inputDims }, DUMMY);
    return [geo.n, geo.c, geo.oh, geo.ow];
  },
  execute(call, [x]) {
    const { lo, hi, mults, shift, countIncludePad } = call.attrs;
    const geo = poolGeometry('avgpool2d', call.attrs, call.inputDims);
    return poolReference(geo, x, (taps) => {
      let s = 0;
      for (const v of taps) s = add32(s, v);
      const count = countIncludePad ? geo.kh * geo.kw : taps.length;
      return clamp32(requant(s, mults[count], shift), lo, hi);
    });
  },
  lower: (call, layout) => lowerAvg(call, layout).code,
};
