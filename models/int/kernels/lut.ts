/**
 * lut: a 256-entry lookup table indexed by an int8 word, elementwise:
 *   y = table[clamp32(x, -128, 127) + 128]
 * Inputs: x (any dims), table [256] (int32 words). The clamp makes every input word a valid index, so the VM
 * never reads outside the table. The quantizer fills the table from the float function and the input and
 * output scales (models/quantize/ops/lookup.ts), so any unary function of an int8 activation is one lookup.
 * Lowering: LOAD, MAX, MIN, LOAD (table, the index register plus an immediate), STORE, ADDI, LOOP per element.
 */
import { asm } from '../../../vm/isa.ts';
import { clamp32 } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel } from './kernel.ts';

export const LUT_SIZE = 256;
/** table index of input word x (after the clamp): x + LUT_OFFSET */
export const LUT_OFFSET = 128;

export const lut: IntKernel<'lut'> = {
  outputDims(_attrs, inputDims) {
    if (inputDims.length !== 2) throw new KernelShapeError('lut', `needs inputs x and table, got ${inputDims.length} input(s)`);
    const [x, table] = inputDims;
    if (table.length !== 1 || table[0] !== LUT_SIZE) throw new KernelShapeError('lut', `table must have dims [${LUT_SIZE}], got [${table}]`);
    return [...x];
  },

  execute(_call, [x, table]) {
    return x.map((v) => table[clamp32(v, -128, 127) + LUT_OFFSET]);
  },

  lower({ inputDims }, layout) {
    const [xBase, tableBase] = layout.inputs;
    const g = new Codegen();
    const p = g.reg();
    const v = g.reg();
    g.li(p, xBase);
    g.repeat(elementCount(inputDims[0]), () => {
      g.emit(
        asm.LOAD(v, p, 0),
        asm.alu('MAX', v, v, 0, -128),
        asm.alu('MIN', v, v, 0, 127),
        asm.LOAD(v, v, tableBase + LUT_OFFSET),
        asm.STORE(p, v, layout.output - xBase),
      );
      g.addi(p, p, 1);
    });
    return g.halt();
  },
};
