/** copy: y = x, word for word, under new dims (Reshape, Flatten). Inputs: x. */
import { asm } from '../../../vm/isa.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel } from './kernel.ts';

export const copy: IntKernel<'copy'> = {
  outputDims({ dims }, [x]) {
    if (elementCount(dims) !== elementCount(x)) throw new KernelShapeError('copy', `cannot view [${x}] as [${dims}]`);
    return dims;
  },

  execute(_call, [x]) {
    return Int32Array.from(x);
  },

  lower({ inputDims }, layout) {
    const g = new Codegen();
    const p = g.reg();
    const v = g.reg();
    g.li(p, layout.inputs[0]);
    g.repeat(elementCount(inputDims[0]), () => {
      g.emit(asm.LOAD(v, p, 0), asm.STORE(p, v, layout.output - layout.inputs[0]));
      g.addi(p, p, 1);
    });
    return g.halt();
  },
};
