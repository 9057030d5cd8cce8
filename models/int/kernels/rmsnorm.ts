/**
 * rmsnorm over dims [axis, rank) (N elements per row): LayerNorm without the mean, with an exact sum of squares and
 * a square root normalized to 15 bits whatever the row's size. Inputs: x, mult [N] (per-element multipliers: gamma
 * folded in). For every row:
 *   x'_i = clamp32(x_i, -xmax, xmax)                       the quantizer sets xmax ≤ 2^15, so x'² ≤ 2^30
 *   q_i  = mul32(x'_i, x'_i)
 *   H    = add32(Σ sra32(q_i, 16), sra32(eps, 16))         P = H·2^16 + L = Σ x'² + eps, exactly
 *   L    = add32(Σ and32(q_i, 65535), and32(eps, 65535))   (sums add32; no wrap for N ≤ 16383)
 *   C    = add32(shl32(min(H, 2^14), 16), L)               = min(P, 2^30 + L)
 *   G    = add32(H, sra32(L, 16))                          = ⌊P / 2^16⌋
 *   u    = Σ_{k=1..15} [C < 4^k] + Σ_{k=8..15} [G < 4^k]   (signed compares: SLT) so t = 23 − u = ⌊log4 P⌋ for 4 ≤ P < 2^46
 *   W    = add32(shl32(H, 2u − 2), shl32(srl32(L, max(18 − 2u, 0)), max(2u − 18, 0)))   = ⌊P · 4^(14 − t)⌋ ∈ [2^28, 2^30)
 *   σ    = isqrt32(W)                                      ∈ [2^14, 2^15): ≥ 14 bits for every row with P ≥ 4
 *   R    = div32(2^30, σ)                                  (σ = 0, an all-zero row with eps = 0: R = 0, y = clamp(0))
 *   w_i  = requant(shl32(x'_i, u + 6), R, 15)              ≈ x'_i / √P · 2^30 (|x'|·2^(29−t) < 2^30: no wrap)
 *   y_i  = clamp32(requant(w_i, mult[i], shift), lo, hi)
 * Shifts take their amount mod 32 (shl32/sra32/srl32), as the VM does. Every step is defined for all int32 words; the
 * bounds in the comments hold for the quantizer's attrs (models/quantize/ops/rmsnorm.ts).
 * Lowering: two unrolled passes per row (the two sums; normalize and store) around ~70 instructions of row code.
 */
import { asm } from '../../../vm/isa.ts';
import { add32, clamp32, div32, isqrt32, mul32, requant, shl32, sra32, srl32 } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel } from './kernel.ts';
import { emitPass } from './normLoops.ts';

export function rmsnormRows(axis: number, [x, mult]: number[][]): { rows: number; n: number } {
  if (!mult) throw new KernelShapeError('rmsnorm', 'needs inputs x and mult');
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.length) throw new KernelShapeError('rmsnorm', `axis ${axis} is out of range for [${x}]`);
  const n = elementCount(x.slice(axis));
  if (elementCount(mult) !== n) throw new KernelShapeError('rmsnorm', `mult [${mult}] must hold ${n} words (the normalized dims of [${x}])`);
  return { rows: elementCount(x.slice(0, axis)), n };
}

/** The row code shared by the reference and the fast kernel: from the sums H, L to (R, a = u + 6). */
export function rmsnormRow(h: number, l: number): { r: number; a: number } {
  const c = add32(shl32(Math.min(h, 16384), 16), l);
  const g = add32(h, sra32(l, 16));
  let u = 0;
  for (let k = 1; k <= 15; k++) u += c < 4 ** k ? 1 : 0;
  for (let k = 8; k <= 15; k++) u += g < 4 ** k ? 1 : 0;
  const w = add32(shl32(h, 2 * u - 2), shl32(srl32(l, Math.max(18 - 2 * u, 0)), Math.max(2 * u - 18, 0)));
  const sigma = isqrt32(w);
  return { r: div32(2 ** 30, sigma), a: u + 6 };
}

