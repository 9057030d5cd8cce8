/**
 * layernorm over dims [axis, rank) (N elements per row). Inputs: x, mult [N], bias [N] (per-element
 * multipliers and offsets: gamma and beta folded in). For every row:
 *   x'_i = clamp32(x_i, -xmax, xmax)                                  (keeps the arithmetic below exact)
 *   S    = Σ x'_i (add32)
 *   d_i  = sub32(mul32(x'_i, N), S)                                  (= N·(x_i − mean), exact)
 *   V    = Σ requant(d_i, d_i, sqShift) (add32)                      (≈ N³·var / 2^sqShift)
 *   σ    = isqrt32(add32(V, eps))
 *   w_i  = div32(shl32(d_i, divShift), σ)                            (≈ (x_i − mean)/std · 2^(divShift + sqShift/2) / √N)
 *   y_i  = clamp32(add32(requant(w_i, mult[i], shift), bias[i]), lo, hi)
 * The quantizer picks sqShift and divShift so nothing wraps for |x'| ≤ xmax, and eps = ε in V's units.
 * σ = 0 (a constant row with eps = 0) gives w = 0, so y = bias.
 * Lowering: three unrolled passes per row (sum; variance; normalize and store).
 */
import { asm } from '../../../vm/isa.ts';
import { add32, clamp32, div32, isqrt32, mul32, requant, shl32, sub32 } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel } from './kernel.ts';
import { emitPass } from './normLoops.ts';

export function layernormRows(axis: number, [x, mult, bias]: number[][]): { rows: number; n: number } {
  if (!mult || !bias) throw new KernelShapeError('layernorm', 'needs inputs x, mult and bias');
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.length) throw new KernelShapeError('layernorm', `axis ${axis} is out of range for [${x}]`);
  const n = elementCount(x.slice(axis));
  if (elementCount(mult) !== n || elementCount(bias) !== n) {
    throw new KernelShapeError('layernorm', `mult [${mult}] and bias [${bias}] must hold ${n} words (the normalized dims of [${x}])`);
  }
  return { rows: elementCount(x.slice(0, axis)), n };
}

export const layernorm: IntKernel<'layernorm'> = {
  outputDims({ axis }, inputDims) {
    layernormRows(axis, inputDims);
    return [...inputDims[0]];
  },

  execute({ attrs, inputDims }, [x, mult, bias]) {
    const { xmax, sqShift, divShift, eps, shift, lo, hi } = attrs;
    const { rows: r, n } = layernormRows(attrs.axis, inputDims);
    const y = new Int32Array(x.length);
    const xs = new Int32Array(n);
    for (let row = 0; row < r; row++) {
      const base = row * n;
      let sum = 0;
      for (let i = 0; i < n; i++) sum = add32(sum, (xs[i] = clamp32(x[base + i], -xmax, xmax)));
      let v = 0;
      for (let i = 0; i < n; i++) {
        const d = sub32(mul32(xs[i], n), sum);
        v = add32(v, requant(d, d, sqShift));
      }
      const sigma = isqrt32(add32(v, eps));
      for (let i = 0; i < n; i++) {
        const w = div32(shl32(sub32(mul32(xs[i], n), sum), divShift), sigma);
        y[base + i] = clamp32(add32(requant(w, mult[i], shift), bias[i]), lo, hi);
      }
    }
    return y;
  },

  lower({ attrs, inputDims }, layout) {
    const { xmax, sqShift, divShift, eps, shift, lo, hi } = attrs;
    const { rows: r, n } = layernormRows(attrs.axis, inputDims);
    const [xBase, multBase, biasBase] = layout.inputs;
    const delta = layout.output - xBase;
    const g = new Codegen();
    const px = g.reg(); // x[row, 0]
    const pi = g.reg(); // 0: element index within the row
    const sum = g.reg();
    const acc = g.reg();
    const v = g.reg();
    const t = g.reg();
    g.li(px, xBase);
    g.li(pi, 0);
    const row = [{ reg: px, stride: 1 }];
    const both = [
      { reg: px, stride: 1 },
      { reg: pi, stride: 1 },
    ];
    const loadClamped = (k: number): void => {
      g.emit(asm.LOAD(v, px, k), asm.alu('MAX', v, v, 0, -xmax), asm.alu('MIN', v, v, 0, xmax));
    };
    g.repeat(r, () => {
      g.li(sum, 0);
      emitPass(g, n, row, ([k]) => {
        loadClamped(k);
        g.emit(asm.alu('ADD', sum, sum, v));
      });
      g.li(acc, 0);
      emitPass(g, n, row, ([k]) => {
        loadClamped(k);
        g.emit(asm.alu('MUL', v, v, 0, n), asm.alu('SUB', v, v, sum), asm.RQ(t, v, v, sqShift), asm.alu('ADD', acc, acc, t));
      });
      // acc ← σ
      g.emit(asm.alu('ADD', acc, acc, 0, eps), asm.alu('ISQRT', acc, acc, 0));
      emitPass(g, n, both, ([k, j]) => {
        loadClamped(k);
        g.emit(
          asm.alu('MUL', v, v, 0, n),
          asm.alu('SUB', v, v, sum),
          asm.alu('SHL', v, v, 0, divShift),
          asm.alu('DIV', v, v, acc),
          asm.LOAD(t, pi, multBase + j),
          asm.RQ(v, v, t, shift),
          asm.LOAD(t, pi, biasBase + j),
          asm.alu('ADD', v, v, t),
          asm.alu('MAX', v, v, 0, lo),
          asm.alu('MIN', v, v, 0, hi),
          asm.STORE(px, v, k + delta),
        );
      });
      g.addi(px, px, n);
    });
    return g.halt();
  },
};
