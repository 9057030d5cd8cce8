/**
 * reducemean over `axes` (sorted, distinct, non-negative; keepdims keeps them as size 1). Inputs: x.
 *   y[o] = clamp32(requant(Σ_{x elements i that map to o} x_i (add32), mult, shift), lo, hi)
 * The quantizer sets mult/2^shift ≈ scale_x / (count · scale_y), count = elements per output. No axes: y is x
 * rescaled. The sum wraps (any order gives the same bits).
 * Lowering: size-1 axes dropped, neighbouring axes of the same kind (kept / reduced) merged; kept groups are
 * nested loops over the outputs, reduced groups nested loops inside them, the innermost one an unrolled pass.
 */
import { asm } from '../../../vm/isa.ts';
import { add32, clamp32, requant } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel } from './kernel.ts';
import { emitNest, emitPass, stridesOf, type Level } from './normLoops.ts';

/** Loop levels the lowering can hold in registers (one counter each, beside 8 working registers). */
const MAX_LEVELS = 7;

function checkAxes(axes: readonly number[], x: readonly number[]): void {
  axes.forEach((a, i) => {
    if (!Number.isInteger(a) || a < 0 || a >= x.length || (i > 0 && a <= axes[i - 1])) {
      throw new KernelShapeError('reducemean', `axes [${axes}] must be sorted, distinct axes of [${x}]`);
    }
  });
}

/** Kept and reduced loop levels over x, size-1 axes dropped, same-kind neighbours merged. */
export function reduceLevels(axes: readonly number[], x: readonly number[]): { kept: Level[]; reduced: Level[] } {
  const strides = stridesOf(x);
  const kept: Level[] = [];
  const reduced: Level[] = [];
  let lastKind: 'kept' | 'reduced' | undefined;
  x.forEach((d, a) => {
    if (d === 1) return;
    const kind = axes.includes(a) ? 'reduced' : 'kept';
    const list = kind === 'kept' ? kept : reduced;
    const last = list.at(-1);
    if (lastKind === kind && last) {
      last.count *= d;
      last.stride = strides[a];
    } else {
      list.push({ count: d, stride: strides[a] });
    }
    lastKind = kind;
  });
  return { kept, reduced };
}

export const reducemean: IntKernel<'reducemean'> = {
  outputDims({ axes, keepdims }, [x]) {
    checkAxes(axes, x);
    const { kept, reduced } = reduceLevels(axes, x);
    if (kept.length + reduced.length > MAX_LEVELS) {
      throw new KernelShapeError('reducemean', `axes [${axes}] of [${x}] need ${kept.length + reduced.length} loop levels, more than ${MAX_LEVELS}`);
    }
    const out: number[] = [];
    x.forEach((d, a) => {
      if (!axes.includes(a)) out.push(d);
      else if (keepdims) out.push(1);
    });
    return out;
  },

  execute({ attrs, inputDims: [xDims], outDims }, [x]) {
    const { axes, mult, shift, lo, hi } = attrs;
    // Output strides per input axis (0 along reduced axes).
    const kept = xDims.map((d, a) => (axes.includes(a) ? 1 : d));
    const ks = stridesOf(kept).map((s, a) => (axes.includes(a) ? 0 : s));
    const acc = new Int32Array(elementCount(outDims));
    const coord = new Array<number>(xDims.length).fill(0);
    let o = 0;
    for (let i = 0; i < x.length; i++) {
      acc[o] = add32(acc[o], x[i]);
      for (let a = xDims.length - 1; a >= 0; a--) {
        coord[a]++;
        o += ks[a];
        if (coord[a] < xDims[a]) break;
        o -= coord[a] * ks[a];
        coord[a] = 0;
      }
    }
    return acc.map((s) => clamp32(requant(s, mult, shift), lo, hi));
  },

  lower({ attrs, inputDims: [xDims] }, layout) {
    const { axes, mult, shift, lo, hi } = attrs;
    const { kept, reduced } = reduceLevels(axes, xDims);
    const inner = reduced.pop() ?? { count: 1, stride: 1 };
    const g = new Codegen();
    const px = g.reg(); // first x element of the current output
    const q = g.reg(); // walks the reduced elements
    const py = g.reg();
    const acc = g.reg();
    const v = g.reg();
    const rm = g.reg();
    g.li(px, layout.inputs[0]);
    g.li(py, layout.output);
    g.li(rm, mult);
    emitNest(g, px, kept, () => {
      g.li(acc, 0);
      g.addi(q, px, 0);
      emitNest(g, q, reduced, () => {
        emitPass(g, inner.count, [{ reg: q, stride: inner.stride }], ([k]) => g.emit(asm.LOAD(v, q, k), asm.alu('ADD', acc, acc, v)));
      });
      g.emit(asm.RQ(acc, acc, rm, shift), asm.alu('MAX', acc, acc, 0, lo), asm.alu('MIN', acc, acc, 0, hi), asm.STORE(py, acc, 0));
      g.addi(py, py, 1);
    });
    return g.halt();
  },
};
