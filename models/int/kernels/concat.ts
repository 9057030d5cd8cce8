/**
 * concat: y = the inputs joined along `axis` (ONNX Concat), each word of input i rescaled to the output scale:
 *   y[…, o_i + j, …] = clamp32(requant(x_i[…, j, …], mults[i], shifts[i]), lo, hi)
 * where o_i is the sum of the earlier inputs' extents along `axis`. Inputs: x_0 … x_{n-1} (n = mults.length ≥ 1,
 * same dims outside `axis`). A pair (2^30, 30) is the exact identity (requant(x, 2^30, 30) = x for every
 * int32 x), and lo = -2^31, hi = 2^31 - 1 make the clamp the identity: inputs that already share the output
 * scale move unchanged.
 * Lowering: for each of the prod(dims[0, axis)) outer rows, one unrolled run per input (2 steps per moved word,
 * + 1 for RQ unless the pair is the identity, + 1 each for MAX/MIN unless lo/hi are the int32 bounds).
 */
import { asm } from '../../../vm/isa.ts';
import { clamp32, INT32_MAX, INT32_MIN, requant } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel, type KernelCall } from './kernel.ts';
import { emitRun } from './runs.ts';

/** The (mult, shift) pair that requant maps to the identity. */
export const IDENTITY_REQUANT = { mult: 2 ** 30, shift: 30 } as const;

function geometry({ attrs, inputDims }: Pick<KernelCall<'concat'>, 'attrs' | 'inputDims'>): { outer: number; chunks: number[]; dims: number[] } {
  const { axis, mults, shifts } = attrs;
  if (inputDims.length < 1) throw new KernelShapeError('concat', 'needs at least one input');
  if (mults.length !== inputDims.length || shifts.length !== inputDims.length) {
    throw new KernelShapeError('concat', `${inputDims.length} inputs but ${mults.length} multipliers and ${shifts.length} shifts`);
  }
  const first = inputDims[0];
  if (!Number.isInteger(axis) || axis < 0 || axis >= first.length) throw new KernelShapeError('concat', `axis ${axis} is out of range for [${first}]`);
  const dims = [...first];
  for (const d of inputDims.slice(1)) {
    if (d.length !== first.length || d.some((v, i) => i !== axis && v !== first[i])) {
      throw new KernelShapeError('concat', `input [${d}] does not match [${first}] outside axis ${axis}`);
    }
    dims[axis] += d[axis];
  }
  const outer = elementCount(first.slice(0, axis));
  return { outer, chunks: inputDims.map((d) => elementCount(d.slice(axis))), dims };
}

export const concat: IntKernel<'concat'> = {
  outputDims(attrs, inputDims) {
    return geometry({ attrs, inputDims }).dims;
  },

  execute(call, xs) {
    const { outer, chunks } = geometry(call);
    const { mults, shifts, lo, hi } = call.attrs;
    const y = new Int32Array(outer * chunks.reduce((a, b) => a + b, 0));
    let o = 0;
    for (let r = 0; r < outer; r++) {
      xs.forEach((x, i) => {
        for (let j = 0; j < chunks[i]; j++) y[o++] = clamp32(requant(x[r * chunks[i] + j], mults[i], shifts[i]), lo, hi);
      });
    }
    return y;
  },

  lower(call, layout) {
    const { outer, chunks } = geometry(call);
    const { mults, shifts, lo, hi } = call.attrs;
    const g = new Codegen();
    const py = g.reg(); // next output word
    const row = g.reg(); // r, the outer row
    const p = g.reg(); // source pointer of the current run
    const m = g.reg(); // multiplier of the current input
    const v = g.reg();
    g.li(py, layout.output);
    g.li(row, 0);
    g.repeat(outer, () => {
      chunks.forEach((chunk, i) => {
        if (chunk === 0) return;
        const identity = mults[i] === IDENTITY_REQUANT.mult && (shifts[i] & 63) === IDENTITY_REQUANT.shift;
        g.emit(asm.alu('MUL', p, row, 0, chunk));
        g.addi(p, p, layout.inputs[i]);
        if (!identity) g.li(m, mults[i]);
        emitRun(g, chunk, p, 1, py, v, (w) => {
          if (!identity) g.emit(asm.RQ(w, w, m, shifts[i]));
          if (lo !== INT32_MIN) g.emit(asm.alu('MAX', w, w, 0, lo));
          if (hi !== INT32_MAX) g.emit(asm.alu('MIN', w, w, 0, hi));
        });
      });
      g.addi(row, row, 1);
    });
    return g.halt();
  },
};