export const rmsnorm: IntKernel<'rmsnorm'> = {
  outputDims({ axis }, inputDims) {
    rmsnormRows(axis, inputDims);
    return [...inputDims[0]];
  },

  execute({ attrs, inputDims }, [x, mult]) {
    const { xmax, eps, shift, lo, hi } = attrs;
    const { rows, n } = rmsnormRows(attrs.axis, inputDims);
    const y = new Int32Array(x.length);
    const xs = new Int32Array(n);
    for (let row = 0; row < rows; row++) {
      const base = row * n;
      let h = sra32(eps, 16);
      let l = eps & 65535;
      for (let i = 0; i < n; i++) {
        const c = (xs[i] = clamp32(x[base + i], -xmax, xmax));
        const q = mul32(c, c);
        h = add32(h, sra32(q, 16));
        l = add32(l, q & 65535);
      }
      const { r, a } = rmsnormRow(h, l);
      for (let i = 0; i < n; i++) y[base + i] = clamp32(requant(requant(shl32(xs[i], a), r, 15), mult[i], shift), lo, hi);
    }
    return y;
  },

  lower({ attrs, inputDims }, layout) {
    const { xmax, eps, shift, lo, hi } = attrs;
    const { rows, n } = rmsnormRows(attrs.axis, inputDims);
    const [xBase, multBase] = layout.inputs;
    const delta = layout.output - xBase;
    const g = new Codegen();
    const px = g.reg(); // x[row, 0]
    const pi = g.reg(); // 0: element index within the row
    const h = g.reg();
    const l = g.reg();
    const v = g.reg();
    const t = g.reg();
    const u = g.reg();
    const r = g.reg();
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
    g.repeat(rows, () => {
      g.li(h, eps >> 16);
      g.li(l, eps & 65535);
      emitPass(g, n, row, ([k]) => {
        loadClamped(k);
        g.emit(
          asm.alu('MUL', v, v, v),
          asm.alu('SRA', t, v, 0, 16),
          asm.alu('ADD', h, h, t),
          asm.alu('AND', t, v, 0, 65535),
          asm.alu('ADD', l, l, t),
        );
      });
      // u = Σ [C < 4^k] + Σ [G < 4^k]: C in v, G in t
      g.emit(asm.alu('MIN', v, h, 0, 16384), asm.alu('SHL', v, v, 0, 16), asm.alu('ADD', v, v, l), asm.alu('SRA', t, l, 0, 16), asm.alu('ADD', t, t, h));
      g.li(u, 0);
      for (let k = 1; k <= 15; k++) g.emit(asm.alu('SLT', r, v, 0, 4 ** k), asm.alu('ADD', u, u, r));
      for (let k = 8; k <= 15; k++) g.emit(asm.alu('SLT', r, t, 0, 4 ** k), asm.alu('ADD', u, u, r));
      // W = shl32(H, 2u − 2) + shl32(srl32(L, max(18 − 2u, 0)), max(2u − 18, 0)); the sums are dead after this
      g.emit(
        asm.alu('ADD', t, u, u), // 2u
        asm.alu('SHL', h, h, t, -2),
        asm.alu('SUB', r, 0, t, -18), // 18 − 2u
        asm.alu('MAX', r, r, 0, 0),
        asm.alu('SRL', l, l, r),
        asm.alu('ADD', r, t, 0, -18), // 2u − 18
        asm.alu('MAX', r, r, 0, 0),
        asm.alu('SHL', l, l, r),
        asm.alu('ADD', h, h, l),
        asm.alu('ISQRT', h, h, 0), // σ
        asm.LI(r, 2 ** 30),
        asm.alu('DIV', r, r, h), // R = div32(2^30, σ)
        asm.alu('ADD', u, u, 0, 6), // a = u + 6
      );
      emitPass(g, n, both, ([k, j]) => {
        loadClamped(k);
        g.emit(
          asm.alu('SHL', v, v, u),
          asm.RQ(v, v, r, 15),
          asm.LOAD(t, pi, multBase + j),
          asm.RQ(v, v, t, shift),
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
