/**
 * transpose: y[i_0, …, i_{r-1}] = x[j] where j_{perm[a]} = i_a (ONNX Transpose). Inputs: x. Words move
 * unchanged (any bit width, any scale).
 * Lowering: output axes become nested static loops over (size, source stride) pairs; size-1 axes are dropped
 * and output axes that stay contiguous in x are merged first, so any rank works as long as at most
 * MAX_LEVELS loop levels remain (an identity perm is one run). The innermost level is an unrolled run.
 */
import { stridesOf } from '../../shape.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel } from './kernel.ts';
import { emitRun } from './runs.ts';

/** Loop levels the lowering can hold in registers (2 per level + 2 ≤ 15). */
const MAX_LEVELS = 6;

function checkPerm(perm: readonly number[], x: readonly number[]): void {
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== x.length || sorted.some((p, i) => p !== i)) {
    throw new KernelShapeError('transpose', `perm [${perm}] is not a permutation of the ${x.length} axes of [${x}]`);
  }
}


interface Level {
  size: number;
  /** words of x between consecutive indices of this output axis */
  stride: number;
}

/** The output axes as (size, x stride) loop levels, size-1 axes dropped and contiguous neighbours merged. */
export function transposeLevels(perm: readonly number[], x: readonly number[]): Level[] {
  const xs = stridesOf(x);
  const levels: Level[] = [];
  for (const p of perm) {
    if (x[p] === 1) continue;
    const last = levels.at(-1);
    if (last && last.stride === x[p] * xs[p]) {
      last.size *= x[p];
      last.stride = xs[p];
    } else {
      levels.push({ size: x[p], stride: xs[p] });
    }
  }
  return levels.length > 0 ? levels : [{ size: 1, stride: 1 }];
}

/** The input index each output word of a transpose reads: an odometer over the output coordinates. */
export function transposeSources(perm: readonly number[], xDims: readonly number[]): Int32Array {
  const rank = perm.length;
  const xs = stridesOf(xDims);
  const outDims = perm.map((p) => xDims[p]);
  const idx = new Int32Array(outDims.reduce((a, b) => a * b, 1));
  const coord = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < idx.length; o++) {
    idx[o] = src;
    // src = Σ_a coord[a] · xs[perm[a]]
    for (let a = rank - 1; a >= 0; a--) {
      coord[a]++;
      src += xs[perm[a]];
      if (coord[a] < outDims[a]) break;
      src -= coord[a] * xs[perm[a]];
      coord[a] = 0;
    }
  }
  return idx;
}

export const transpose: IntKernel<'transpose'> = {
  outputDims({ perm }, [x]) {
    checkPerm(perm, x);
    const levels = transposeLevels(perm, x);
    if (levels.length > MAX_LEVELS) {
      throw new KernelShapeError('transpose', `perm [${perm}] of [${x}] needs ${levels.length} loop levels, more than ${MAX_LEVELS}`);
    }
    return perm.map((p) => x[p]);
  },

  execute({ attrs: { perm }, inputDims: [xDims] }, [x]) {
    const src = transposeSources(perm, xDims);
    const y = new Int32Array(x.length);
    for (let o = 0; o < y.length; o++) y[o] = x[src[o]];
    return y;
  },

  lower({ attrs: { perm }, inputDims: [xDims] }, layout) {
    const levels = transposeLevels(perm, xDims);
    const g = new Codegen();
    const ptr = levels.map(() => g.reg());
    const py = g.reg();
    const v = g.reg();
    g.li(ptr[0], layout.inputs[0]);
    g.li(py, layout.output);
    const level = (a: number): void => {
      const { size, stride } = levels[a];
      if (a === levels.length - 1) {
        emitRun(g, size, ptr[a], stride, py, v);
        return;
      }
      g.repeat(size, () => {
        g.addi(ptr[a + 1], ptr[a], 0);
        level(a + 1);
        g.addi(ptr[a], ptr[a], stride);
      });
    };
    if (elementCount(xDims) > 0) level(0);
    return g.halt();
  },
};
