/**
 * gather: ONNX Gather along `axis` with a total index rule. Inputs: data [A…, len, B…], indices [I…] (int
 * words, e.g. token ids at scale 1). Output [A…, I…, B…]:
 *   y[a, k, b] = data[a, idx(indices[k]), b]
 *   idx(t) = clamp32(add32(t, mul32(t < 0 ? 1 : 0, len)), 0, len - 1)
 * i.e. a negative index counts from the end once (ONNX), and whatever is still out of range is clamped to the
 * first or last entry. So every index word, valid or not, selects exactly one row: the VM never traps and its
 * step count depends on shapes only (the row address is data, the trip counts are not).
 * Words of data move unchanged (the output has data's scale).
 * Lowering, per (a, k): LOAD, SLT, MUL, ADD, MAX, MIN, MUL, ADD (8 steps) for the row address, then an
 * unrolled run of prod(B…) words (2 steps each).
 */
import { asm } from '../../../vm/isa.ts';
import { add32, clamp32, mul32 } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel } from './kernel.ts';
import { emitRun } from './runs.ts';

interface Geometry {
  outer: number;
  len: number;
  inner: number;
  count: number;
}

function geometry(axis: number, [data, indices]: number[][]): Geometry {
  if (!Number.isInteger(axis) || axis < 0 || axis >= data.length) throw new KernelShapeError('gather', `axis ${axis} is out of range for data [${data}]`);
  const len = data[axis];
  if (len < 1) throw new KernelShapeError('gather', `axis ${axis} of data [${data}] is empty: no entry to select`);
  return { outer: elementCount(data.slice(0, axis)), len, inner: elementCount(data.slice(axis + 1)), count: elementCount(indices) };
}

/** The entry an index word selects along an axis of `len` entries (see the file comment). */
export function gatherIndex(t: number, len: number): number {
  return clamp32(add32(t, mul32(t < 0 ? 1 : 0, len)), 0, len - 1);
}

export const gather: IntKernel<'gather'> = {
  outputDims({ axis }, inputDims) {
    if (inputDims.length !== 2) throw new KernelShapeError('gather', `takes data and indices, got ${inputDims.length} inputs`);
    geometry(axis, inputDims);
    const [data, indices] = inputDims;
    return [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
  },

  execute({ attrs: { axis }, inputDims }, [data, indices]) {
    const { outer, len, inner, count } = geometry(axis, inputDims);
    const y = new Int32Array(outer * count * inner);
    let o = 0;
    for (let a = 0; a < outer; a++) {
      for (let k = 0; k < count; k++) {
        const start = (a * len + gatherIndex(indices[k], len)) * inner;
        for (let b = 0; b < inner; b++) y[o++] = data[start + b];
      }
    }
    return y;
  },

  lower({ attrs: { axis }, inputDims }, layout) {
    const { outer, len, inner, count } = geometry(axis, inputDims);
    const [dataBase, indexBase] = layout.inputs;
    const g = new Codegen();
    const py = g.reg(); // next output word
    const block = g.reg(); // data[a, 0, 0]
    const pi = g.reg(); // next index word
    const t = g.reg();
    const s = g.reg();
    const v = g.reg();
    g.li(py, layout.output);
    g.li(block, dataBase);
    if (inner > 0) {
      g.repeat(outer, () => {
        g.li(pi, indexBase);
        g.repeat(count, () => {
          g.emit(
            asm.LOAD(t, pi, 0),
            asm.alu('SLT', s, t, 0, 0), // s = t < 0
            asm.alu('MUL', s, s, 0, len), // s = (t < 0) · len
            asm.alu('ADD', t, t, s, 0),
            asm.alu('MAX', t, t, 0, 0),
            asm.alu('MIN', t, t, 0, len - 1),
            asm.alu('MUL', t, t, 0, inner),
            asm.alu('ADD', t, t, block, 0), // t = &data[a, idx, 0]
          );
          emitRun(g, inner, t, 1, py, v);
          g.addi(pi, pi, 1);
        });
        g.addi(block, block, len * inner);
      });
    }
    return g.halt();
  },
};
