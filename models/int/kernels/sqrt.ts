/**
 * sqrt, elementwise. Inputs: x.
 *   y = clamp32(requant(isqrt32(requant(x, mult, shift)), 1, frac), lo, hi)
 * i.e. u = x rescaled to (output units)² · 4^frac, then ⌊√u⌋ / 2^frac rounded (ties up). The quantizer sets
 * mult/2^shift ≈ 4^frac · scale_x / scale_y². Negative x gives 0.
 */
import { asm } from '../../../vm/isa.ts';
import { clamp32, isqrt32, requant } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import type { IntKernel } from './kernel.ts';
import { emitPass } from './normLoops.ts';

export const sqrt: IntKernel<'sqrt'> = {
  outputDims: (_attrs, [x]) => [...x],

  execute({ attrs: { mult, shift, frac, lo, hi } }, [x]) {
    return x.map((v) => clamp32(requant(isqrt32(requant(v, mult, shift)), 1, frac), lo, hi));
  },

  lower({ attrs: { mult, shift, frac, lo, hi }, inputDims: [x] }, layout) {
    const g = new Codegen();
    const p = g.reg();
    const v = g.reg();
    const rm = g.reg();
    const one = g.reg();
    const delta = layout.output - layout.inputs[0];
    g.li(p, layout.inputs[0]);
    g.li(rm, mult);
    g.li(one, 1);
    emitPass(g, elementCount(x), [{ reg: p, stride: 1 }], ([k]) =>
      g.emit(
        asm.LOAD(v, p, k),
        asm.RQ(v, v, rm, shift),
        asm.alu('ISQRT', v, v, 0),
        asm.RQ(v, v, one, frac),
        asm.alu('MAX', v, v, 0, lo),
        asm.alu('MIN', v, v, 0, hi),
        asm.STORE(p, v, k + delta),
      ),
    );
    return g.halt();
  },
};
