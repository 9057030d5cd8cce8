/** clamp: y = clamp32(x, lo, hi) elementwise (ReLU is clamp(x, 0, 127) at the input's scale). Inputs: x. */
import { asm } from '../../../vm/isa.ts';
import { clamp32 } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import type { IntKernel } from './kernel.ts';

export const clamp: IntKernel<'clamp'> = {
  outputDims: (_attrs, [x]) => x,

  execute({ attrs }, [x]) {
    return x.map((v) => clamp32(v, attrs.lo, attrs.hi));
  },

  lower({ attrs, inputDims }, layout) {
    const g = new Codegen();
    const p = g.reg();
    const v = g.reg();
    const delta = layout.output - layout.inputs[0];
    g.li(p, layout.inputs[0]);
    g.repeat(elementCount(inputDims[0]), () => {
      g.emit(asm.LOAD(v, p, 0), asm.alu('MAX', v, v, 0, attrs.lo), asm.alu('MIN', v, v, 0, attrs.hi), asm.STORE(p, v, delta));
      g.addi(p, p, 1);
    });
    return g.halt();
  },
};
