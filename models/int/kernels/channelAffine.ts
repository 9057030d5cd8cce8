/**
 * channelAffine: a per-channel affine map (BatchNormalization at inference), channels on axis 1.
 *   y[b,c,i] = clamp32(requant(add32(mul32(x[b,c,i], w[c]), bias[c]), mult[c], shift), lo, hi)
 * Inputs: x [N, C, ...], w [C] (int32 per-channel factor, sign included), bias [C] (int32, at scale
 * scale_x·scale_w[c]), mult [C] (int32). Lowering: per channel its three parameters in registers, then
 * LOAD, MUL, ADD, RQ, MAX, MIN, STORE per element.
 */
import { asm } from '../../../vm/isa.ts';
import { add32, clamp32, mul32, requant } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel } from './kernel.ts';

function geometry(inputDims: number[][]): { n: number; c: number; inner: number } {
  const [x, w, bias, mult] = inputDims;
  if (!x || x.length < 2) throw new KernelShapeError('channelAffine', `input must have rank ≥ 2 (N, C, ...), got [${x}]`);
  const c = x[1];
  for (const [name, d] of [['w', w], ['bias', bias], ['mult', mult]] as const) {
    if (d?.length !== 1 || d[0] !== c) throw new KernelShapeError('channelAffine', `${name} must be [${c}], got [${d}]`);
  }
  return { n: x[0], c, inner: elementCount(x.slice(2)) };
}

export const channelAffine: IntKernel<'channelAffine'> = {
  outputDims(_attrs, inputDims) {
    geometry(inputDims);
    return [...inputDims[0]];
  },

  execute(call, [x, w, bias, mult]) {
    const { n, c, inner } = geometry(call.inputDims);
    const { shift, lo, hi } = call.attrs;
    const y = new Int32Array(x.length);
    for (let b = 0; b < n; b++) {
      for (let ch = 0; ch < c; ch++) {
        const base = (b * c + ch) * inner;
        for (let i = 0; i < inner; i++) y[base + i] = clamp32(requant(add32(mul32(x[base + i], w[ch]), bias[ch]), mult[ch], shift), lo, hi);
      }
    }
    return y;
  },

  lower(call, layout) {
    const { n, c, inner } = geometry(call.inputDims);
    const { shift, lo, hi } = call.attrs;
    const [xBase, wBase, biasBase, multBase] = layout.inputs;
    const g = new Codegen();
    const p = g.reg();
    const pc = g.reg();
    const q = g.reg();
    const off = g.reg();
    const m = g.reg();
    const v = g.reg();
    const delta = layout.output - xBase;
    g.li(p, xBase);
    g.li(pc, 0);
    g.repeat(n, () => {
      g.repeat(c, () => {
        g.emit(asm.LOAD(q, pc, wBase), asm.LOAD(off, pc, biasBase), asm.LOAD(m, pc, multBase));
        g.repeat(inner, () => {
          g.emit(
            asm.LOAD(v, p, 0),
            asm.alu('MUL', v, v, q),
            asm.alu('ADD', v, v, off),
            asm.RQ(v, v, m, shift),
            asm.alu('MAX', v, v, 0, lo),
            asm.alu('MIN', v, v, 0, hi),
            asm.STORE(p, v, delta),
          );
          g.addi(p, p, 1);
        });
        g.addi(pc, pc, 1);
      });
      g.addi(pc, pc, -c);
    });
    return g.halt();
  },
};
