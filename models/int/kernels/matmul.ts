/**
 * matmul: y[b,i,j] = clamp(requant(bias[j] + Σ_k x[b,i,k]·w[b',k,j], mult[j], shift), lo, hi)
 * Inputs: x [...batch, M, K]; w [K, N] (shared) or [...batch, K, N]; bias [N] (int32); mult [N] (int32).
 * Products and the sum wrap (add32/mul32), so any summation order gives the same bits.
 * Lowering: the k loop is fully unrolled (LOAD + MAC per product, immediates carry the offsets), so a
 * product costs 2 VM steps.
 */
import { asm } from '../../../vm/isa.ts';
import { clamp32, requant } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel, type KernelCall } from './kernel.ts';

interface Geometry {
  batch: number;
  m: number;
  k: number;
  n: number;
  /** words between consecutive batches of w (0 when w is shared) */
  wBatchStride: number;
}

const MAX_UNROLL = 4096;

export function matmulGeometry({ inputDims }: { inputDims: number[][] }): Geometry {
  const [x, w] = inputDims;
  if (x.length < 2 || w.length < 2) throw new KernelShapeError('matmul', `operands must have rank ≥ 2, got [${x}] and [${w}]`);
  const k = x[x.length - 1];
  const m = x[x.length - 2];
  const n = w[w.length - 1];
  if (w[w.length - 2] !== k) throw new KernelShapeError('matmul', `inner dimensions differ: [${x}] · [${w}]`);
  if (k > MAX_UNROLL) throw new KernelShapeError('matmul', `inner dimension ${k} exceeds ${MAX_UNROLL}`);
  const batch = elementCount(x.slice(0, -2));
  const wBatch = elementCount(w.slice(0, -2));
  if (wBatch !== 1 && wBatch !== batch) throw new KernelShapeError('matmul', `batch of w (${wBatch}) must be 1 or x's (${batch})`);
  return { batch, m, k, n, wBatchStride: wBatch === 1 ? 0 : k * n };
}

export const matmul: IntKernel<'matmul'> = {
  outputDims(_attrs, inputDims) {
    const [x, w] = inputDims;
    matmulGeometry({ inputDims });
    return [...x.slice(0, -1), w[w.length - 1]];
  },

  execute(call: KernelCall<'matmul'>, [x, w, bias, mult]) {
    const { batch, m, k, n, wBatchStride } = matmulGeometry(call);
    const { shift, lo, hi } = call.attrs;
    const y = new Int32Array(batch * m * n);
    // Row-at-a-time: acc[j] += x[t]·w[t, j] walks w contiguously. Int32Array stores wrap, so each update is
    // add32(acc, mul32(x, w)) and, sums being order-free, the bits equal any other order's.
    const acc = new Int32Array(n);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < m; i++) {
        const xRow = (b * m + i) * k;
        acc.set(bias.subarray(0, n));
        for (let t = 0; t < k; t++) {
          const xt = x[xRow + t];
          if (xt === 0) continue;
          const wRow = b * wBatchStride + t * n;
          for (let j = 0; j < n; j++) acc[j] += Math.imul(xt, w[wRow + j]);
        }
        const yRow = (b * m + i) * n;
        for (let j = 0; j < n; j++) y[yRow + j] = clamp32(requant(acc[j], mult[j], shift), lo, hi);
      }
    }
    return y;
  },

  lower(call, layout) {
    const { batch, m, k, n, wBatchStride } = matmulGeometry(call);
    const { shift, lo, hi } = call.attrs;
    const [xBase, wBase, biasBase, multBase] = layout.inputs;
    const g = new Codegen();
    const px = g.reg(); // start of the current x row
    const pw = g.reg(); // w[b, 0, j]
    const pj = g.reg(); // j (offset into bias and mult)
    const py = g.reg(); // next output word
    const acc = g.reg();
    const t = g.reg();
    const wBatchStart = g.reg(); // w[b, 0, 0]
    g.li(px, xBase);
    g.li(py, layout.output);
    g.li(wBatchStart, wBase);
    g.repeat(batch, () => {
      g.repeat(m, () => {
        g.addi(pw, wBatchStart, 0);
        g.li(pj, 0);
        g.repeat(n, () => {
          g.emit(asm.LOAD(acc, pj, biasBase));
          for (let s = 0; s < k; s++) {
            g.emit(asm.LOAD(t, px, s), asm.MAC(acc, t, pw, s * n));
          }
          g.emit(asm.LOAD(t, pj, multBase));
          g.emit(asm.RQ(acc, acc, t, shift));
          g.emit(asm.alu('MAX', acc, acc, 0, lo), asm.alu('MIN', acc, acc, 0, hi));
          g.emit(asm.STORE(py, acc, 0));
          g.addi(py, py, 1);
          g.addi(pw, pw, 1);
          g.addi(pj, pj, 1);
        });
        g.addi(px, px, k);
      });
      g.addi(wBatchStart, wBatchStart, wBatchStride);
    });
    return g.halt();
  },
};
