/**
 * softmax along `axis`, with an exp lookup table. Inputs: x (any int32 words), table [L] (L ≥ 1).
 * For every row (the elements that differ only in their `axis` coordinate):
 *   m   = max_i x_i
 *   t_i = clamp32(requant(sub32(x_i, m), mult, shift), -(L-1), 0)      (the difference on the table's grid)
 *   e_i = table[-t_i]                                                   (≈ 2^E · exp(t_i · δ))
 *   S   = Σ e_i (add32)
 *   y_i = div32(add32(mul32(e_i, one), sra32(S, 1)), S)                (≈ round(one · e_i / S))
 * The quantizer makes table[k] = round(2^E · exp(-k·δ)) and mult/2^shift ≈ scale_x / δ, so y ≈ one · softmax(x).
 * Lowering: three unrolled passes per row (max; exp + sum, e_i parked in the output region; normalize).
 */
import { asm } from '../../../vm/isa.ts';
import { INT32_MIN, add32, clamp32, div32, mul32, requant, sra32, sub32 } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel } from './kernel.ts';
import { emitPass } from './normLoops.ts';

interface Rows {
  outer: number;
  len: number;
  inner: number;
  table: number;
}

export function softmaxRows(axis: number, [x, table]: number[][]): Rows {
  if (!table) throw new KernelShapeError('softmax', 'needs inputs x and table');
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.length) throw new KernelShapeError('softmax', `axis ${axis} is out of range for [${x}]`);
  if (table.length !== 1 || table[0] < 1) throw new KernelShapeError('softmax', `table must be a non-empty vector, got [${table}]`);
  return { outer: elementCount(x.slice(0, axis)), len: x[axis], inner: elementCount(x.slice(axis + 1)), table: table[0] };
}

export const softmax: IntKernel<'softmax'> = {
  outputDims({ axis }, inputDims) {
    softmaxRows(axis, inputDims);
    return [...inputDims[0]];
  },

  execute({ attrs, inputDims }, [x, table]) {
    const { mult, shift, one } = attrs;
    const { outer, len, inner, table: L } = softmaxRows(attrs.axis, inputDims);
    const y = new Int32Array(x.length);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        const base = o * len * inner + j;
        let m = INT32_MIN;
        for (let i = 0; i < len; i++) m = Math.max(m, x[base + i * inner]);
        let sum = 0;
        for (let i = 0; i < len; i++) {
          const t = clamp32(requant(sub32(x[base + i * inner], m), mult, shift), -(L - 1), 0);
          const e = table[sub32(0, t)];
          y[base + i * inner] = e;
          sum = add32(sum, e);
        }
        const half = sra32(sum, 1);
        for (let i = 0; i < len; i++) y[base + i * inner] = div32(add32(mul32(y[base + i * inner], one), half), sum);
      }
    }
    return y;
  },

  lower({ attrs, inputDims }, layout) {
    const { mult, shift, one } = attrs;
    const { outer, len, inner, table: L } = softmaxRows(attrs.axis, inputDims);
    const [xBase, tableBase] = layout.inputs;
    const delta = layout.output - xBase;
    const g = new Codegen();
    const px = g.reg(); // x[o, 0, j]
    const m = g.reg();
    const sum = g.reg();
    const half = g.reg();
    const v = g.reg();
    const rm = g.reg();
    g.li(px, xBase);
    g.li(rm, mult);
    const row = [{ reg: px, stride: inner }];
    g.repeat(outer, () => {
      g.repeat(inner, () => {
        g.li(m, INT32_MIN);
        emitPass(g, len, row, ([k]) => g.emit(asm.LOAD(v, px, k), asm.alu('MAX', m, m, v)));
        g.li(sum, 0);
        emitPass(g, len, row, ([k]) =>
          g.emit(
            asm.LOAD(v, px, k),
            asm.alu('SUB', v, v, m),
            asm.RQ(v, v, rm, shift),
            asm.alu('MAX', v, v, 0, -(L - 1)),
            asm.alu('MIN', v, v, 0, 0),
            asm.alu('SUB', v, 0, v),
            asm.LOAD(v, v, tableBase),
            asm.alu('ADD', sum, sum, v),
            asm.STORE(px, v, k + delta),
          ),
        );
        g.emit(asm.alu('SRA', half, sum, 0, 1));
        emitPass(g, len, row, ([k]) =>
          g.emit(
            asm.LOAD(v, px, k + delta),
            asm.alu('MUL', v, v, 0, one),
            asm.alu('ADD', v, v, half),
            asm.alu('DIV', v, v, sum),
            asm.STORE(px, v, k + delta),
          ),
        );
        g.addi(px, px, 1);
      });
      g.addi(px, px, len * inner - inner);
    });
    return g.halt();
  },
};
